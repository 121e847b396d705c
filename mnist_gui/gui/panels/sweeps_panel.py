"""The Sweeps view: a sweep's trials (core/sweep.py) in a table and four plots, filled in
live while its workers train.

* the trials in a sortable table; ticking trials overlays their runs in Curves (they are
  ticked in Runs, like any runs);
* parallel coordinates (one vertical axis per swept setting and one for the metric, a line
  per trial coloured by its value); dragging an axis's handles brushes it: the table and the
  plot keep only the trials inside every brushed range;
* the importance of each setting (Optuna's evaluator);
* the metric against each setting;
* the metric after each epoch: pruned trials stop where they stopped; a trial run with
  several seeds is drawn as its mean with a band of ± one standard deviation.

A sweep is started from the settings form: tick the settings to vary and say how (a list
``64,128,256``, a choice ``relu|tanh`` or a range ``1e-3..1:log``). Its workers are separate
processes (``mnist-gui sweep worker``): the window never trains a trial, it only reads the
sweep's storage, in the background (``Jobs``), every POLL_MS while the sweep runs.

Public API: ``connect_window(window)`` (the form's settings, the Runs overlay, the data
folder), ``refresh()``, ``show_sweep(id)``, ``start_sweep()``, ``resume_sweep()``,
``stop_workers()``, ``brush(name, low, high)``, ``clear_brushes()``, ``visible_trials()``,
``checked_trials()``, ``set_checked_trials(numbers)``, ``shutdown(timeout_ms)``; signals
``sweep_shown(str)`` (a sweep's trials drawn), ``sweep_started(str)`` and
``overlay_requested(list)`` (the ticked trials' run ids).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.config import SETTINGS, TrainConfig
from ...core.errors import MnistGuiError
from ...core.runs import RunStore
from ...core.sweep import SweepSnapshot, read_snapshot
from ...core.sweep_space import suggested_spec
from ..guard import guarded
from ..jobs import JobChannel, Jobs, panel_jobs
from ..panel_parts import make_button
from .parallel_coordinates import ParallelCoordinates, show_value
from .sweep_plots import STATE_COLORS, draw_importance, draw_metric_vs_settings, draw_trial_curves

POLL_MS = 1500
FIXED = ["", "Trial", "State", "Value", "Epochs"]
CHECK, NUMBER, STATE, VALUE, EPOCHS = range(len(FIXED))


def list_sweeps(home: Path) -> list[str]:
    from ...core.sweep import SweepStore

    return list(reversed(SweepStore(home).ids()))


def create_sweep(home: Path, definition: Any) -> tuple[Any, bool]:
    """Make the sweep (checked first); (the Sweep, whether validation images were held out)."""
    from ...core.sweep import SweepStore

    held_out = definition.hold_out_validation()
    return SweepStore(home).create(definition), held_out


class _NumberItem(QTableWidgetItem):
    """A cell that sorts by its number (None: last), not its text."""

    def __init__(self, text: str, number: float | None) -> None:
        super().__init__(text)
        self.number = -math.inf if number is None else float(number)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _NumberItem):
            return self.number < other.number
        return super().__lt__(other)


class SweepsPanel(QWidget):
    """Sweeps: start one from the form, watch its trials fill in, see which settings matter."""

    sweep_shown = Signal(str)
    sweep_started = Signal(str)
    overlay_requested = Signal(list)

    def __init__(self, run_store: RunStore, parent: QWidget | None = None,
                 jobs: Jobs | None = None) -> None:
        super().__init__(parent)
        self.run_store = run_store
        self._jobs, self._owns_jobs = panel_jobs(self, jobs)
        self._form_config: Callable[[], TrainConfig] = TrainConfig
        self._runs_panel: Any = None
        self._data_dir: Callable[[], str | None] = lambda: None
        self._processes: list[Any] = []
        self._snapshot: SweepSnapshot | None = None
        self._importances: dict[str, float] = {}
        self._importance_after = -1
        self._checked: set[int] = set()
        self._filling = False
        self._shown_id: str | None = None

        self._poll = QTimer(self)
        self._poll.setSingleShot(True)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._reading = JobChannel(self._jobs, "sweeps.read", self)
        self._reading.succeeded.connect(self._on_read_succeeded)
        self._reading.failed.connect(self._on_read_failed)
        self._listing = JobChannel(self._jobs, "sweeps.list", self)
        self._listing.succeeded.connect(self._on_listing_succeeded)
        self._listing.failed.connect(self._on_read_failed)
        self._creating = JobChannel(self._jobs, "sweeps.create", self)
        self._creating.succeeded.connect(self._on_created)
        self._creating.failed.connect(self._on_create_failed)

        # --- which sweep
        self.sweep_combo = QComboBox()
        self.sweep_combo.setObjectName("sweepCombo")
        self.sweep_combo.setToolTip("The sweeps kept in the run store, newest first")
        self.sweep_combo.currentIndexChanged.connect(self._on_sweep_chosen)
        self.refresh_button = make_button("Refresh", "Read the sweeps again", self.refresh,
                                          "refreshSweepsButton")
        self.resume_button = make_button(
            "Resume", "Finish an interrupted sweep: its remaining trials, and the trials whose "
            "worker was killed, run again (completed trials never do)", self.resume_sweep,
            "resumeSweepButton")
        self.stop_button = make_button(
            "Stop workers", "Stop the worker processes this window started (their trials "
            "are marked failed; Resume runs them again)", self.stop_workers,
            "stopSweepButton")
        self.status_label = QLabel("")
        self.status_label.setObjectName("sweepStatus")
        self.status_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Sweep:"))
        top.addWidget(self.sweep_combo, 1)
        for button in (self.refresh_button, self.resume_button, self.stop_button):
            top.addWidget(button)

        # --- a new sweep from the form
        self.settings_table = QTableWidget(len(SETTINGS), 2)
        self.settings_table.setObjectName("sweepSettingsView")
        self.settings_table.setHorizontalHeaderLabels(["Vary", "How (list a,b / choice a|b / "
                                                       "range lo..hi[:log])"])
        self.settings_table.verticalHeader().setVisible(False)
        self.settings_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.settings_table.setToolTip("Tick the settings to vary; the others keep the form's "
                                       "values. Each ticked one gets a first search to edit.")
        for row, item in enumerate(SETTINGS):
            tick = QTableWidgetItem(item.label)
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Unchecked)
            tick.setToolTip(item.help)
            tick.setData(Qt.ItemDataRole.UserRole, item.name)
            self.settings_table.setItem(row, 0, tick)
            self.settings_table.setItem(row, 1, QTableWidgetItem(""))
        self.settings_table.resizeColumnToContents(0)
        self.settings_table.itemChanged.connect(self._on_setting_ticked)
        self.sampler_combo = QComboBox()
        self.sampler_combo.setObjectName("samplerCombo")
        for name, tip in (("tpe", "TPE: learns where good settings are"),
                          ("random", "random: each trial drawn at random"),
                          ("grid", "grid: every combination once (lists and choices only)")):
            self.sampler_combo.addItem(tip, name)
        self.trials_spin = QSpinBox()
        self.trials_spin.setObjectName("trialsSpin")
        self.trials_spin.setRange(1, 10_000)
        self.trials_spin.setValue(20)
        self.trials_spin.setToolTip("How many trials (a grid runs each combination once)")
        self.workers_spin = QSpinBox()
        self.workers_spin.setObjectName("workersSpin")
        self.workers_spin.setRange(1, 64)
        self.workers_spin.setValue(1)
        self.workers_spin.setToolTip("Worker processes on this machine; the cores' BLAS threads "
                                     "are split between them")
        self.prune_combo = QComboBox()
        self.prune_combo.setObjectName("pruneCombo")
        for name, tip in (("none", "none"), ("median", "median: stop trials below the median "
                                              "of earlier ones at the same epoch"),
                          ("halving", "successive halving")):
            self.prune_combo.addItem(tip, name)
        self.seeds_spin = QSpinBox()
        self.seeds_spin.setObjectName("seedsSpin")
        self.seeds_spin.setRange(1, 20)
        self.seeds_spin.setToolTip("Train each configuration with this many seeds (its value: "
                                   "the mean; drawn as mean ± std)")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("sweepNameEdit")
        self.name_edit.setPlaceholderText("a name (optional)")
        self.start_button = make_button(
            "Start sweep", "Start a sweep of the ticked settings from the form's values; "
            "trials are chosen by validation accuracy", self.start_sweep, "startSweepButton")
        form = QFormLayout()
        form.addRow("Sampler", self.sampler_combo)
        form.addRow("Trials", self.trials_spin)
        form.addRow("Workers", self.workers_spin)
        form.addRow("Pruning", self.prune_combo)
        form.addRow("Seeds", self.seeds_spin)
        form.addRow("Name", self.name_edit)
        form.addRow(self.start_button)
        new_box = QGroupBox("New sweep from the settings form")
        new_layout = QHBoxLayout(new_box)
        new_layout.addWidget(self.settings_table, 3)
        new_layout.addLayout(form, 1)

        # --- trials
        self.trials_table = QTableWidget(0, len(FIXED))
        self.trials_table.setObjectName("sweepTrialsView")
        self.trials_table.setHorizontalHeaderLabels(FIXED)
        self.trials_table.verticalHeader().setVisible(False)
        self.trials_table.setSortingEnabled(True)
        self.trials_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.trials_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.trials_table.setToolTip("The sweep's trials; click a header to sort. Tick trials "
                                     "to overlay their runs in Curves.")
        self.trials_table.itemChanged.connect(self._on_trial_ticked)

        # --- plots
        self.parallel_plot = ParallelCoordinates()
        self.parallel_plot.brushed.connect(self._on_brushed)
        self.importance_plot = pg.PlotWidget()
        self.importance_plot.setObjectName("importancePlot")
        self.importance_plot.setBackground("w")
        self.importance_plot.setLabel("bottom", "importance (Optuna's default evaluator, "
                                      "normalised to sum to 1)")
        self.importance_plot.setToolTip(
            "How much each setting decides whether a trial is among the best ones (Optuna's "
            "default evaluator: PED-ANOVA since Optuna 4, fANOVA before), from the completed "
            "trials")
        self.importance_bars: pg.BarGraphItem | None = None
        self.scatter_view = pg.GraphicsLayoutWidget()
        self.scatter_view.setObjectName("metricVsSettings")
        self.scatter_view.setBackground("w")
        self.curves_plot = pg.PlotWidget()
        self.curves_plot.setObjectName("sweepCurvesPlot")
        self.curves_plot.setBackground("w")
        self.curves_plot.setLabel("bottom", "epoch")
        self.curves_plot.setLabel("left", "metric (%)")
        self.curves_plot.setToolTip("Each trial's metric after every epoch: pruned trials "
                                    "(dashed) stop where they were stopped; several seeds: "
                                    "their mean and a band of ± one standard deviation")
        self.plots = QTabWidget()
        self.plots.addTab(self.parallel_plot, "Parallel coordinates")
        self.plots.addTab(self.importance_plot, "Importance")
        self.plots.addTab(self.scatter_view, "Metric vs settings")
        self.plots.addTab(self.curves_plot, "Curves")

        # scrolled: the form's rows must not raise the window's minimum height
        new_scroll = QScrollArea()
        new_scroll.setWidget(new_box)
        new_scroll.setWidgetResizable(True)
        new_scroll.setFrameShape(QFrame.Shape.NoFrame)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(new_scroll)
        splitter.addWidget(self.trials_table)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([150, 220, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(splitter, 1)
        self._update_controls()
        self.refresh()

    # ------------------------------------------------------------------ public

    def connect_window(self, window: Any) -> None:
        """The window's settings form (a new sweep's base), its Runs panel (ticked trials
        are ticked there, so Curves overlays them like any runs) and its data folder."""
        self._form_config = window.config_panel.config
        self._runs_panel = window.runs_panel
        self._data_dir = lambda: window.state.data_dir

    @guarded
    def refresh(self) -> None:
        """List the sweeps again (in the background) and re-read the one shown."""
        self._listing.submit(list_sweeps, self.run_store.home)

    def show_sweep(self, sweep_id: str) -> None:
        """Show ``sweep_id`` (it is read in the background; ``sweep_shown`` when drawn)."""
        if self.sweep_combo.findData(sweep_id) < 0:
            self.sweep_combo.blockSignals(True)
            self.sweep_combo.insertItem(0, sweep_id, sweep_id)
            self.sweep_combo.blockSignals(False)
        self.sweep_combo.setCurrentIndex(self.sweep_combo.findData(sweep_id))
        self._select(sweep_id)

    def shown_sweep(self) -> str | None:
        return self._shown_id

    def snapshot(self) -> SweepSnapshot | None:
        """The sweep as last read and drawn."""
        return self._snapshot

    def importances(self) -> dict[str, float]:
        return dict(self._importances)

    def tick_setting(self, name: str, spec: str | None = None) -> None:
        """Tick ``name`` in the new-sweep table (``spec``: how to vary it; default: a
        suggestion from the form's value)."""
        row = next(i for i, s in enumerate(SETTINGS) if s.name == name)
        self.settings_table.item(row, 0).setCheckState(Qt.CheckState.Checked)
        if spec is not None:
            self.settings_table.item(row, 1).setText(spec)

    def param_specs(self) -> list[str]:
        """The ticked settings as NAME=SPEC."""
        out = []
        for row, item in enumerate(SETTINGS):
            if self.settings_table.item(row, 0).checkState() == Qt.CheckState.Checked:
                out.append(f"{item.name}={self.settings_table.item(row, 1).text().strip()}")
        return out

    @guarded
    def start_sweep(self) -> None:
        """A sweep of the ticked settings from the form's values; its workers start once it
        is made (a background job: Optuna's first import takes a second)."""
        from ...core.sweep import SweepDefinition, parse_param

        try:
            base = self._form_config()
            params = [parse_param(text) for text in self.param_specs()]
            definition = SweepDefinition(
                params=params, base=base.to_dict(), sampler=self.sampler_combo.currentData(),
                n_trials=self.trials_spin.value(), prune=self.prune_combo.currentData(),
                seeds=self.seeds_spin.value(), name=self.name_edit.text().strip(),
                workers=self.workers_spin.value())
        except MnistGuiError as exc:
            self._say(str(exc), error=True)
            return
        if not params:
            self._say("Tick at least one setting to vary.", error=True)
            return
        self._say("Starting the sweep…")
        self.start_button.setEnabled(False)
        self._creating.submit(create_sweep, self.run_store.home, definition)

    @guarded
    def resume_sweep(self) -> None:
        """Run the shown sweep's remaining trials (and re-run its interrupted ones)."""
        snapshot = self._snapshot
        if snapshot is None or self._workers_alive():
            return
        self._creating.submit(_open_for_resume, self.run_store.home, snapshot.id)

    @guarded
    def stop_workers(self) -> None:
        """Stop the worker processes this window started (SIGTERM: each marks its trial
        failed and interrupted, which Resume runs again)."""
        for process in self._processes:
            if process.poll() is None:
                process.terminate()
        self._say("Stopping the workers; Resume runs the interrupted trials again.")
        self._update_controls()

    def workers_running(self) -> int:
        return sum(1 for p in self._processes if p.poll() is None)

    def brush(self, name: str, low: float | str, high: float | str) -> None:
        """Keep only the trials whose ``name`` (a swept setting, or "value": the metric in
        %) lies in [low, high] (categories: by their labels), in the plot and the table."""
        self.parallel_plot.brush(name, low, high)

    def clear_brushes(self) -> None:
        self.parallel_plot.clear_brushes()

    def visible_trials(self) -> list[int]:
        """The trial numbers the table shows (after brushing), in its order."""
        return [int(self.trials_table.item(row, NUMBER).text())
                for row in range(self.trials_table.rowCount())
                if not self.trials_table.isRowHidden(row)]

    def checked_trials(self) -> list[int]:
        return sorted(self._checked)

    def set_checked_trials(self, numbers: list[int]) -> None:
        """Tick these trials (and only these): their runs are overlaid in Curves."""
        self._checked = set(numbers)
        self._fill_table()
        self._request_overlay()

    def is_busy(self) -> bool:
        return self._jobs.is_busy("sweeps.")

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop polling. Worker processes are left to finish the sweep (they record their
        runs and need no window); ``stop_workers`` stops them."""
        self._poll.stop()
        if self._owns_jobs:
            return self._jobs.shutdown(timeout_ms)
        return True

    # ------------------------------------------------------------------ reading

    @guarded
    def _on_listing_succeeded(self, ids: list[str]) -> None:
        current = self._shown_id
        self.sweep_combo.blockSignals(True)
        self.sweep_combo.clear()
        for sweep_id in ids:
            self.sweep_combo.addItem(sweep_id, sweep_id)
        self.sweep_combo.blockSignals(False)
        if not ids:
            self._say("No sweeps yet: tick settings below and press Start sweep, or run "
                      "'mnist-gui sweep --param NAME=SPEC ...'.")
            return
        index = self.sweep_combo.findData(current) if current else 0
        self.sweep_combo.setCurrentIndex(max(index, 0))
        self._select(self.sweep_combo.currentData())

    @guarded
    def _on_sweep_chosen(self, index: int) -> None:
        if index >= 0:
            self._select(self.sweep_combo.itemData(index))

    def _select(self, sweep_id: str | None) -> None:
        if sweep_id is None:
            return
        if sweep_id != self._shown_id:
            self._shown_id = sweep_id
            self._snapshot = None
            self._checked = set()
            self.parallel_plot.reset()
            self._importance_after = -1
            self._importances = {}
        self._read()

    def _read(self) -> None:
        if self._shown_id is not None:
            self._reading.submit(read_snapshot, self.run_store.home, self._shown_id,
                                 self._importance_after)

    @guarded
    def _on_poll_timeout(self) -> None:
        self._read()

    @guarded
    def _on_read_succeeded(self, snapshot: SweepSnapshot) -> None:
        if snapshot.id != self._shown_id:
            return
        finished_before = self._finished_count()
        self._snapshot = snapshot
        if snapshot.importances is not None:
            self._importances = snapshot.importances
            self._importance_after = sum(1 for t in snapshot.trials if t.state == "complete")
        self._draw()
        if self._runs_panel is not None and self._finished_count() != finished_before:
            self._runs_panel.refresh_soon()  # the new trials' runs, for the overlay
        alive = self._workers_alive()
        if snapshot.state == "running" or alive:
            self._poll.start()
        self._update_controls()
        self.sweep_shown.emit(snapshot.id)

    @guarded
    def _on_read_failed(self, message: str) -> None:
        self._say(f"The sweep cannot be read: {message}", error=True)
        if self._workers_alive():
            self._poll.start()

    @guarded
    def _on_created(self, result: tuple[Any, bool]) -> None:
        sweep, held_out = result
        self.start_button.setEnabled(True)
        workers = sweep.definition.workers  # a new sweep's from the form, a resumed one's own
        self._processes = [p for p in self._processes if p.poll() is None] + \
            _start_workers(sweep, workers, self.run_store.home, self._data_dir())
        note = (f" (holding out {sweep.definition.base['validation']:,} training images for "
                "validation: the form holds out none)") if held_out else ""
        self._say(f"Sweep {sweep.id}: {workers} worker(s) training{note}.")
        self.show_sweep(sweep.id)
        self.sweep_started.emit(sweep.id)

    @guarded
    def _on_create_failed(self, message: str) -> None:
        self.start_button.setEnabled(True)
        self._say(message, error=True)

    def _workers_alive(self) -> bool:
        return self.workers_running() > 0

    def _finished_count(self) -> int:
        if self._snapshot is None:
            return 0
        return sum(1 for t in self._snapshot.trials if t.state != "running")

    # ------------------------------------------------------------------ drawing

    def _draw(self) -> None:
        snapshot = self._snapshot
        counts: dict[str, int] = {}
        for trial in snapshot.trials:
            counts[trial.state] = counts.get(trial.state, 0) + 1
        done = ", ".join(f"{n} {state}" for state, n in counts.items()) or "no trials yet"
        workers = self.workers_running()
        alive = f"; {workers} worker(s) here" if workers else ""
        definition = snapshot.definition
        self._say(f"{snapshot.id}: {snapshot.state}, {done} of {definition.n_trials} "
                  f"({definition.sampler}, prune {definition.prune}, {definition.seeds} "
                  f"seed(s), chosen by {definition.metric} accuracy){alive}")
        self._fill_table()
        specs = {p.name: p for p in snapshot.definition.params}
        self.parallel_plot.show_trials([specs[name] for name in self._param_names()],
                                       snapshot.definition.metric, snapshot.trials)
        self._draw_importance()
        self._draw_scatter()
        self._draw_curves()

    def _param_names(self) -> list[str]:
        """The swept settings that vary (a one-value list is a fixed setting: no axis)."""
        return [p.name for p in self._snapshot.definition.params
                if p.is_range or len(p.values) > 1]

    def _fill_table(self) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        names = self._param_names()
        headers = FIXED + names + ["Run"]
        self._filling = True
        self.trials_table.setSortingEnabled(False)
        try:
            self.trials_table.setColumnCount(len(headers))
            self.trials_table.setHorizontalHeaderLabels(headers)
            self.trials_table.setRowCount(len(snapshot.trials))
            for row, trial in enumerate(snapshot.trials):
                tick = _NumberItem("", trial.number)
                tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                tick.setCheckState(Qt.CheckState.Checked if trial.number in self._checked
                                   else Qt.CheckState.Unchecked)
                tick.setData(Qt.ItemDataRole.UserRole, trial.number)
                value = "" if trial.value is None else f"{100 * trial.value:.2f}%"
                cells = [tick, _NumberItem(str(trial.number), trial.number),
                         QTableWidgetItem(trial.state), _NumberItem(value, trial.value),
                         _NumberItem(str(trial.epochs), trial.epochs)]
                for name in names:
                    raw = trial.params.get(name)
                    number = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
                    cells.append(_NumberItem(show_value(raw), number) if isinstance(
                        number, (int, float)) and not isinstance(number, bool)
                        else QTableWidgetItem(show_value(raw)))
                cells.append(QTableWidgetItem(", ".join(trial.run_ids)))
                cells[STATE].setForeground(pg.mkColor(STATE_COLORS.get(trial.state, "#777")))
                if trial.message:
                    cells[STATE].setToolTip(trial.message)
                for column, cell in enumerate(cells):
                    if column != CHECK:
                        cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    self.trials_table.setItem(row, column, cell)
        finally:
            self.trials_table.setSortingEnabled(True)
            self._filling = False
        self.trials_table.resizeColumnsToContents()
        self._apply_brushes()

    def _draw_importance(self) -> None:
        self.importance_bars = draw_importance(self.importance_plot.getPlotItem(),
                                               self._importances, self.importance_bars)

    def _draw_scatter(self) -> None:
        snapshot = self._snapshot
        specs = {p.name: p for p in snapshot.definition.params}
        draw_metric_vs_settings(self.scatter_view, [specs[n] for n in self._param_names()],
                                snapshot.definition.metric, snapshot.trials)

    def _draw_curves(self) -> None:
        draw_trial_curves(self.curves_plot.getPlotItem(), self._snapshot.trials,
                          self._snapshot.seed_curves)

    # ------------------------------------------------------------------ brushing, ticks

    @guarded
    def _on_brushed(self) -> None:
        self._apply_brushes()

    def _apply_brushes(self) -> None:
        """Hide the table's rows of the trials outside the parallel plot's brushes."""
        if self._snapshot is None:
            return
        passing = {t.number for t in self._snapshot.trials if self.parallel_plot.passes(t)}
        for row in range(self.trials_table.rowCount()):
            item = self.trials_table.item(row, NUMBER)
            if item is not None:
                self.trials_table.setRowHidden(row, int(item.text()) not in passing)

    @guarded
    def _on_trial_ticked(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != CHECK:
            return
        number = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.add(number)
        else:
            self._checked.discard(number)
        self._request_overlay()

    def _request_overlay(self) -> None:
        if self._snapshot is None:
            return
        run_ids = [run_id for t in self._snapshot.trials if t.number in self._checked
                   for run_id in t.run_ids]
        self.overlay_requested.emit(run_ids)
        if self._runs_panel is not None:
            self._runs_panel.set_checked(run_ids)

    @guarded
    def _on_setting_ticked(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or item.checkState() != Qt.CheckState.Checked:
            return
        spec = self.settings_table.item(item.row(), 1)
        if spec.text().strip():
            return
        setting = SETTINGS[item.row()]
        try:
            value = getattr(self._form_config(), setting.name)
        except MnistGuiError:
            value = getattr(TrainConfig(), setting.name)
        spec.setText(suggested_spec(setting, value))

    # ------------------------------------------------------------------ helpers

    def _say(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b00020;" if error else "")
        self.status_label.setText(text)

    def _update_controls(self) -> None:
        alive = self._workers_alive()
        state = self._snapshot.state if self._snapshot is not None else ""
        self.resume_button.setEnabled(state == "interrupted" and not alive)
        self.stop_button.setEnabled(alive)


def _open_for_resume(home: Path, sweep_id: str) -> tuple[Any, bool]:
    """The sweep, its interrupted trials failed and queued again (a job's thread)."""
    from ...core.sweep import SweepStore, recover_interrupted

    sweep = SweepStore(home).get(sweep_id)
    recover_interrupted(sweep.study())
    return sweep, False


def _start_workers(sweep: Any, workers: int, home: Path, data_dir: str | None) -> list[Any]:
    from ...core.sweep_worker import start_worker_processes

    return start_worker_processes(sweep, workers, home=home, data_dir=data_dir)
