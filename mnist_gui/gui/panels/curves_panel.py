"""Loss and accuracy as the network learns.

Before any training the tab says what will appear and how to start. During a run: the
smoothed batch loss and batch accuracy (so even a run shorter than an epoch shows
something), per-epoch train / test (and validation, only when there is a validation set)
points, the learning rate on the loss plot's right axis with a mark where it jumps, and a
log-scale loss when it explodes. Recorded runs can be overlaid (``set_overlays``): their
test (and validation) accuracy and batch loss, one colour per run, named by what differs
between them. A smoothing slider for the batch losses, an x axis in epochs or samples seen,
a hover readout for every run, and an export of what is shown (PNG, long-format CSV).

Public: ``clear()``, ``start(epochs, validation=False, samples_per_epoch=None)``,
``set_validation(present)``, ``show_progress(progress)``, ``show_epoch(report)``,
``add_batch_losses(...)`` (older form of ``show_progress``), ``set_overlays(runs)``,
``set_smoothing(weight)``, ``set_x_axis("epochs" | "samples")``, ``hover_text()``,
``lr_marks()``, ``export_csv(path)`` (what is shown, long format), ``export_epochs_csv(path)``
(the live run's per-epoch table), ``export_png(path)``.
"""

from __future__ import annotations

import csv
import html
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.runs import Run
from ...core.session import Progress
from ...core.training import EpochFinished
from ..guard import guarded
from ..state import Change, CurrentModel, epoch_number
from ..text import compact, count, number, percent
from .run_overlay import OverlayData, SeedGroup, assign_colors, ema, prepare, seed_groups

COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "test": "#2ca02c", "batch": "#9ecae1",
          "batch_acc": "#a1d99b", "lr": "#7f7f7f", "mark": "#9467bd", "bad": "#d62728"}
# shown through tr() (QT_TRANSLATE_NOOP only marks them for lupdate)
NAMES = {"train": QT_TRANSLATE_NOOP("CurvesPanel", "training"),
         "val": QT_TRANSLATE_NOOP("CurvesPanel", "validation"),
         "test": QT_TRANSLATE_NOOP("CurvesPanel", "test")}
MAX_BATCH_POINTS = 20_000  # beyond this, the batch curves keep every other point
REDRAW_MS = 250  # the batch curves are redrawn at most this often (like superqt's qthrottled)
SMOOTHING = 0.95  # exponential moving average of the batch curves, until the slider moves
LIVE = "live"  # the live run's name in the CSV export
X_AXES = {"epochs": QT_TRANSLATE_NOOP("CurvesPanel", "epoch"),  # combo data -> axis label
          "samples": QT_TRANSLATE_NOOP("CurvesPanel", "samples seen")}
MNIST_TRAIN = 60_000  # the live run's samples per epoch until the window or an epoch says
LOG_SPAN = 100.0  # a loss that grows 100x above its lowest value switches to a log axis
HOVER_HINT = QT_TRANSLATE_NOOP("CurvesPanel", "Hover over a plot to read its values")

INTRO = QT_TRANSLATE_NOOP("CurvesPanel", """
<h3>Nothing trained yet</h3>
<p>Pick a preset or your own settings on the left and press <b>Train</b> (Ctrl+T).</p>
<p>While the network learns, this tab shows:</p>
<ul>
<li><b>Loss</b>: how wrong the network is (lower is better). A light line follows every
batch (smoothed); dots mark each epoch's loss on the training and test images, and on the
validation images when the settings hold some back.</li>
<li><b>Accuracy</b>: the share of digits it gets right, per batch and per epoch.</li>
<li>The <b>learning rate</b> (dashed, right axis), with a mark where it jumps.</li>
</ul>
<p>Hover over a plot to read its values.</p>
""")


class CurvesPanel(QWidget):
    """The run's loss and accuracy per batch and per epoch, recorded runs beside them.

    Follows the state even while hidden (``follows_hidden``): batches keep arriving from the
    training controller (``show_progress``), and a reset or an epoch must not wait for the
    tab to be shown."""

    follows = frozenset({Change.RESET, Change.EPOCH, Change.MODEL})
    follows_hidden = frozenset({Change.RESET, Change.EPOCH, Change.MODEL})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._generation = -1  # the state generation shown
        self._moment_line: list[tuple[pg.PlotWidget, pg.InfiniteLine]] = []
        self._checked_runs: list[Run] = []
        self._moment_run: Run | None = None  # a viewed moment's run, drawn beside
        self.history: list[dict] = []  # EpochFinished.metrics() of every epoch shown
        self._epochs = 0
        self._validation = False
        self._batch_x = np.zeros(0)  # fractional epochs
        self._batch_loss_raw = np.zeros(0)
        self._batch_acc_raw = np.zeros(0)  # in %
        self._batch_loss = np.zeros(0)  # smoothed as drawn
        self._batch_acc = np.zeros(0)
        self._ema_loss: float | None = None
        self._ema_acc: float | None = None
        self._smoothing = SMOOTHING
        self._x_axis = "epochs"
        self._samples_per_epoch: float | None = None  # of the live run, once known
        self._lr_x: list[float] = []
        self._lr_y: list[float] = []
        self._marks: list[tuple[pg.PlotWidget, pg.InfiniteLine, str]] = []  # (plot, line, kind)
        self._mark_epochs: list[float] = []  # where each mark is, in epochs
        self._overlays: list[OverlayData] = []
        self._overlay_items: list[tuple[OverlayData, str, pg.PlotDataItem]] = []  # (run, series, item)
        self._overlay_colors: dict[str, str] = {}
        self._overlay_curves: dict[str, dict[str, np.ndarray]] = {}  # run id -> batch_curve()
        self._overlay_loss_bounds: tuple[float, float] | None = None
        #: a sweep trial's seeds among the overlays: (group, mean line, band) on accuracy
        self._seed_bands: list[tuple[SeedGroup, pg.PlotDataItem, pg.FillBetweenItem]] = []
        self._auto_log = False  # the log axis was switched on because the loss exploded
        self._y_range: tuple[float, float] | None = None
        self._acc_range: tuple[float, float] | None = None
        self._legend_keys: tuple = ()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.controls = QWidget()
        controls_box = QVBoxLayout(self.controls)  # a row of controls, the readout under it
        controls_box.setContentsMargins(0, 0, 0, 0)
        controls_box.setSpacing(2)
        controls = QHBoxLayout()
        controls_box.addLayout(controls)
        self.log_check = QCheckBox(self.tr("Log-scale loss"))
        self.log_check.setObjectName("logScaleCheck")
        self.log_check.setToolTip(self.tr(
            "Show the loss on a logarithmic axis: small losses late in training become "
            "readable, and so does a loss that explodes.\nSwitched on by itself when the loss "
            "grows 100x."))
        self.hover_label = QLabel(self.tr(HOVER_HINT))
        self.hover_label.setObjectName("hoverLabel")
        self.hover_label.setWordWrap(True)
        self.hover_label.setToolTip(self.tr("The values under the mouse: the epoch's losses and "
                                            "accuracies, or the batch curves between epochs"))
        # a long readout wraps instead of widening the window
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # two lines reserved, so that a readout that wraps does not make the plots jump
        self.hover_label.setMinimumHeight(2 * self.hover_label.fontMetrics().lineSpacing() + 2)
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setObjectName("smoothingSlider")
        self.smoothing_slider.setRange(0, 99)
        self.smoothing_slider.setValue(round(100 * SMOOTHING))
        self.smoothing_slider.setFixedWidth(110)
        self.smoothing_slider.setToolTip(self.tr(
            "Smoothing of the batch curves (live and overlaid runs): an exponential moving "
            "average, each point keeping this share of the average before it.\n0 shows the raw "
            "batch losses."))
        self.smoothing_label = QLabel()
        self.smoothing_label.setMinimumWidth(self.smoothing_label.fontMetrics().horizontalAdvance("0.99") + 4)
        self.x_axis_combo = QComboBox()
        self.x_axis_combo.setObjectName("xAxisCombo")
        self.x_axis_combo.addItem(self.tr("x: epochs"), "epochs")
        self.x_axis_combo.addItem(self.tr("x: samples seen"), "samples")
        self.x_axis_combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no wheel changes in passing
        self.x_axis_combo.setToolTip(self.tr(
            "The x axis of both plots: epochs, or training samples seen (runs with different "
            "data subsets or batch sizes compare fairly)"))
        controls.addWidget(self.log_check)
        controls.addSpacing(12)
        smoothing = QLabel(self.tr("Smoothing"))
        smoothing.setBuddy(self.smoothing_slider)
        controls.addWidget(smoothing)
        controls.addWidget(self.smoothing_slider)
        controls.addWidget(self.smoothing_label)
        controls.addSpacing(12)
        controls.addWidget(self.x_axis_combo)
        controls.addStretch(1)
        controls_box.addWidget(self.hover_label)
        layout.addWidget(self.controls)

        self.stack = QStackedWidget()
        self.intro_label = QLabel(self.tr(INTRO))
        self.intro_label.setObjectName("curvesIntro")
        self.intro_label.setWordWrap(True)
        self.intro_label.setTextFormat(Qt.TextFormat.RichText)
        self.intro_label.setMaximumWidth(560)
        self.intro_label.setToolTip(self.tr("The curves appear here when a run starts"))
        intro = QWidget()
        intro_layout = QVBoxLayout(intro)
        row = QHBoxLayout()  # centred by stretches: an alignment would break the wrapping
        row.addStretch(1)
        row.addWidget(self.intro_label, 8)
        row.addStretch(1)
        intro_layout.addStretch(1)
        intro_layout.addLayout(row)
        intro_layout.addStretch(2)
        self.stack.addWidget(intro)
        plots = QWidget()
        plots_layout = QVBoxLayout(plots)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        plots_layout.setSpacing(2)
        # the overlaid runs' legend: above the plots, where it can never hide a curve
        self.runs_legend = QLabel()
        self.runs_legend.setObjectName("overlayLegend")
        self.runs_legend.setWordWrap(True)
        self.runs_legend.setTextFormat(Qt.TextFormat.RichText)
        self.runs_legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.runs_legend.setStyleSheet("QLabel { background: white; padding: 2px 6px; }")
        self.runs_legend.setToolTip(self.tr(
            "Recorded runs checked in the Runs tab, one colour each, named by the settings "
            "that differ between them.\nLine on the loss plot: batch loss. Triangles on the "
            "accuracy plot: test accuracy (solid) and validation accuracy (dashed)."))
        self.runs_legend.setVisible(False)
        plots_layout.addWidget(self.runs_legend)
        self.stack.addWidget(plots)
        layout.addWidget(self.stack, 1)

        self.loss_plot = pg.PlotWidget()
        self.loss_plot.setObjectName("lossPlot")
        self.loss_plot.setToolTip(self.tr(
            "Loss: how wrong the network is, lower is better.\nLight line: every batch, "
            "smoothed. Dots: each epoch on the training, test (and validation) images.\n"
            "Dashed grey, right axis: the learning rate; purple lines mark where it jumps.\n"
            "Test loss rising while training loss falls means overfitting."))
        self.accuracy_plot = pg.PlotWidget()
        self.accuracy_plot.setObjectName("accuracyPlot")
        self.accuracy_plot.setToolTip(self.tr(
            "Accuracy: the share of digits classified correctly, in %.\nLight line: every "
            "batch, smoothed. Dots: each epoch. A simple MLP reaches 97-98.5% on the test set."))
        for plot, axis_label in ((self.loss_plot, self.tr("loss")),
                                 (self.accuracy_plot, self.tr("accuracy (%)"))):
            plot.setBackground("w")
            # no showGrid(): its translucent full-size lines cost ~15 ms per repaint, 30x the
            # rest of the plot, on the GUI thread that shares the GIL with training
            plot.setLabel("left", axis_label)
            plot.getAxis("left").setWidth(58)  # both plots' left edges line up
            plot.setMinimumHeight(120)
            plot.setMenuEnabled(False)
            plots_layout.addWidget(plot, 1)
        # one "epoch" label, under the lower plot; the x axes are linked
        self.accuracy_plot.setLabel("bottom", self.tr(X_AXES["epochs"]))
        self.accuracy_plot.setXLink(self.loss_plot)
        self.accuracy_plot.getAxis("right").setWidth(58)
        self.accuracy_plot.showAxis("right")
        self.accuracy_plot.getAxis("right").setStyle(showValues=False)
        # loss falls to the bottom right, accuracy rises to the top right: legends go
        # where the curves are not
        self.loss_legend = self.loss_plot.addLegend(offset=(-10, 5), colCount=2)
        self.accuracy_legend = self.accuracy_plot.addLegend(offset=(-10, -5), colCount=2)
        for legend in (self.loss_legend, self.accuracy_legend):
            # opaque, over the curves: the learning-rate line crossed the legend's words
            legend.setBrush(pg.mkBrush(255, 255, 255, 235))
            legend.setPen(pg.mkPen("#cccccc"))
            legend.setZValue(1000)

        def pen(name: str, width: float = 2, style=Qt.PenStyle.SolidLine):
            return pg.mkPen(COLORS[name], width=width, style=style)

        def dots(key: str) -> dict:
            return {"pen": pen(key), "symbol": "o", "symbolSize": 6, "symbolBrush": COLORS[key],
                    "symbolPen": None}

        self.batch_curve = self.loss_plot.plot(pen=pen("batch", 1), antialias=False)
        self.batch_accuracy_curve = self.accuracy_plot.plot(pen=pen("batch_acc", 1),
                                                            antialias=False)
        self.loss_curves = {key: self.loss_plot.plot(**dots(key)) for key in NAMES}
        self.accuracy_curves = {key: self.accuracy_plot.plot(**dots(key)) for key in NAMES}

        # the learning rate on its own right-hand axis of the loss plot
        item = self.loss_plot.plotItem
        self.lr_view = pg.ViewBox()
        self.lr_view.setMouseEnabled(False, False)
        item.showAxis("right")
        item.scene().addItem(self.lr_view)
        right = item.getAxis("right")
        right.linkToView(self.lr_view)
        right.setLabel(self.tr("learning rate"))
        right.enableAutoSIPrefix(False)  # 0.001, not "(x0.001)" in the label
        right.setWidth(58)
        self.lr_view.setXLink(item)
        self.lr_curve = pg.PlotCurveItem(pen=pen("lr", 1.5, Qt.PenStyle.DashLine))
        self.lr_view.addItem(self.lr_curve)
        item.vb.sigResized.connect(self._on_loss_view_resized)

        # hover: a vertical line on both plots and a readout
        self._cursors = []
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#bbbbbb", width=1))
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self._cursors.append(line)
        self._hover_proxies = [
            pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=30, slot=self._make_hover(plot))
            for plot in (self.loss_plot, self.accuracy_plot)
        ]

        self.log_check.toggled.connect(self._on_log_toggled)
        self.smoothing_slider.valueChanged.connect(self._on_smoothing_changed)
        self.x_axis_combo.currentIndexChanged.connect(self._on_x_axis_changed)
        self._show_smoothing()
        # Redraws are throttled and axis ranges change in steps, not with every batch: each
        # axis repaint is Python work on the GUI thread that competes with training for the GIL
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw_batch_curves)
        self.clear()

    # ------------------------------------------------------------------ view

    def render(self, state: CurrentModel) -> None:
        """A new run starts its plots; a file or fine-tuned model shows the epochs it has;
        every epoch of the state's history is drawn once; a viewed moment's run is drawn
        with a line at the moment."""
        if state.generation != self._generation:
            self._generation = state.generation
            config = state.config if isinstance(state.config, dict) else {}
            if state.kind == "live":
                self.start(int(config.get("epochs") or 1),
                           validation=float(config.get("validation") or 0) > 0)
            else:
                self.clear()
                if state.history:
                    self.start(max(len(state.history), 1))
        for report in state.history[len(self.history):]:
            self.show_epoch(report)
        self._show_moment(state)

    @guarded
    def set_checked_runs(self, runs: list[Run]) -> None:
        """The runs ticked in Runs (drawn beside the live one)."""
        self._checked_runs = [run for run in runs if not run.damaged]
        self._apply_overlays()

    def _apply_overlays(self) -> None:
        runs = list(self._checked_runs)
        moment_run = self._moment_run
        if moment_run is not None and all(r.id != moment_run.id for r in runs):
            runs.append(moment_run)
        if [r.id for r in runs] != [d.run_id for d in self._overlays]:
            self.set_overlays(runs)

    def _show_moment(self, state: CurrentModel) -> None:
        """Under a viewed moment: its run beside the live one and a line at its epoch."""
        for plot, line in self._moment_line:
            plot.removeItem(line)
        self._moment_line = []
        run = state.moment_run if state.viewing_moment else None
        live = run is not None and run.id == state.run_id and state.kind == "live"
        self._moment_run = None if (run is None or live or getattr(run, "damaged", True)) else run
        self._apply_overlays()
        epoch = state.shown_epoch if state.viewing_moment else None
        if epoch is None:
            return
        self._show_plots()
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(
                self._to_x(float(epoch)),
                angle=90,
                movable=False,
                pen=pg.mkPen((200, 120, 0), width=2, style=Qt.PenStyle.DashLine),
                label=self.tr("viewing epoch {epoch}").format(epoch=epoch_number(epoch)),
                labelOpts={"position": 0.9, "color": (160, 90, 0)},
            )
            plot.addItem(line)
            self._moment_line.append((plot, line))

    def moment_epoch(self) -> float | None:
        """The epoch of the viewed moment marked on the plots (None: no moment)."""
        if not self._moment_line:
            return None
        x = float(self._moment_line[0][1].value())
        return x / self._samples_per_epoch if self._x_axis == "samples" and self._samples_per_epoch else x

    def _to_x(self, epochs: float) -> float:
        if self._x_axis == "samples" and self._samples_per_epoch:
            return epochs * self._samples_per_epoch
        return epochs

    # ------------------------------------------------------------------ public slots

    def clear(self) -> None:
        """No live curves (e.g. after opening a model file): the tab explains what will
        appear, unless recorded runs are overlaid (they stay until ``set_overlays([])``)."""
        self._redraw_timer.stop()
        self._epochs = 0
        self._y_range = self._acc_range = None
        self._samples_per_epoch = None
        self.history.clear()
        self._batch_x = np.zeros(0)
        self._batch_loss_raw = np.zeros(0)
        self._batch_acc_raw = np.zeros(0)
        self._batch_loss = np.zeros(0)
        self._batch_acc = np.zeros(0)
        self._ema_loss = self._ema_acc = None
        self._lr_x, self._lr_y = [], []
        self._lr_top = 0.0
        for plot, line, _ in self._marks:
            plot.removeItem(line)
        self._marks.clear()
        self._mark_epochs.clear()
        for curve in self._live_items():
            curve.setData([], [])
        if self._auto_log:
            self._auto_log = False
            self.log_check.setChecked(False)
        self._clear_hover()
        self.set_validation(False)
        if self._overlays:
            self._fix_x_range()
            self._fit_loss_range()
        else:
            self.stack.setCurrentIndex(0)
            self.controls.setVisible(False)  # nothing to scale or hover yet

    def start(self, epochs: int, validation: bool = False,
              samples_per_epoch: int | None = None) -> None:
        """A new run of ``epochs`` epochs: clear, show the plots, fix the x axis to the run.
        ``validation``: the run holds out a validation set (its curves are shown).
        ``samples_per_epoch``: its training images (for the "samples seen" axis; else
        learnt when the first epoch ends)."""
        self.clear()
        self._epochs = max(int(epochs), 1)
        if samples_per_epoch:
            self._samples_per_epoch = float(samples_per_epoch)
        self.set_validation(validation)
        self._show_plots()
        self._fix_x_range()

    def set_validation(self, present: bool) -> None:
        """Show the validation curves (and their legend entries) only when there is a
        validation set."""
        self._validation = bool(present)
        for curves in (self.loss_curves, self.accuracy_curves):
            curves["val"].setVisible(self._validation)
        self._sync_legends()

    def show_progress(self, progress: Progress) -> None:
        """The batches since the last Progress: loss, accuracy and learning rate."""
        self.add_batch_losses(progress.steps, progress.losses, progress.accuracies, progress.lr)

    def add_batch_losses(self, steps: np.ndarray, losses: np.ndarray,
                         accuracies: np.ndarray | None = None, lr: float | None = None) -> None:
        """Append batch losses (and accuracies in [0, 1]) at fractional epochs ``steps``,
        smoothed by an exponential moving average; ``lr`` is the rate at the last one."""
        if len(losses) == 0:
            return
        self._show_plots()
        steps = np.asarray(steps, dtype=float)
        raw_loss = np.asarray(losses, dtype=float)
        if accuracies is not None and len(accuracies) == len(losses):
            raw_acc = 100 * np.asarray(accuracies, dtype=float)
        else:
            raw_acc = np.full(len(losses), np.nan)
        loss, self._ema_loss = ema(raw_loss, self._smoothing, self._ema_loss)
        acc, self._ema_acc = ema(raw_acc, self._smoothing, self._ema_acc)
        bad = ~np.isfinite(raw_loss)
        if bad.any():
            self._mark(float(steps[np.argmax(bad)]), self.tr("loss not finite"), COLORS["bad"])
        self._batch_x = np.concatenate([self._batch_x, steps])
        self._batch_loss_raw = np.concatenate([self._batch_loss_raw, raw_loss])
        self._batch_acc_raw = np.concatenate([self._batch_acc_raw, raw_acc])
        self._batch_loss = np.concatenate([self._batch_loss, loss])
        self._batch_acc = np.concatenate([self._batch_acc, acc])
        if len(self._batch_x) > MAX_BATCH_POINTS:
            for name in ("_batch_x", "_batch_loss_raw", "_batch_acc_raw", "_batch_loss",
                         "_batch_acc"):
                setattr(self, name, getattr(self, name)[::2].copy())
        if lr is not None and math.isfinite(lr):
            self._add_lr(float(steps[-1]), float(lr))
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def show_epoch(self, report: EpochFinished) -> None:
        """One finished epoch: its train / validation / test loss and accuracy."""
        self._show_plots()
        self.history.append(report.metrics())
        if report.val_loss is not None and not self._validation:
            self.set_validation(True)
        if self._samples_per_epoch is None:
            measured = _num(report.samples_per_second) * _num(report.train_seconds)
            if math.isfinite(measured) and measured >= 1:
                self._samples_per_epoch = float(round(measured))
                if self._x_axis == "samples":
                    self._redraw_all()
        self._draw_epoch_curves()
        if not math.isfinite(_num(report.train_loss)):
            self._mark(float(report.epoch), self.tr("loss not finite"), COLORS["bad"])
        self._fit_loss_range()
        self._sync_legends()

    def set_overlays(self, runs: list[Run]) -> None:
        """Draw these recorded runs beside the live one: test (and validation) accuracy and
        batch loss, one colour per run; ``[]`` removes them. A branch starts at its parent's
        point. Damaged runs are left out."""
        runs = [run for run in runs if not run.damaged]
        for _, series, item in self._overlay_items:
            (self.loss_plot if series == "batch loss" else self.accuracy_plot).removeItem(item)
        self._overlay_items.clear()
        ids = [run.id for run in runs]
        self._overlay_curves = {rid: c for rid, c in self._overlay_curves.items() if rid in ids}
        self._overlay_colors = assign_colors(ids, self._overlay_colors)
        self._overlays = prepare(runs, self._overlay_colors, self._overlay_curves)
        self._make_seed_bands(runs)
        for data in self._overlays:
            color = data.color
            loss = pg.PlotDataItem(pen=pg.mkPen(color, width=1.5), antialias=False,
                                   connect="finite")
            test = pg.PlotDataItem(pen=pg.mkPen(color, width=2), symbol="t1", symbolSize=7,
                                   symbolBrush=color, symbolPen=None)
            self.loss_plot.addItem(loss)
            self.accuracy_plot.addItem(test)
            self._overlay_items += [(data, "batch loss", loss), (data, "test accuracy", test)]
            if data.val_accuracy is not None:
                val = pg.PlotDataItem(pen=pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine),
                                      symbol="t", symbolSize=7, symbolBrush=color,
                                      symbolPen=None)
                self.accuracy_plot.addItem(val)
                self._overlay_items.append((data, "validation accuracy", val))
        self._show_runs_legend()
        # one line of readout per run, reserved now so that hovering does not move the plots
        lines = max(2, 1 + len(self._overlays))
        self.hover_label.setMinimumHeight(lines * self.hover_label.fontMetrics().lineSpacing() + 2)
        self._draw_overlays()
        if self._overlays:
            self._show_plots()
        elif not self._has_live():
            self.stack.setCurrentIndex(0)
            self.controls.setVisible(False)
        self._y_range = self._acc_range = None
        self._fix_x_range()
        self._fit_loss_range()
        self._clear_hover()
        self._sync_legends()

    def set_smoothing(self, weight: float) -> None:
        """Batch-curve smoothing: the exponential moving average's weight of the past, in
        [0, 0.99]; 0 draws the raw batch losses."""
        self.smoothing_slider.setValue(round(100 * min(max(weight, 0.0), 0.99)))

    def set_x_axis(self, kind: str) -> None:
        """"epochs" or "samples" (training samples seen)."""
        index = self.x_axis_combo.findData(kind)
        if index < 0:
            raise ValueError(f"x axis {kind!r}: expected one of {', '.join(X_AXES)}")
        self.x_axis_combo.setCurrentIndex(index)

    def overlay_runs(self) -> list[OverlayData]:
        """The overlaid runs as drawn (labels, colours, raw data)."""
        return list(self._overlays)

    def overlay_items(self, run_id: str) -> dict[str, pg.PlotDataItem]:
        """A run's plot items by series ("batch loss", "test accuracy", "validation
        accuracy")."""
        return {series: item for data, series, item in self._overlay_items
                if data.run_id == run_id}

    def hover_text(self) -> str:
        """The hover readout ("" when nothing is under the mouse)."""
        text = self.hover_label.text()
        return "" if text == HOVER_HINT else text

    def lr_marks(self) -> list[float]:
        """Where the learning rate jumped (fractional epochs)."""
        return self.marks("lr")

    def marks(self, kind: str) -> list[float]:
        """Where the loss plot marks ``kind`` ("lr": the learning rate jumped, "bad": a
        non-finite or exploded batch loss), in fractional epochs."""
        return [x for (plot, _, k), x in zip(self._marks, self._mark_epochs)
                if k == kind and plot is self.loss_plot]

    def cursors_shown(self) -> bool:
        """Whether the hover cursor lines are on the plots."""
        return any(line.isVisible() for line in self._cursors)

    def raw_batch_losses(self) -> np.ndarray:
        """This run's batch losses as reported, before smoothing."""
        return self._batch_loss_raw.copy()

    def live_items(self) -> list:
        """The plot items of the live run (overlaid runs have their own)."""
        return self._live_items()

    # ----------------------------------------------------------------------- export

    def export_csv(self, path: str | Path) -> None:
        """Every visible series, live and overlaid, as drawn (smoothed, in the x axis shown):
        one row per point with columns run, series, x, y, x_unit."""
        unit = X_AXES[self._x_axis]
        with open(path, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["run", "series", "x", "y", "x_unit"])
            for run, series, item in self._shown_series():
                x, y = item.xData, item.yData
                for xi, yi in zip(x.tolist(), y.tolist()):
                    if math.isfinite(yi):
                        writer.writerow([run, series, f"{xi:.10g}", f"{yi:.10g}", unit])

    def export_epochs_csv(self, path: str | Path) -> None:
        """The live run's per-epoch table (one row per epoch, all its metrics)."""
        columns = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                   "test_loss", "test_accuracy", "train_seconds", "samples_per_second", "lr"]
        with open(path, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in self.history:
                writer.writerow(["" if row[c] is None else row[c] for c in columns])

    def export_png(self, path: str | Path) -> bool:
        """The plots as shown (legends included)."""
        return self.stack.currentWidget().grab().save(str(path))

    # --------------------------------------------------------------------- internals

    def _live_items(self) -> list:
        return [self.batch_curve, self.batch_accuracy_curve, self.lr_curve,
                *self.loss_curves.values(), *self.accuracy_curves.values()]

    def _has_live(self) -> bool:
        return bool(self._epochs or self.history or len(self._batch_x))

    def _shown_series(self) -> list[tuple[str, str, object]]:
        """(run, series, item) of every curve shown with data."""
        def has(item) -> bool:
            return item.isVisible() and item.xData is not None and len(item.xData) > 0

        live = [("batch loss", self.batch_curve), ("batch accuracy", self.batch_accuracy_curve)]
        for key, name in NAMES.items():
            live += [(f"{name} loss", self.loss_curves[key]),
                     (f"{name} accuracy", self.accuracy_curves[key])]
        live.append(("learning rate", self.lr_curve))
        out = [(LIVE, series, item) for series, item in live if has(item)]
        out += [(data.label, series, item) for data, series, item in self._overlay_items
                if has(item)]
        return out

    def _scale_live(self, epochs: np.ndarray | float) -> np.ndarray | float:
        """The live run's x for fractional epochs, in the axis shown."""
        if self._x_axis == "epochs":
            return epochs
        return epochs * (self._samples_per_epoch or MNIST_TRAIN)

    def _scale_overlay(self, data: OverlayData, epochs: np.ndarray) -> np.ndarray:
        return epochs if self._x_axis == "epochs" else data.to_samples(epochs)

    def _draw_epoch_curves(self) -> None:
        epochs = np.array([h["epoch"] for h in self.history], dtype=float)
        x = self._scale_live(epochs)
        for key in NAMES:
            loss = np.array([_num(h[f"{key}_loss"]) for h in self.history])
            acc = np.array([_num(h[f"{key}_accuracy"]) * 100 for h in self.history])
            keep = np.isfinite(loss)
            self.loss_curves[key].setData(x[keep], loss[keep])
            keep = np.isfinite(acc)
            self.accuracy_curves[key].setData(x[keep], acc[keep])

    def _draw_overlays(self) -> None:
        """The overlays' items from their data, smoothing and x axis (not on live updates)."""
        lows, highs = [], []
        for data, series, item in self._overlay_items:
            if series == "batch loss":
                y, _ = ema(data.losses, self._smoothing)
                data.drawn_losses = y
                item.setData(self._scale_overlay(data, data.steps), y)
                positive = y[np.isfinite(y) & (y > 0)]
                if len(positive):
                    lows.append(positive.min())
                    highs.append(positive.max())
            else:
                y = data.test_accuracy if series == "test accuracy" else data.val_accuracy
                keep = np.isfinite(y)
                item.setData(self._scale_overlay(data, data.epochs[keep]), y[keep])
        self._overlay_loss_bounds = (min(lows), max(highs)) if lows else None
        for group, mean, band in self._seed_bands:
            x = self._scale_overlay(group.members[0], group.epochs)
            mean.setData(x, group.mean)
            band.curves[0].setData(x, group.mean + group.std)
            band.curves[1].setData(x, group.mean - group.std)

    def _make_seed_bands(self, runs: list[Run]) -> None:
        """A sweep trial's seeds overlaid together: their mean test accuracy and a band of
        ± one standard deviation (drawn by ``_draw_overlays``)."""
        for _group, mean, band in self._seed_bands:
            self.accuracy_plot.removeItem(mean)
            self.accuracy_plot.removeItem(band)
        self._seed_bands = []
        for group in seed_groups(runs, self._overlays):
            color = group.members[0].color
            fill = pg.mkColor(color)
            fill.setAlpha(60)
            band = pg.FillBetweenItem(pg.PlotDataItem(), pg.PlotDataItem(), brush=fill)
            mean = pg.PlotDataItem(pen=pg.mkPen(color, width=3))
            self.accuracy_plot.addItem(band)
            self.accuracy_plot.addItem(mean)
            self._seed_bands.append((group, mean, band))

    def seed_bands(self) -> list[tuple[list[str], np.ndarray, np.ndarray, np.ndarray]]:
        """The seed groups drawn: (run ids, epochs, mean, std of test accuracy in %)."""
        return [([m.run_id for m in g.members], g.epochs, g.mean, g.std)
                for g, _mean, _band in self._seed_bands]

    def _redraw_all(self) -> None:
        """Everything again, after the smoothing or the x axis changed."""
        self._draw_epoch_curves()
        self._redraw_batch_curves()
        self._draw_overlays()
        for (_, line, _), x in zip(self._marks, self._mark_epochs):
            line.setPos(self._scale_live(x))
        self._y_range = self._acc_range = None
        self._fix_x_range()
        self._fit_loss_range()
        self._clear_hover()

    def _show_runs_legend(self) -> None:
        """One entry per overlaid run: its colour, line and marker, and its label."""
        entries = []
        for data in self._overlays:
            marks = "━▲" + ("▼" if data.val_accuracy is not None else "")
            parent = next((o.label for o in self._overlays if o.run_id == data.parent), None)
            branch = (" <i>" + self.tr("(continues {run})").format(run=html.escape(parent))
                      + "</i>") if parent else ""
            entries.append(f'<span style="color:{data.color}"><b>{marks}</b></span>&nbsp;'
                           f"{html.escape(data.label)}{branch}")
        self.runs_legend.setText("&nbsp;&nbsp;&nbsp; ".join(entries))
        self.runs_legend.setVisible(bool(entries))

    def overlay_legend(self) -> list[str]:
        """The overlaid runs' legend entries as shown (plain text)."""
        return [data.label for data in self._overlays] if self.runs_legend.isVisible() else []

    @guarded
    def _on_smoothing_changed(self, value: int) -> None:
        self._smoothing = value / 100
        self._show_smoothing()
        self._batch_loss, self._ema_loss = ema(self._batch_loss_raw, self._smoothing)
        self._batch_acc, self._ema_acc = ema(self._batch_acc_raw, self._smoothing)
        self._redraw_batch_curves()
        self._draw_overlays()
        self._y_range = self._acc_range = None
        self._fit_loss_range()
        self._legend_keys = ()  # "batch (smoothed)" or "batch"
        self._sync_legends()

    def _show_smoothing(self) -> None:
        self.smoothing_label.setText(self.tr("raw") if self._smoothing == 0
                                     else number(self._smoothing, 2))

    @guarded
    def _on_x_axis_changed(self, _index: int) -> None:
        self._x_axis = self.x_axis_combo.currentData()
        self.accuracy_plot.setLabel("bottom", self.tr(X_AXES[self._x_axis]))
        self._redraw_all()

    def _show_plots(self) -> None:
        if self.stack.currentIndex() != 1:
            self.stack.setCurrentIndex(1)
            self.controls.setVisible(True)

    def _fix_x_range(self) -> None:
        """From 0 to the end of the live run or of the longest overlay."""
        ends = [float(self._scale_live(float(self._epochs)))] if self._epochs else []
        for data in self._overlays:
            last = max([*data.epochs.tolist(), *data.steps.tolist()], default=0.0)
            ends.append(float(self._scale_overlay(data, np.array(last))))
        end = max(ends, default=0.0)
        if end > 0:
            self.loss_plot.setXRange(0, end, padding=0.02)
            for plot in (self.loss_plot, self.accuracy_plot):
                plot.enableAutoRange(x=False)
        self.loss_plot.enableAutoRange(y=False)
        self.accuracy_plot.enableAutoRange(y=False)

    @guarded
    def _on_loss_view_resized(self) -> None:
        vb = self.loss_plot.plotItem.vb
        self.lr_view.setGeometry(vb.sceneBoundingRect())
        self.lr_view.linkedViewChanged(vb, self.lr_view.XAxis)

    def _add_lr(self, x: float, lr: float) -> None:
        """Record the rate; mark a jump after a stretch where it held still (a step of the
        schedule, or a rate typed during the run). Smooth schedules show in the curve."""
        ys = self._lr_y
        if len(ys) >= 2 and _same(ys[-1], ys[-2]) and not _same(lr, ys[-1]):
            self._mark(
                x, self.tr("lr {rate}").format(rate=compact(lr, 3)), COLORS["mark"], kind="lr"
            )
        self._lr_x.append(x)
        self._lr_y.append(lr)
        top = max(self._lr_top, lr)
        if top != self._lr_top or len(self._lr_y) == 1:  # a range set again repaints its axis
            self._lr_top = top
            self.lr_view.setYRange(0, top * 1.1 if top > 0 else 1, padding=0)

    def _mark(self, x: float, text: str, color: str, kind: str = "bad") -> None:
        if kind == "bad" and any(k == "bad" for _, _, k in self._marks):
            return  # the first non-finite loss is the one that matters
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(
                pos=self._scale_live(x), angle=90, movable=False,
                pen=pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine),
                label=text if plot is self.loss_plot else None,
                labelOpts={"position": 0.55, "color": color, "anchors": [(0, 0), (0, 0)]},
            )
            line.setToolTip(
                self.tr("{what} at epoch {epoch}").format(what=text, epoch=number(x, 2))
            )
            plot.addItem(line, ignoreBounds=True)
            self._marks.append((plot, line, kind))
            self._mark_epochs.append(x)

    @guarded
    def _redraw_batch_curves(self) -> None:
        """The live items only: overlays are drawn when they, the smoothing or the axis
        change, never per batch."""
        x = self._scale_live(self._batch_x)
        self.batch_curve.setData(x, self._batch_loss, connect="finite")
        keep = np.isfinite(self._batch_acc)
        self.batch_accuracy_curve.setData(x[keep], self._batch_acc[keep])
        self.lr_curve.setData(self._scale_live(np.array(self._lr_x)), np.array(self._lr_y))
        self._fit_loss_range()
        self._sync_legends()

    def _loss_values(self) -> np.ndarray:
        values = [self._batch_loss]
        for curve in self.loss_curves.values():
            y = curve.yData
            if y is not None and len(y):
                values.append(np.asarray(y, dtype=float))
        if self._overlay_loss_bounds is not None:
            values.append(np.array(self._overlay_loss_bounds))
        data = np.concatenate(values)
        return data[np.isfinite(data) & (data > 0)]

    def _fit_accuracy_range(self) -> None:
        """The accuracy axis in steps, like the loss axis: an auto-ranged axis moved with
        every redraw, and each move regenerates both plots' ticks on the GUI thread (about
        a third of its time while a small network trained)."""
        values = [np.asarray(item.yData, dtype=float) for item in self.accuracy_plot.listDataItems()
                  if item.isVisible() and item.yData is not None and len(item.yData)]
        data = np.concatenate(values) if values else np.zeros(0)
        data = data[np.isfinite(data)]
        if not len(data):
            return
        lo, hi = float(data.min()), float(data.max())
        if _leaves_or_shrinks(self._acc_range, lo, hi, 0.3):
            # room to grow (the data fills 5/8 of the axis): accuracy creeps up by fractions
            # of a point between redraws, and an axis a step ahead moves a few times a run
            pad = 0.3 * max(hi - lo, 2.0)
            self._acc_range = (max(0.0, lo - pad), min(100.0 + pad, hi + pad))
            self.accuracy_plot.setYRange(*self._acc_range, padding=0)

    def _fit_loss_range(self) -> None:
        """Grow or shrink the loss axis only when the data leaves it or fills < half of it;
        switch to a log axis when the loss explodes (a linear one would flatten the rest).
        The accuracy axis follows the same rule."""
        self._fit_accuracy_range()
        data = self._loss_values()
        if not len(data):
            return
        lo, hi = float(data.min()), float(data.max())
        if not self.log_check.isChecked() and hi > LOG_SPAN * lo and hi > 10:
            self._auto_log = True
            self.log_check.setChecked(True)  # refits through _on_log_toggled
            return
        log = self.log_check.isChecked()
        if log:
            lo, hi = math.log10(lo), math.log10(hi)
        if _leaves_or_shrinks(self._y_range, lo, hi, 0.5):
            pad = 0.05 * max(hi - lo, 1e-6)
            self._y_range = (lo - pad if log else max(0.0, lo - pad), hi + pad)
            self.loss_plot.setYRange(*self._y_range, padding=0)

    @guarded
    def _on_log_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self.loss_plot.getAxis("right").setLogMode(False, False)  # the rate stays linear
        self._y_range = self._acc_range = None
        self._fix_x_range()  # setLogMode turns auto-range back on
        self._fit_loss_range()

    def _sync_legends(self) -> None:
        """Legend entries for the live curves that have data (and are shown) only (the
        overlaid runs have their own legend above the plots)."""
        def has(curve) -> bool:
            return curve.isVisible() and curve.xData is not None and len(curve.xData) > 0

        batch = self.tr("batch (smoothed)") if self._smoothing > 0 else self.tr("batch")
        loss = [(self.batch_curve, batch)] + [
            (self.loss_curves[k], self.tr(NAMES[k])) for k in NAMES] + [
            (self.lr_curve, self.tr("learning rate (right)"))]
        acc = [(self.batch_accuracy_curve, batch)] + [
            (self.accuracy_curves[k], self.tr(NAMES[k])) for k in NAMES]
        loss = [(c, n) for c, n in loss if has(c)]
        acc = [(c, n) for c, n in acc if has(c)]
        keys = (tuple((id(c), n) for c, n in loss), tuple((id(c), n) for c, n in acc))
        if keys == self._legend_keys:
            return
        self._legend_keys = keys
        # the rate's axis only once there is a rate to show (the lower plot keeps the same
        # right margin, so that both plots' epochs line up)
        rate_shown = has(self.lr_curve)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.plotItem.showAxis("right", rate_shown)
        for legend, entries in ((self.loss_legend, loss), (self.accuracy_legend, acc)):
            legend.clear()
            for curve, name in entries:
                legend.addItem(curve, name)

    def _clear_hover(self) -> None:
        self.hover_label.setText(self.tr(HOVER_HINT))
        for line in self._cursors:
            line.setVisible(False)

    def _make_hover(self, plot: pg.PlotWidget):
        @guarded
        def on_moved(_owner, event) -> None:
            pos = event[0]
            if not plot.sceneBoundingRect().contains(pos):
                return
            x = plot.plotItem.vb.mapSceneToView(pos).x()
            text = self._readout(x)
            if not text:
                self._clear_hover()
                return
            self.hover_label.setText(text)
            for line in self._cursors:
                line.setPos(x)
                line.setVisible(True)

        return lambda event: on_moved(self, event)

    def _readout(self, x: float) -> str:
        """The values at ``x`` (in the axis shown): the live run's, then one line per
        overlaid run."""
        lines = []
        samples = self._x_axis == "samples"
        if samples:
            lines.append(self.tr("{samples} samples seen").format(samples=count(round(x))))
        live = self._live_readout(x / (self._samples_per_epoch or MNIST_TRAIN) if samples else x)
        if live:
            live = self.tr("live: {readout}").format(readout=live) if self._overlays else live
            if samples:
                lines[0] += " · " + live
            else:
                lines.append(live)
        for data in self._overlays:
            text = self._overlay_readout(data, data.to_epochs(x) if samples else x)
            if text:
                lines.append(f"{data.label}: {text}")
        if samples and len(lines) == 1 and " · " not in lines[0]:
            return ""
        return "\n".join(lines)

    def _live_readout(self, x: float) -> str:
        """The live run at fractional epoch ``x``: an epoch's row if one is near, else the
        batch curves there."""
        epoch = round(x)
        row = next((h for h in self.history if h["epoch"] == epoch), None)
        if row is not None and abs(x - epoch) <= 0.25:
            parts = [self.tr("epoch {epoch} (loss / accuracy)").format(epoch=epoch)]
            for key, name in NAMES.items():
                loss, acc = row[f"{key}_loss"], row[f"{key}_accuracy"]
                if acc is not None and math.isfinite(acc):
                    parts.append(f"{self.tr(name)} {compact(_num(loss), 4)} / {percent(acc)}")
            parts.append(self.tr("lr {rate}").format(rate=compact(row["lr"], 3)))
            return " · ".join(parts)
        if len(self._batch_x) and self._batch_x[0] - 0.05 <= x <= self._batch_x[-1] + 0.05:
            i = int(np.clip(np.searchsorted(self._batch_x, x), 0, len(self._batch_x) - 1))
            parts = [self.tr("epoch {epoch}").format(epoch=number(self._batch_x[i], 2)),
                     self.tr("batch loss {loss}").format(loss=compact(self._batch_loss[i], 4))]
            if math.isfinite(self._batch_acc[i]):
                parts.append(self.tr("batch accuracy {accuracy}").format(
                    accuracy=percent(self._batch_acc[i] / 100, 1)))
            if self._lr_x:
                j = int(np.clip(np.searchsorted(self._lr_x, x), 0, len(self._lr_x) - 1))
                parts.append(self.tr("lr {rate}").format(rate=compact(self._lr_y[j], 3)))
            return " · ".join(parts) + (self.tr(" (smoothed)") if self._smoothing > 0 else "")
        return ""

    def _overlay_readout(self, data: OverlayData, x: float) -> str:
        """A recorded run at fractional epoch ``x`` (its own epochs): the epoch's accuracies
        if one is near, and the batch loss there as drawn."""
        parts = []
        row = next((r for r in data.rows if abs(r["epoch"] - x) <= 0.25), None)
        if row is not None:
            parts.append(self.tr("epoch {epoch}").format(epoch=row["epoch"]))
            for key, name in (("val_accuracy", NAMES["val"]), ("test_accuracy", NAMES["test"])):
                if row.get(key) is not None:
                    parts.append(f"{self.tr(name)} {percent(row[key])}")
        steps = data.steps
        if len(steps) and steps[0] - 0.05 <= x <= steps[-1] + 0.05:
            i = int(np.clip(np.searchsorted(steps, x), 0, len(steps) - 1))
            if not parts:
                parts.append(self.tr("epoch {epoch}").format(epoch=number(steps[i], 2)))
            if len(data.drawn_losses) == len(steps) and math.isfinite(data.drawn_losses[i]):
                parts.append(self.tr("batch loss {loss}").format(
                    loss=compact(data.drawn_losses[i], 4)))
        return " · ".join(parts)


def _leaves_or_shrinks(current: tuple[float, float] | None, lo: float, hi: float,
                       fill: float) -> bool:
    """Whether an axis showing ``current`` must move for data spanning ``lo``..``hi``: it
    has no range yet, the data leave it, or they fill less than ``fill`` of it."""
    return (current is None or lo < current[0] or hi > current[1]
            or (hi - lo) < fill * (current[1] - current[0]))


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)
