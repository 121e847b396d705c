"""Robustness: how test accuracy falls as the digits are disturbed (noise, rotation, shift,
occlusion, stroke thickness; ``core/robustness.py``), and how many digits the model answers
and how well when it may say "I don't know" below a confidence threshold.

Public API (the window wires it):

* ``set_model(model, raw)``: the current model (a copy is kept) and the RawMnist to test on;
  its curves are computed in the background, the progress bar shows how far;
* ``add_model(name, model)`` / ``remove(name)``: other models or runs drawn over it;
* ``legend_names()``: the models the colour key above the plots lists, in drawing order;
* ``threshold()``; signals ``threshold_changed(float)`` (slider moved: the Draw tab can
  answer "I don't know" below it) and ``curves_shown(str)`` (a model's curves drawn).

Reports are computed one at a time in the order asked; a model replaced or removed while
its report runs is cancelled.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSlider, QVBoxLayout, QWidget

from ...core.data import RawMnist, test_set_for
from ...core.network import MLP
from ...core.robustness import (
    DEGREES,
    LEVEL_KEYS,
    PATCHES,
    SHIFTS,
    SIGMAS,
    THICKNESS,
    RobustnessReport,
    robustness_report,
)
from ..guard import guarded
from ..jobs import Jobs, panel_jobs
from ..state import Change, CurrentModel
from ..text import count, number, percent
from .lab_panel import FIXED_MODEL_NOTE

CURRENT = QT_TRANSLATE_NOOP(
    "RobustnessPanel", "current model"
)  # the key of the current model's curves (shown translated)
TITLES = {
    # shown through tr() (QT_TRANSLATE_NOOP only marks them for lupdate)
    "noise": (QT_TRANSLATE_NOOP("RobustnessPanel", "noise"), "σ"),
    "rotation": (
        QT_TRANSLATE_NOOP("RobustnessPanel", "rotation"),
        QT_TRANSLATE_NOOP("RobustnessPanel", "degrees"),
    ),
    "shift": (
        QT_TRANSLATE_NOOP("RobustnessPanel", "shift"),
        QT_TRANSLATE_NOOP("RobustnessPanel", "pixels"),
    ),
    "occlusion": (
        QT_TRANSLATE_NOOP("RobustnessPanel", "occlusion"),
        QT_TRANSLATE_NOOP("RobustnessPanel", "square side (px)"),
    ),
    "thickness": (
        QT_TRANSLATE_NOOP("RobustnessPanel", "stroke thickness"),
        QT_TRANSLATE_NOOP("RobustnessPanel", "pixels (− thinner)"),
    ),
}
#: each plot's x range from the start (the levels core.robustness measures), so the axes do
#: not jump when the first curves arrive
X_RANGES = {
    "noise": (min(SIGMAS), max(SIGMAS)),
    "rotation": (min(DEGREES), max(DEGREES)),
    "shift": (min(SHIFTS), max(SHIFTS)),
    "occlusion": (min(PATCHES), max(PATCHES)),
    "thickness": (min(THICKNESS), max(THICKNESS)),
    "coverage": (0.0, 1.0),
}
COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194)]


@dataclass
class _Scored:
    report: RobustnessReport
    confidence: np.ndarray  # (N,) top probability
    right: np.ndarray  # (N,) bool


def _score(model: MLP, raw: RawMnist, limit: int | None, progress, name: str) -> tuple:
    report = robustness_report(model, raw, limit=limit, progress=progress)
    X, y, _ = test_set_for(raw, model.classes, model.input_mean, model.input_std)
    if limit is not None:
        X, y = X[:limit], y[:limit]
    p = model.predict_proba(X)
    return name, _Scored(report, p.max(axis=1), p.argmax(axis=1) == y)


class _ProgressRelay(QObject):
    advanced = Signal(int, int)


class RobustnessPanel(QWidget):
    """Robustness curves of the shown model (9.5 s for the largest preset: computed for a
    fixed model, not for every snapshot of a run), and of the runs checked in Runs."""

    threshold_changed = Signal(float)
    curves_shown = Signal(str)
    follows = frozenset({Change.RESET, Change.MODEL, Change.ENDED, Change.DATA})

    def __init__(self, parent: QWidget | None = None, limit: int | None = None,
                 jobs: Jobs | None = None) -> None:
        """``limit``: score only the first ``limit`` test digits (tests; default all)."""
        super().__init__(parent)
        self._jobs, self._owns_jobs = panel_jobs(self, jobs)
        self._given: tuple | None = None  # (model or "training", data) last rendered
        self._overlaid: dict[str, str] = {}  # run id -> its name on the plots
        self._checked: list = []  # the core.runs.Run objects ticked in Runs
        self._live_run_id: str | None = None
        self._limit = limit
        self._raw: RawMnist | None = None
        self._scored: dict[str, _Scored] = {}
        self._colours: dict[str, tuple[int, int, int]] = {}
        self._queue: list[tuple[str, MLP]] = []
        self._running = None  # (job number, name, cancel flag)
        self._relay = _ProgressRelay(self)
        self._relay.advanced.connect(self._on_progress_advanced)

        self.progress = QProgressBar()
        self.progress.setToolTip(self.tr("Robustness curves being computed (each level is the "
                                         "whole test set, perturbed)"))
        self.progress.setMaximumWidth(220)
        self.status_label = QLabel(self.tr("No model yet: train one or open a model file."))
        self.status_label.setToolTip(self.tr("What is shown"))
        self.status_label.setWordWrap(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setValue(0)
        self.slider.setToolTip(self.tr("Confidence threshold: below it the model answers \"I "
                                       "don't know\" (the Draw tab uses it)"))
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.threshold_label = QLabel()
        self.threshold_label.setToolTip(self.tr("At this threshold: share of test digits "
                                                "answered, and accuracy on those"))
        self.threshold_label.setWordWrap(True)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.plots.setToolTip(self.tr("Test accuracy against each disturbance; every curve "
                                      "starts at the plain test accuracy (no disturbance)"))
        self._plot: dict[str, pg.PlotItem] = {}
        for k, key in enumerate([*TITLES, "coverage"]):
            # no context menu: the plots take no mouse (and each menu costs start-up time)
            plot = self.plots.addPlot(row=k // 3, col=k % 3, enableMenu=False)
            if key == "coverage":
                plot.setTitle(self.tr("answered (- -), accuracy (—)"), color="k", size="8pt")
                plot.setLabel("bottom", self.tr("confidence threshold"))
                self.threshold_line = pg.InfiniteLine(0, angle=90, pen=pg.mkPen("k", style=Qt.PenStyle.DashLine))
                plot.addItem(self.threshold_line)
            else:
                title, unit = TITLES[key]
                plot.setTitle(self.tr(title), color="k", size="9pt")
                plot.setLabel("bottom", self.tr(unit))
            plot.setLabel("left", self.tr("accuracy %") if key != "coverage" else "%")
            plot.enableAutoRange(x=False, y=False)
            plot.setXRange(*X_RANGES[key])
            plot.setYRange(0, 100)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            self._plot[key] = plot
        for col in range(3):  # equal columns, with or without curves
            self.plots.ci.layout.setColumnStretchFactor(col, 1)
        for plot in self._plot.values():  # (titles and tick labels would decide otherwise)
            plot.setPreferredWidth(200)
        # the colour key is a row of its own: inside a plot it covered curves and was clipped
        self.legend_label = QLabel()
        self.legend_label.setObjectName("robustness_legend")
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        self.legend_label.setWordWrap(True)
        self.legend_label.setToolTip(self.tr("One colour per model; bottom right: dashed = share "
                                             "of digits answered, solid = accuracy on those"))
        self._items: dict[str, list] = {}

        top = QHBoxLayout()
        top.addWidget(self.status_label, 1)
        top.addWidget(self.progress)
        threshold = QHBoxLayout()
        threshold.addWidget(QLabel(self.tr("\"I don't know\" below")))
        threshold.addWidget(self.slider, 1)
        threshold.addWidget(self.threshold_label, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.legend_label)
        layout.addWidget(self.plots, 1)
        layout.addLayout(threshold)
        self.progress.setVisible(False)
        self._show_legend()
        self._show_threshold()

    # ------------------------------------------------------------------------ view
    def render(self, state: CurrentModel) -> None:
        source = "training" if state.following_live_run else state.shown_model
        self._live_run_id = state.run_id if state.kind == "live" else None
        if state.raw is not None:
            self._raw = state.raw
        given = (source, id(state.raw))
        if not (self._given is not None and self._given[0] is given[0]
                and self._given[1] == given[1]):
            self._given = given
            if source == "training":
                self.show_note(QCoreApplication.translate("LabPanel", FIXED_MODEL_NOTE).format(
                    view=self.tr("robustness view")))
            else:
                self.set_model(state.shown_model, state.raw)
        self._sync_overlays()

    @guarded
    def set_checked_runs(self, runs: list) -> None:
        """Draw the final model of every run ticked in Runs over the current model's curves
        (the live run is the current model)."""
        self._checked = list(runs)
        self._sync_overlays()

    def _sync_overlays(self) -> None:
        from ...core.errors import MnistGuiError
        from ...core.model_file import load_model

        wanted = {run.id: run for run in self._checked
                  if not run.damaged and run.id != self._live_run_id}
        for run_id in [r for r in self._overlaid if r not in wanted]:
            self.remove(self._overlaid.pop(run_id))
        for run_id, run in wanted.items():
            if run_id in self._overlaid:
                continue
            name = self.tr("run {name}").format(name=run.name or run_id)
            try:
                model, _meta = load_model(run.snapshot_path())
            except (MnistGuiError, OSError) as exc:
                self.status_label.setText(f"{name}: {exc}")
                continue
            self._overlaid[run_id] = name
            self.add_model(name, model)

    # ------------------------------------------------------------------------ public
    def set_model(self, model: MLP | None, raw: RawMnist | None) -> None:
        if raw is not None:
            self._raw = raw
        self.remove(CURRENT)
        if model is None:
            self.status_label.setText(self.tr("No model yet: train one or open a model file."))
            return
        self._ask(CURRENT, model)

    def add_model(self, name: str, model: MLP) -> None:
        """Draw ``name``'s curves over the current model's (replaces a model of that name)."""
        if name == CURRENT:
            name = self.tr("{name} (other)").format(name=self.tr(name))
        self.remove(name)
        self._ask(name, model)

    def remove(self, name: str) -> None:
        self._queue = [(n, m) for n, m in self._queue if n != name]
        if self._running is not None and self._running[1] == name:
            self._running[2][0] = True  # cancelled at its next level
        self._scored.pop(name, None)
        for plot, item in self._items.pop(name, []):
            plot.removeItem(item)
        self._show_legend()
        self._fit_y()
        self._show_status()
        self._show_threshold()

    @property
    def curve_plots(self) -> dict[str, pg.PlotItem]:
        """The plots by curve: noise, rotation, shift, occlusion, thickness, coverage."""
        return dict(self._plot)

    def threshold(self) -> float:
        return self.slider.value() / 100

    def set_threshold(self, threshold: float) -> None:
        """Move the confidence slider (0..1; emits ``threshold_changed`` if it moved)."""
        self.slider.setValue(round(100 * min(max(float(threshold), 0.0), 1.0)))

    def show_note(self, text: str) -> None:
        """Drop the current model's curves and say why there are none (e.g. training)."""
        self.remove(CURRENT)
        self.status_label.setText(text)

    def is_busy(self) -> bool:
        """Curves are being computed or wait their turn."""
        return self._running is not None or bool(self._queue)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        self._queue.clear()
        if self._running is not None:
            self._running[2][0] = True
        return self._jobs.shutdown(timeout_ms) if self._owns_jobs else True

    # ------------------------------------------------------------------ worker
    def _ask(self, name: str, model: MLP) -> None:
        if self._raw is None:
            return
        self._queue.append((name, model.clone()))
        self._start_next()

    def _start_next(self) -> None:
        if self._running is not None or not self._queue or self._raw is None:
            return
        name, model = self._queue.pop(0)
        cancel = [False]
        relay, raw, limit = self._relay, self._raw, self._limit

        def progress(done: int, total: int) -> bool:
            relay.advanced.emit(done, total)
            return not cancel[0]

        number = self._jobs.submit(
            "robustness.score", _score, model, raw, limit, progress, name,
            on_done=self._on_worker_yielded, on_failed=self._on_worker_errored,
            on_ended=self._on_thread_finished)
        self._running = (number, name, cancel)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status_label.setText(self.tr("Computing the curves of {model}…").format(
            model=self.tr(CURRENT) if name == CURRENT else name))

    @guarded
    def _on_progress_advanced(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    @guarded
    def _on_worker_yielded(self, value: object) -> None:
        name, scored = value  # type: ignore[misc]
        if self._running is None or self._running[2][0]:
            return
        self._scored[name] = scored
        self._draw(name, scored)
        self.progress.setVisible(bool(self._queue))
        self._show_status()
        self._show_threshold()
        self.curves_shown.emit(name)

    @guarded
    def _on_worker_errored(self, message: str) -> None:
        if self._running is not None and not self._running[2][0]:
            self.status_label.setText(self.tr("Robustness: {message}").format(message=message))

    @guarded
    def _on_thread_finished(self) -> None:
        if self._running is None:
            return
        self._running = None
        self.progress.setVisible(bool(self._queue))
        self._start_next()

    # ------------------------------------------------------------------ drawing
    def _colour(self, name: str) -> tuple[int, int, int]:
        if name not in self._colours:
            used = set(self._colours.values())
            free = [c for c in COLOURS if c not in used] or COLOURS
            self._colours[name] = free[0]
        return self._colours[name]

    def _draw(self, name: str, scored: _Scored) -> None:
        colour = self._colour(name)
        width = 2.5 if name == CURRENT else 1.5
        pen = pg.mkPen(colour, width=width)
        items = []
        for key in TITLES:
            rows = sorted(scored.report.curves.get(key, []), key=lambda r: r[LEVEL_KEYS[key]])
            x = [r[LEVEL_KEYS[key]] for r in rows]
            y = [100 * r["accuracy"] for r in rows]
            item = self._plot[key].plot(x, y, pen=pen, symbol="o", symbolSize=5,
                                        symbolBrush=colour, symbolPen=None)
            items.append((self._plot[key], item))
        rows = scored.report.coverage
        t = [r["threshold"] for r in rows]
        answered = [100 * r["coverage"] for r in rows]
        accuracy = [100 * r["accuracy"] if r["accuracy"] is not None else np.nan for r in rows]
        coverage = self._plot["coverage"]
        items.append((coverage, coverage.plot(
            t, answered, pen=pg.mkPen(colour, width=width, style=Qt.PenStyle.DashLine),
        )))
        items.append((coverage, coverage.plot(t, accuracy, pen=pen, connect="finite")))
        self._items[name] = items
        self._show_legend()
        self._fit_y()

    def _fit_y(self) -> None:
        # one y range for all plots: from a little under the lowest accuracy of any model
        lows = [np.nanmin(item.yData) for items_ in self._items.values() for _, item in items_
                if item.yData is not None and np.isfinite(item.yData).any()]
        low = min(lows) if lows else 0.0
        for plot in self._plot.values():
            plot.setYRange(max(0.0, min(low, 90.0) - 5), 100)

    def legend_names(self) -> list[str]:
        """The models the colour key lists (those whose curves are drawn)."""
        return list(self._items)

    def _show_legend(self) -> None:
        parts = []
        for name in self._items:
            colour = pg.mkColor(*self._colour(name)).name()
            weight = "bold" if name == CURRENT else "normal"
            parts.append(
                f"<span style='color:{colour};font-weight:bold'>━━</span>&nbsp;"
                f"<span style='font-weight:{weight}'>{html.escape(self._shown_name(name))}</span>"
            )
        self.legend_label.setText(
            "&nbsp;&nbsp;&nbsp;&nbsp;".join(parts)
            if parts
            else "<span style='color:gray'>" + self.tr("No curves yet.") + "</span>"
        )

    def _show_status(self) -> None:
        parts = [f"{self._shown_name(name)}: {percent(s.report.accuracy)}"
                 for name, s in self._scored.items()]
        if not parts:
            return
        n = next(iter(self._scored.values())).report
        self.status_label.setText(self.tr(
            "Plain test accuracy (no disturbance) — {accuracies} — on {digits} test digits, "
            "seed {seed}.").format(accuracies="; ".join(parts), digits=count(n.n), seed=n.seed))

    def _shown_name(self, name: str) -> str:
        return self.tr(CURRENT) if name == CURRENT else name

    @guarded
    def _on_slider_changed(self, _value: int) -> None:
        self._show_threshold()
        self.threshold_changed.emit(self.threshold())

    def _show_threshold(self) -> None:
        t = self.threshold()
        self.threshold_line.setValue(t)
        scored = self._scored.get(CURRENT)
        if scored is None:
            self.threshold_label.setText(number(t, 2))
            return
        kept = scored.confidence >= t
        accuracy = percent(scored.right[kept].mean()) if kept.any() else "—"
        self.threshold_label.setText(self.tr(
            "{threshold}: answers {answered} of digits, {accuracy} of those right").format(
            threshold=number(t, 2), answered=percent(kept.mean(), 1), accuracy=accuracy))
