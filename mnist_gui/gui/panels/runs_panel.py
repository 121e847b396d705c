"""The Runs panel: every recorded run in a table, and a timeline to rewind the selected one.

Public API (the window connects these; the panel never sees a trainer or a session):

* ``refresh()`` re-reads the store in a background thread (``refreshed(int)`` when shown);
  ``checked_runs()``, ``selected_run()``, ``select_run(id)``;
  ``set_training_state(state, batches_per_epoch=0)`` with "idle" / "training" / "paused";
  ``delete_selected()`` asks first (a non-blocking box, also ``delete_question``);
  ``shutdown(timeout_ms)`` before the application quits.
* ``overlay_changed(list)``: the checked runs (``Run`` objects), to overlay on the curves;
  ``run_selected(object)``: a ``Run`` or None; ``settings_requested(dict)``: a run's settings
  for the form; ``continue_requested(str, int)``: run id and epoch to continue from;
  ``moment_selected(object)``: a ``Moment`` (run, fractional epoch, loaded model) when the
  timeline moves; ``live_requested()``: back to the live model; ``step_requested(int)``:
  batches to run while paused.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import MnistGuiError
from ...core.model_file import load_model
from ...core.network import MLP
from ...core.runs import Run, RunStore
from ..guard import guarded
from ..jobs import JobChannel, Jobs, panel_jobs
from ..panel_parts import ask, make_button
from ..text import duration, percent

# shown through self.tr() (QT_TRANSLATE_NOOP only marks them for lupdate)
COLUMNS = [
    "",
    QT_TRANSLATE_NOOP("RunsPanel", "Name"),
    QT_TRANSLATE_NOOP("RunsPanel", "Settings that differ"),
    QT_TRANSLATE_NOOP("RunsPanel", "Best test"),
    QT_TRANSLATE_NOOP("RunsPanel", "Epochs"),
    QT_TRANSLATE_NOOP("RunsPanel", "Time"),
    QT_TRANSLATE_NOOP("RunsPanel", "Outcome"),
]
CHECK, NAME, DIFFERS, BEST, EPOCHS, TIME, OUTCOME = range(len(COLUMNS))
#: settings shown in the table cell; the tooltip has them all
MAX_DIFFERING_SHOWN = 4
DELETE = QT_TRANSLATE_NOOP("RunsPanel", "Delete")  # the question's button (shown translated)
#: a run's outcome (``core.runs``) as shown, and what it means
OUTCOMES = {
    "completed": (
        QT_TRANSLATE_NOOP("RunsPanel", "completed"),
        QT_TRANSLATE_NOOP("RunsPanel", "Trained every epoch asked for"),
    ),
    "stopped": (
        QT_TRANSLATE_NOOP("RunsPanel", "stopped"),
        QT_TRANSLATE_NOOP("RunsPanel", "Stopped by the user"),
    ),
    "diverged": (
        QT_TRANSLATE_NOOP("RunsPanel", "diverged"),
        QT_TRANSLATE_NOOP("RunsPanel", "The loss became infinite or NaN"),
    ),
    "interrupted": (
        QT_TRANSLATE_NOOP("RunsPanel", "interrupted"),
        QT_TRANSLATE_NOOP(
            "RunsPanel", "The process ended during training; every completed epoch is kept"
        ),
    ),
    "running": (
        QT_TRANSLATE_NOOP("RunsPanel", "running"),
        QT_TRANSLATE_NOOP("RunsPanel", "Training now"),
    ),
    "failed": (
        QT_TRANSLATE_NOOP("RunsPanel", "failed"),
        QT_TRANSLATE_NOOP("RunsPanel", "Could not train"),
    ),
}
GREY = QColor(140, 140, 140)


@dataclass
class Moment:
    """A run at one snapshot: ``epoch`` is fractional (0.3 = 30% into the first epoch)."""

    run: Run
    epoch: float
    model: MLP
    path: Path


def differing_settings(runs: list[Run]) -> list[str]:
    """The settings whose values differ between (readable) runs: what tells them apart."""
    keys = sorted({key for run in runs for key in run.config})
    return [key for key in keys
            if len({json.dumps(run.config.get(key), sort_keys=True) for run in runs}) > 1]


def format_setting(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(format_setting(v) for v in value) or "[]"
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "-"
    return str(value)


RUNS_REFRESH_S = 5.0  # during a run, the run list is re-read at most this often


def epoch_text(epoch: float) -> str:
    """A snapshot's epoch in words: "3", or "1 (50% through)" for one taken inside epoch 1
    ("epoch 0.50" read as if nothing had been trained)."""
    value = float(epoch)
    if value.is_integer():
        return f"{value:.0f}"
    return QCoreApplication.translate("RunsPanel", "{epoch} ({share} through)").format(
        epoch=math.floor(value) + 1, share=percent(value - math.floor(value), 0))


def _load_moment(run: Run, epoch: float, path: Path) -> Moment:
    """Runs in a worker thread."""
    model, _meta = load_model(path)
    return Moment(run, epoch, model, path)


class RunsPanel(QWidget):
    """The run store's runs: compare, rename, delete, rewind, continue and step."""

    overlay_changed = Signal(list)
    run_selected = Signal(object)
    settings_requested = Signal(dict)
    continue_requested = Signal(str, int)
    moment_selected = Signal(object)
    live_requested = Signal()
    step_requested = Signal(int)
    refreshed = Signal(int)
    moment_failed = Signal(str)

    def __init__(self, store: RunStore, parent: QWidget | None = None,
                 jobs: Jobs | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._jobs, self._owns_jobs = panel_jobs(self, jobs)
        self._runs: dict[str, Run] = {}
        self._order: list[str] = []
        self._checked: set[str] = set()
        self._selected_id: str | None = None
        self._snapshots: list[tuple[float, Path]] = []
        self._viewing: float | None = None  # the timeline's epoch while not live
        self._state = "idle"
        self._batches_per_epoch = 0
        self._filling = False
        self.delete_question: QMessageBox | None = None
        self._delete_ids: list[str] = []

        self._read_at = 0.0  # time.monotonic() of the last refresh_soon read
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self._listing = JobChannel(self._jobs, "runs.list", self)
        self._listing.succeeded.connect(self._on_listing_succeeded)
        self._listing.failed.connect(self._on_listing_failed)
        self._loading = JobChannel(self._jobs, "runs.moment", self)
        self._loading.succeeded.connect(self._on_moment_loaded)
        self._loading.failed.connect(self._on_moment_failed)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("runsView")
        self.table.setHorizontalHeaderLabels([self.tr(c) if c else "" for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setToolTip(self.tr("Recorded runs. Tick runs to overlay their curves; "
                                      "double-click a name to rename; select a run to rewind "
                                      "it on the timeline."))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DIFFERS, QHeaderView.ResizeMode.Stretch)
        header.setToolTip(self.tr("Tick: overlay on the curves. Name: double-click to rename. "
                                  "Settings that differ: what tells this run from the others."))
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.customContextMenuRequested.connect(self._on_context_menu_requested)

        self.refresh_button = make_button(self.tr("Refresh"), self.tr("Read the run store again"),
                                          self.refresh, "refreshRunsButton")
        self.rename_button = make_button(self.tr("Rename"), self.tr("Rename the selected run"),
                                         self.rename_selected, "renameRunButton")
        self.delete_button = make_button(
            self.tr("Delete…"),
            self.tr("Delete the selected run from disk (asks first)"),
            self.delete_selected,
            "deleteRunButton",
        )
        self.load_settings_button = make_button(
            self.tr("Load settings into the form"),
            self.tr(
                "Put the selected run's settings into the "
                "settings form, to train again or change them"
            ),
            self.load_selected_settings,
            "loadSettingsButton",
        )
        self.status_label = QLabel("")
        self.status_label.setObjectName("runsStatus")
        self.status_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.rename_button, self.delete_button,
                       self.load_settings_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.timeline_label = QLabel(self.tr("Select a run to rewind it."))
        self.timeline_label.setObjectName("timelineLabel")
        self.timeline_label.setWordWrap(True)  # a long run name, or a longer language, wraps
        bold = QFont(self.timeline_label.font())
        bold.setBold(True)
        self.timeline_label.setFont(bold)
        self.timeline_slider = QSlider(Qt.Orientation.Horizontal)
        self.timeline_slider.setObjectName("timelineSlider")
        self.timeline_slider.setToolTip(self.tr("Move to see every view at that moment of the "
                                                "selected run (its weight snapshots)"))
        self.timeline_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.timeline_slider.setPageStep(1)
        self.timeline_slider.setRange(0, 0)
        self.timeline_slider.valueChanged.connect(self._on_timeline_moved)
        self.timeline_start = QLabel("")
        self.timeline_end = QLabel("")
        self.back_to_live_button = make_button(
            self.tr("Back to live"),
            self.tr("Show the live (or last loaded) model again in every view"),
            self.back_to_live,
            "backToLiveButton",
        )
        self.continue_button = make_button(
            self.tr("Continue"),
            self.tr(
                "Train on from the timeline's epoch (or the run's last), recorded "
                "as a branch of this run, with the settings in the form"
            ),
            self._on_continue_clicked,
            "continueButton",
        )
        self.step_button = make_button(
            self.tr("Step a batch"),
            self.tr("While paused: train one batch, then pause again"),
            self._on_step_clicked,
            "stepButton",
        )
        self.step_epoch_button = make_button(
            self.tr("Step an epoch"),
            self.tr("While paused: train one epoch's batches, then pause again"),
            self._on_step_epoch_clicked,
            "stepEpochButton",
        )

        slider_row = QHBoxLayout()
        slider_row.addWidget(self.timeline_start)
        slider_row.addWidget(self.timeline_slider, 1)
        slider_row.addWidget(self.timeline_end)
        timeline_buttons = QHBoxLayout()
        for button in (self.back_to_live_button, self.continue_button):
            timeline_buttons.addWidget(button)
        timeline_buttons.addStretch(1)
        timeline_buttons.addWidget(self.step_button)
        timeline_buttons.addWidget(self.step_epoch_button)
        timeline = QGroupBox(self.tr("Timeline"))
        timeline.setToolTip(self.tr("Rewind the selected run, continue it, or step a paused run"))
        timeline_layout = QVBoxLayout(timeline)
        timeline_layout.addWidget(self.timeline_label)
        timeline_layout.addLayout(slider_row)
        timeline_layout.addLayout(timeline_buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(timeline)
        self._update_controls()
        self.refresh()

    # ------------------------------------------------------------------ public

    @guarded
    def refresh(self) -> None:
        """Read the store again, in a background thread; ``refreshed`` when shown."""
        self._listing.submit(self.store.runs)

    def refresh_soon(self) -> None:
        """Re-read the run list now, or RUNS_REFRESH_S after the last read: each read parses
        every run's files, and with a few dozen runs kept, re-reading after every 0.3 s
        epoch slowed training down."""
        wait = RUNS_REFRESH_S - (time.monotonic() - self._read_at)
        if wait <= 0:
            self._on_refresh_timer_timeout()
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start(int(1000 * wait))

    @guarded
    def _on_refresh_timer_timeout(self) -> None:
        self._read_at = time.monotonic()
        self.refresh()

    def runs(self) -> list[Run]:
        """The runs as last read, in table order (newest first)."""
        return [self._runs[run_id] for run_id in self._order]

    def checked_runs(self) -> list[Run]:
        return [self._runs[run_id] for run_id in self._order if run_id in self._checked]

    def selected_run(self) -> Run | None:
        return self._runs.get(self._selected_id) if self._selected_id else None

    def select_run(self, run_id: str | None) -> None:
        """Select a run by id (None: no selection); unknown ids select nothing."""
        row = self._order.index(run_id) if run_id in self._order else -1
        if row < 0:
            self.table.clearSelection()
        else:
            self.table.selectRow(row)
        self._on_selection_changed()

    def set_checked(self, run_ids: list[str]) -> None:
        """Tick these runs (and only these) for the overlay."""
        self._checked = {run_id for run_id in run_ids if run_id in self._runs
                         and not self._runs[run_id].damaged}
        self._fill_table()
        self.overlay_changed.emit(self.checked_runs())

    def set_training_state(self, state: str, batches_per_epoch: int = 0) -> None:
        """"idle", "training" or "paused"; ``batches_per_epoch`` for "Step an epoch"."""
        if state not in ("idle", "training", "paused"):
            raise ValueError(f"training state: expected idle, training or paused, got {state!r}")
        self._state = state
        if batches_per_epoch:
            self._batches_per_epoch = int(batches_per_epoch)
        self._update_controls()

    def viewing_epoch(self) -> float | None:
        """The timeline's epoch while rewound, None while live."""
        return self._viewing

    def is_busy(self) -> bool:
        return self._listing.is_busy() or self._loading.is_busy()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop reading and loading; True if no background thread is left running."""
        self._listing.cancel()
        self._loading.cancel()
        return self._jobs.shutdown(timeout_ms) if self._owns_jobs else True

    @guarded
    def rename_selected(self) -> None:
        """Start editing the selected run's name in the table."""
        run = self.selected_run()
        if run is None or run.damaged:
            return
        self.table.editItem(self.table.item(self._order.index(run.id), NAME))

    @guarded
    def delete_selected(self) -> QMessageBox | None:
        """Ask (a non-blocking box, ``delete_question``) before deleting the selected run."""
        run = self.selected_run()
        if run is None:
            return None
        if self.delete_question is not None:
            self.delete_question.close()
        self._delete_ids = [run.id]
        self.delete_question = ask(
            self, self.tr("Delete run"), self.tr(
                "Delete run {run} and its snapshots from disk? This cannot be undone.").format(
                run=run.name or run.id), self.tr(DELETE), QMessageBox.ButtonRole.DestructiveRole,
            self._on_delete_answered, self._on_delete_question_closed)
        return self.delete_question

    @guarded
    def load_selected_settings(self) -> None:
        run = self.selected_run()
        if run is not None and not run.damaged:
            self.settings_requested.emit(dict(run.config))

    @guarded
    def back_to_live(self) -> None:
        self._loading.cancel()
        self._viewing = None
        # the handle goes back to the end too: left at the old moment, it said "rewound"
        # beside a label saying "Live"
        self.timeline_slider.blockSignals(True)
        self.timeline_slider.setValue(self.timeline_slider.maximum())
        self.timeline_slider.blockSignals(False)
        self._show_timeline_label()
        self._update_controls()
        self.live_requested.emit()

    # ------------------------------------------------------------------ table

    def _fill_table(self) -> None:
        readable = [run for run in self._runs.values() if not run.damaged]
        differing = differing_settings(readable)
        self._filling = True
        try:
            self.table.setRowCount(len(self._order))
            for row, run_id in enumerate(self._order):
                run = self._runs[run_id]
                for column, item in enumerate(self._row_items(run, differing)):
                    self.table.setItem(row, column, item)
            row = self._order.index(self._selected_id) if self._selected_id in self._order else -1
            if row >= 0:
                self.table.selectRow(row)
            else:
                self.table.clearSelection()
        finally:
            self._filling = False

    def _row_items(self, run: Run, differing: list[str]) -> list[QTableWidgetItem]:
        check = QTableWidgetItem()
        name = QTableWidgetItem(run.name or run.id)
        if run.damaged:
            cells = [
                check,
                name,
                QTableWidgetItem(self.tr("damaged: {why}").format(why=run.damaged)),
                QTableWidgetItem("-"),
                QTableWidgetItem(str(len(run.epochs)) if run.epochs else "-"),
                QTableWidgetItem("-"),
                QTableWidgetItem(self.tr("damaged")),
            ]
            for item in cells:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setForeground(QBrush(GREY))
                item.setToolTip(self.tr("Run {run} cannot be read: {why}").format(run=run.id,
                                                                                why=run.damaged))
            return cells
        check.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                       | Qt.ItemFlag.ItemIsUserCheckable)
        check.setCheckState(Qt.CheckState.Checked if run.id in self._checked
                            else Qt.CheckState.Unchecked)
        check.setToolTip(self.tr("Overlay this run's curves on the Curves tab"))
        # a name lives in its own file, which the recorder never writes: a running run can
        # be renamed too
        name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsEditable)
        parent = ("\n" + self.tr("continued from run {run} at epoch {epoch}").format(
            run=run.parent, epoch=run.parent_epoch) if run.parent else "")
        started = time.strftime('%Y-%m-%d %H:%M', time.localtime(run.started))
        name.setToolTip(self.tr("Run {run}, started {when}").format(run=run.id, when=started)
                        + parent + "\n" + self.tr("Double-click to rename"))
        if not run.name:
            name.setForeground(QBrush(GREY))
        shown = [f"{key}={format_setting(run.config.get(key))}" for key in differing]
        differs = QTableWidgetItem(", ".join(shown[:MAX_DIFFERING_SHOWN])
                                   + (f" (+{len(shown) - MAX_DIFFERING_SHOWN})"
                                      if len(shown) > MAX_DIFFERING_SHOWN else ""))
        differs.setToolTip(self.tr("All settings:") + "\n" + "\n".join(
            f"{key} = {format_setting(value)}" for key, value in sorted(run.config.items())))
        best = run.best_test_accuracy
        best_item = QTableWidgetItem("-" if best is None else percent(best))
        best_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        final = run.final_test_accuracy
        best_item.setToolTip(self.tr("Best test accuracy over the epochs") + (
            "" if final is None else self.tr("; final {accuracy}").format(accuracy=percent(final))))
        total = run.config.get("epochs")
        # a continued run counts from its parent's epoch, as the progress bar does ("4 / 7",
        # not "1 / 7" while the bar says epoch 4/7)
        done = (int(run.epochs[-1]["epoch"]) if run.epochs
                else int(run.parent_epoch or 0) if run.parent else 0)
        epochs = QTableWidgetItem(f"{done}" + (f" / {total}" if isinstance(total, int)
                                               and total != done else ""))
        epochs.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        epochs.setToolTip(self.tr("Completed epochs (of those asked for)"))
        seconds = run.duration
        time_item = QTableWidgetItem(
            duration(seconds) if isinstance(seconds, (int, float)) and math.isfinite(seconds)
            else "-")
        time_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        time_item.setToolTip(self.tr("Training time"))
        shown, meaning = OUTCOMES.get(run.outcome, (run.outcome, run.outcome))
        outcome = QTableWidgetItem(self.tr(shown))
        outcome.setToolTip(self.tr(meaning))
        for item in (differs, best_item, epochs, time_item, outcome):
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        return [check, name, differs, best_item, epochs, time_item, outcome]

    @guarded
    def _on_listing_succeeded(self, runs: list[Run]) -> None:
        before = set(self._checked)
        runs = sorted(runs, key=lambda run: (run.started, run.id), reverse=True)
        self._runs = {run.id: run for run in runs}
        self._order = [run.id for run in runs]
        self._checked = {i for i in self._checked if i in self._runs and not self._runs[i].damaged}
        previous = self._selected_id
        if previous not in self._runs:
            self._selected_id = None
        self._fill_table()
        empty = self.tr("No runs yet in {folder}.").format(folder=self.store.root)
        if not runs:
            self.status_label.setText(empty)
        elif self.status_label.text() == empty or self.status_label.text().startswith(
                self.tr("Cannot read the runs: {message}").split("{")[0]):
            self.status_label.setText("")  # a problem of an action stays until the next one
        if self._selected_id != previous:
            self._set_timeline(None)
            if self._viewing is not None:
                self.back_to_live()
            self.run_selected.emit(None)
        elif self._selected_id is not None:
            self._set_timeline(self._runs[self._selected_id], keep_position=True)
        self._update_controls()
        if self._checked or before:
            self.overlay_changed.emit(self.checked_runs())
        self.refreshed.emit(len(runs))

    @guarded
    def _on_listing_failed(self, message: str) -> None:
        self.status_label.setText(
            self.tr("Cannot read the runs: {message}").format(message=message)
        )

    @guarded
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.row() >= len(self._order):
            return
        run = self._runs[self._order[item.row()]]
        if item.column() == CHECK:
            if item.checkState() == Qt.CheckState.Checked:
                self._checked.add(run.id)
            else:
                self._checked.discard(run.id)
            self.overlay_changed.emit(self.checked_runs())
        elif item.column() == NAME:
            # the item is changed in place: rebuilding the table here would delete the item
            # whose signal is being delivered
            name = item.text().strip()
            if name == (run.name or run.id):
                return
            try:
                self.store.rename(run.id, name)
            except (MnistGuiError, OSError) as exc:
                self.status_label.setText(self.tr("Cannot rename: {error}").format(error=exc))
                name = run.name
            else:
                run.name = name
                self.status_label.setText("")
            self._filling = True
            try:
                item.setText(run.name or run.id)
                item.setForeground(QBrush(GREY) if not run.name else self.palette().text())
            finally:
                self._filling = False
            if run.id == self._selected_id:
                self._show_timeline_label()
            self.refresh()  # a listing read before the rename must not bring the old name back

    @guarded
    def _on_selection_changed(self) -> None:
        if self._filling:
            return
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        run_id = self._order[min(rows)] if rows else None
        if run_id == self._selected_id:
            return
        self._selected_id = run_id
        run = self.selected_run()
        self._set_timeline(run)
        if self._viewing is not None:
            self.back_to_live()
        self._update_controls()
        self.run_selected.emit(run)

    @guarded
    def _on_context_menu_requested(self, pos: QPoint) -> None:
        row = self.table.rowAt(pos.y())
        if 0 <= row < len(self._order):
            self.select_run(self._order[row])
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for text, slot, button in (
            (self.tr("Rename"), self.rename_selected, self.rename_button),
            (self.tr("Delete…"), self.delete_selected, self.delete_button),
            (self.tr("Load settings into the form"), self.load_selected_settings,
             self.load_settings_button),
            (self.tr("Continue this run"), self._on_continue_clicked, self.continue_button),
            (self.tr("Refresh"), self.refresh, self.refresh_button),
        ):
            action = QAction(text, menu)
            action.setToolTip(button.toolTip())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(lambda _checked=False, s=slot: self._run_menu_action(s))
            menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    @guarded
    def _run_menu_action(self, slot) -> None:  # noqa: ANN001 - a method of this panel
        slot()

    @guarded
    def _on_delete_answered(self, button) -> None:
        if button.text() != self.tr(DELETE):
            return
        problems = []
        for run_id in self._delete_ids:
            try:
                self.store.delete(run_id)
            except (MnistGuiError, OSError) as exc:
                problems.append(str(exc))
        self._delete_ids = []
        self.status_label.setText(self.tr("Cannot delete: {problems}").format(
            problems="; ".join(problems)) if problems else "")
        self.refresh()

    @guarded
    def _on_delete_question_closed(self) -> None:
        self.delete_question = None

    # ------------------------------------------------------------------ timeline

    def _set_timeline(self, run: Run | None, keep_position: bool = False) -> None:
        """Show ``run``'s snapshots on the slider (without loading any)."""
        old = self._snapshots[self.timeline_slider.value()][0] if (
            keep_position and self._snapshots) else None
        try:
            self._snapshots = run.snapshots() if run is not None and not run.damaged else []
        except OSError:
            self._snapshots = []
        self.timeline_slider.blockSignals(True)
        try:
            self.timeline_slider.setRange(0, max(len(self._snapshots) - 1, 0))
            epochs = [epoch for epoch, _ in self._snapshots]
            if old is not None and old in epochs and self._viewing is not None:
                self.timeline_slider.setValue(epochs.index(old))
            else:
                self.timeline_slider.setValue(max(len(self._snapshots) - 1, 0))
        finally:
            self.timeline_slider.blockSignals(False)
        self.timeline_start.setText(epoch_text(self._snapshots[0][0]) if self._snapshots else "")
        self.timeline_end.setText(epoch_text(self._snapshots[-1][0]) if self._snapshots else "")
        self._show_timeline_label()

    def _show_timeline_label(self) -> None:
        run = self.selected_run()
        if run is None:
            text = self.tr("Select a run to rewind it.")
        elif run.damaged:
            text = self.tr("Run {run} is damaged: {why}").format(run=run.name or run.id,
                                                                  why=run.damaged)
        elif not self._snapshots:
            text = self.tr("Run {run} has no snapshots yet.").format(run=run.name or run.id)
        elif self._viewing is None:
            text = self.tr("Live. Move the timeline to see run {run} at any of its %n "
                           "snapshot(s).", "", len(self._snapshots)).format(run=run.name or run.id)
        else:
            text = self.tr("viewing epoch {epoch} of run {run}").format(
                epoch=epoch_text(self._viewing), run=run.name or run.id)
        self.timeline_label.setText(text)
        self._update_continue_text()

    @guarded
    def _on_timeline_moved(self, index: int) -> None:
        run = self.selected_run()
        if run is None or not 0 <= index < len(self._snapshots):
            return
        epoch, path = self._snapshots[index]
        self._viewing = epoch
        self._show_timeline_label()
        self._update_controls()
        self._loading.submit(_load_moment, run, epoch, path)

    @guarded
    def _on_moment_loaded(self, moment: Moment) -> None:
        if self._viewing is None or moment.run.id != self._selected_id:
            return  # back to live or another run since
        self.moment_selected.emit(moment)

    @guarded
    def _on_moment_failed(self, message: str) -> None:
        self.timeline_label.setText(self.tr("Cannot load that snapshot: {message}").format(
            message=message))
        self.moment_failed.emit(message)

    # ------------------------------------------------------------------ continue, step

    def _continue_epoch(self) -> int | None:
        run = self.selected_run()
        if run is None or run.damaged or not run.epochs:
            return None
        if self._viewing is not None:
            epoch = math.floor(self._viewing + 1e-9)
            return epoch if epoch >= 1 else None  # inside epoch 1: nothing to continue from
        return int(run.epochs[-1]["epoch"])

    def _update_continue_text(self) -> None:
        epoch = self._continue_epoch()
        self.continue_button.setText(
            self.tr("Continue")
            if epoch is None
            else self.tr("Continue from epoch {epoch}").format(epoch=epoch)
        )

    @guarded
    def _on_continue_clicked(self) -> None:
        run, epoch = self.selected_run(), self._continue_epoch()
        if run is not None and epoch is not None and self._state == "idle":
            self.continue_requested.emit(run.id, epoch)

    @guarded
    def _on_step_clicked(self) -> None:
        if self._state == "paused":
            self.step_requested.emit(1)

    @guarded
    def _on_step_epoch_clicked(self) -> None:
        if self._state == "paused" and self._batches_per_epoch > 0:
            self.step_requested.emit(self._batches_per_epoch)

    def _update_controls(self) -> None:
        run = self.selected_run()
        readable = run is not None and not run.damaged
        self.rename_button.setEnabled(readable)
        self.delete_button.setEnabled(run is not None and run.outcome != "running")
        self.load_settings_button.setEnabled(readable)
        self.timeline_slider.setEnabled(readable and len(self._snapshots) > 1)
        self.back_to_live_button.setEnabled(self._viewing is not None)
        self.continue_button.setEnabled(self._state == "idle" and self._continue_epoch() is not None
                                        and run.outcome != "running")
        self.step_button.setEnabled(self._state == "paused")
        self.step_epoch_button.setEnabled(self._state == "paused" and self._batches_per_epoch > 0)
        self._update_continue_text()
