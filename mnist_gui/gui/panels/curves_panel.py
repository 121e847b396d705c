"""Loss and accuracy as the network learns.

Before any training the tab says what will appear and how to start. During a run: the
smoothed batch loss and batch accuracy (so even a run shorter than an epoch shows
something), per-epoch train / test (and validation, only when there is a validation set)
points, the learning rate on the loss plot's right axis with a mark where it jumps, and a
log-scale loss when it explodes. Hover shows the values under the mouse. Export to PNG/CSV.

Public: ``clear()``, ``start(epochs, validation=False)``, ``set_validation(present)``,
``show_progress(progress)``, ``show_epoch(report)``, ``add_batch_losses(...)`` (older
form of ``show_progress``), ``hover_text()``, ``export_csv(path)``, ``export_png(path)``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.session import Progress
from ...core.training import EpochFinished

COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "test": "#2ca02c", "batch": "#9ecae1",
          "batch_acc": "#a1d99b", "lr": "#7f7f7f", "mark": "#9467bd", "bad": "#d62728"}
NAMES = {"train": "training", "val": "validation", "test": "test"}
MAX_BATCH_POINTS = 20_000  # beyond this, the batch curves keep every other point
REDRAW_MS = 150  # the batch curves are redrawn at most this often (like superqt's qthrottled)
SMOOTHING = 0.95  # exponential moving average of the batch curves
LOG_SPAN = 100.0  # a loss that grows 100x above its lowest value switches to a log axis
HOVER_HINT = "Hover over a plot to read its values"

INTRO = """
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
"""


class CurvesPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: list[dict] = []  # EpochFinished.metrics() of every epoch shown
        self._epochs = 0
        self._validation = False
        self._batch_x = np.zeros(0)
        self._batch_loss = np.zeros(0)
        self._batch_acc = np.zeros(0)
        self._ema_loss: float | None = None
        self._ema_acc: float | None = None
        self._lr_x: list[float] = []
        self._lr_y: list[float] = []
        self._marks: list[tuple[pg.PlotWidget, pg.InfiniteLine, str]] = []  # (plot, line, kind)
        self._auto_log = False  # the log axis was switched on because the loss exploded
        self._y_range: tuple[float, float] | None = None
        self._legend_keys: tuple = ()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.controls = QWidget()
        controls = QHBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        self.log_check = QCheckBox("Log-scale loss")
        self.log_check.setObjectName("logScaleCheck")
        self.log_check.setToolTip("Show the loss on a logarithmic axis: small losses late in "
                                  "training become readable, and so does a loss that explodes.\n"
                                  "Switched on by itself when the loss grows 100x.")
        self.hover_label = QLabel(HOVER_HINT)
        self.hover_label.setObjectName("hoverLabel")
        self.hover_label.setWordWrap(True)
        self.hover_label.setToolTip("The values under the mouse: the epoch's losses and "
                                    "accuracies, or the batch curves between epochs")
        # a long readout wraps instead of widening the window
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # two lines reserved, so that a readout that wraps does not make the plots jump
        self.hover_label.setMinimumHeight(2 * self.hover_label.fontMetrics().lineSpacing() + 2)
        controls.addWidget(self.log_check)
        controls.addWidget(self.hover_label, 1)
        layout.addWidget(self.controls)

        self.stack = QStackedWidget()
        self.intro_label = QLabel(INTRO)
        self.intro_label.setObjectName("curvesIntro")
        self.intro_label.setWordWrap(True)
        self.intro_label.setTextFormat(Qt.TextFormat.RichText)
        self.intro_label.setMaximumWidth(560)
        self.intro_label.setToolTip("The curves appear here when a run starts")
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
        self.stack.addWidget(plots)
        layout.addWidget(self.stack, 1)

        self.loss_plot = pg.PlotWidget()
        self.loss_plot.setObjectName("lossPlot")
        self.loss_plot.setToolTip(
            "Loss: how wrong the network is, lower is better.\nLight line: every batch, "
            "smoothed. Dots: each epoch on the training, test (and validation) images.\n"
            "Dashed grey, right axis: the learning rate; purple lines mark where it jumps.\n"
            "Test loss rising while training loss falls means overfitting.")
        self.accuracy_plot = pg.PlotWidget()
        self.accuracy_plot.setObjectName("accuracyPlot")
        self.accuracy_plot.setToolTip(
            "Accuracy: the share of digits classified correctly, in %.\nLight line: every "
            "batch, smoothed. Dots: each epoch. A simple MLP reaches 97-98.5% on the test set.")
        for plot, axis_label in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy (%)")):
            plot.setBackground("w")
            # no showGrid(): its translucent full-size lines cost ~15 ms per repaint, 30x the
            # rest of the plot, on the GUI thread that shares the GIL with training
            plot.setLabel("left", axis_label)
            plot.getAxis("left").setWidth(58)  # both plots' left edges line up
            plot.setMinimumHeight(120)
            plot.setMenuEnabled(False)
            plots_layout.addWidget(plot, 1)
        # one "epoch" label, under the lower plot; the x axes are linked
        self.accuracy_plot.setLabel("bottom", "epoch")
        self.accuracy_plot.setXLink(self.loss_plot)
        self.accuracy_plot.getAxis("right").setWidth(58)
        self.accuracy_plot.showAxis("right")
        self.accuracy_plot.getAxis("right").setStyle(showValues=False)
        # loss falls to the bottom right, accuracy rises to the top right: legends go
        # where the curves are not
        self.loss_legend = self.loss_plot.addLegend(offset=(-10, 5), colCount=2)
        self.accuracy_legend = self.accuracy_plot.addLegend(offset=(-10, -5), colCount=2)

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
        right.setLabel("learning rate")
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
        # Redraws are throttled and axis ranges change in steps, not with every batch: each
        # axis repaint is Python work on the GUI thread that competes with training for the GIL
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw_batch_curves)
        self.clear()

    # ------------------------------------------------------------------ public slots

    def clear(self) -> None:
        """No curves: the tab explains what will appear (e.g. after opening a model file)."""
        self._redraw_timer.stop()
        self._epochs = 0
        self._y_range = None
        self.history.clear()
        self._batch_x = np.zeros(0)
        self._batch_loss = np.zeros(0)
        self._batch_acc = np.zeros(0)
        self._ema_loss = self._ema_acc = None
        self._lr_x, self._lr_y = [], []
        for plot, line, _ in self._marks:
            plot.removeItem(line)
        self._marks.clear()
        for curve in (self.batch_curve, self.batch_accuracy_curve, self.lr_curve,
                      *self.loss_curves.values(), *self.accuracy_curves.values()):
            curve.setData([], [])
        if self._auto_log:
            self._auto_log = False
            self.log_check.setChecked(False)
        self._clear_hover()
        self.set_validation(False)
        self.stack.setCurrentIndex(0)
        self.controls.setVisible(False)  # nothing to scale or hover yet

    def start(self, epochs: int, validation: bool = False) -> None:
        """A new run of ``epochs`` epochs: clear, show the plots, fix the x axis to the run.
        ``validation``: the run holds out a validation set (its curves are shown)."""
        self.clear()
        self._epochs = max(int(epochs), 1)
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
        loss, self._ema_loss = _smooth(np.asarray(losses, dtype=float), self._ema_loss)
        if accuracies is not None and len(accuracies) == len(losses):
            acc, self._ema_acc = _smooth(100 * np.asarray(accuracies, dtype=float), self._ema_acc)
        else:
            acc = np.full(len(losses), np.nan)
        bad = ~np.isfinite(np.asarray(losses, dtype=float))
        if bad.any():
            self._mark(float(steps[np.argmax(bad)]), "loss not finite", COLORS["bad"])
        self._batch_x = np.concatenate([self._batch_x, steps])
        self._batch_loss = np.concatenate([self._batch_loss, loss])
        self._batch_acc = np.concatenate([self._batch_acc, acc])
        if len(self._batch_x) > MAX_BATCH_POINTS:
            self._batch_x = self._batch_x[::2].copy()
            self._batch_loss = self._batch_loss[::2].copy()
            self._batch_acc = self._batch_acc[::2].copy()
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
        epochs = np.array([h["epoch"] for h in self.history], dtype=float)
        for key in NAMES:
            loss = np.array([_num(h[f"{key}_loss"]) for h in self.history])
            acc = np.array([_num(h[f"{key}_accuracy"]) * 100 for h in self.history])
            keep = np.isfinite(loss)
            self.loss_curves[key].setData(epochs[keep], loss[keep])
            keep = np.isfinite(acc)
            self.accuracy_curves[key].setData(epochs[keep], acc[keep])
        if not math.isfinite(_num(report.train_loss)):
            self._mark(float(report.epoch), "loss not finite", COLORS["bad"])
        self._fit_loss_range()
        self._sync_legends()

    def hover_text(self) -> str:
        """The hover readout ("" when nothing is under the mouse)."""
        text = self.hover_label.text()
        return "" if text == HOVER_HINT else text

    def lr_marks(self) -> list[float]:
        """Where the learning rate jumped (fractional epochs)."""
        return [line.value() for plot, line, kind in self._marks
                if kind == "lr" and plot is self.loss_plot]

    # ----------------------------------------------------------------------- export

    def export_csv(self, path: str | Path) -> None:
        columns = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                   "test_loss", "test_accuracy", "train_seconds", "samples_per_second", "lr"]
        with open(path, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in self.history:
                writer.writerow(["" if row[c] is None else row[c] for c in columns])

    def export_png(self, path: str | Path) -> bool:
        return self.grab().save(str(path))

    # --------------------------------------------------------------------- internals

    def _show_plots(self) -> None:
        if self.stack.currentIndex() != 1:
            self.stack.setCurrentIndex(1)
            self.controls.setVisible(True)

    def _fix_x_range(self) -> None:
        if self._epochs:
            self.loss_plot.setXRange(0, self._epochs, padding=0.02)
            for plot in (self.loss_plot, self.accuracy_plot):
                plot.enableAutoRange(x=False)
        self.loss_plot.enableAutoRange(y=False)

    def _on_loss_view_resized(self) -> None:
        vb = self.loss_plot.plotItem.vb
        self.lr_view.setGeometry(vb.sceneBoundingRect())
        self.lr_view.linkedViewChanged(vb, self.lr_view.XAxis)

    def _add_lr(self, x: float, lr: float) -> None:
        """Record the rate; mark a jump after a stretch where it held still (a step of the
        schedule, or a rate typed during the run). Smooth schedules show in the curve."""
        ys = self._lr_y
        if len(ys) >= 2 and _same(ys[-1], ys[-2]) and not _same(lr, ys[-1]):
            self._mark(x, f"lr {lr:.3g}", COLORS["mark"], kind="lr")
        self._lr_x.append(x)
        self._lr_y.append(lr)
        top = max(self._lr_y)
        self.lr_view.setYRange(0, top * 1.1 if top > 0 else 1, padding=0)

    def _mark(self, x: float, text: str, color: str, kind: str = "bad") -> None:
        if kind == "bad" and any(k == "bad" for _, _, k in self._marks):
            return  # the first non-finite loss is the one that matters
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(
                pos=x, angle=90, movable=False,
                pen=pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine),
                label=text if plot is self.loss_plot else None,
                labelOpts={"position": 0.55, "color": color, "anchors": [(0, 0), (0, 0)]},
            )
            line.setToolTip(f"{text} at epoch {x:.2f}")
            plot.addItem(line, ignoreBounds=True)
            self._marks.append((plot, line, kind))

    def _redraw_batch_curves(self) -> None:
        self.batch_curve.setData(self._batch_x, self._batch_loss)
        keep = np.isfinite(self._batch_acc)
        self.batch_accuracy_curve.setData(self._batch_x[keep], self._batch_acc[keep])
        self.lr_curve.setData(np.array(self._lr_x), np.array(self._lr_y))
        self._fit_loss_range()
        self._sync_legends()

    def _loss_values(self) -> np.ndarray:
        values = [self._batch_loss]
        for curve in self.loss_curves.values():
            y = curve.yData
            if y is not None and len(y):
                values.append(np.asarray(y, dtype=float))
        data = np.concatenate(values)
        return data[np.isfinite(data) & (data > 0)]

    def _fit_loss_range(self) -> None:
        """Grow or shrink the loss axis only when the data leaves it or fills < half of it;
        switch to a log axis when the loss explodes (a linear one would flatten the rest)."""
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
        current = self._y_range
        if (current is None or lo < current[0] or hi > current[1]
                or (hi - lo) < 0.5 * (current[1] - current[0])):
            pad = 0.05 * max(hi - lo, 1e-6)
            self._y_range = (lo - pad if log else max(0.0, lo - pad), hi + pad)
            self.loss_plot.setYRange(*self._y_range, padding=0)

    def _on_log_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self.loss_plot.getAxis("right").setLogMode(False, False)  # the rate stays linear
        self._y_range = None
        self._fix_x_range()  # setLogMode turns auto-range back on
        self._fit_loss_range()

    def _sync_legends(self) -> None:
        """Legend entries for the curves that have data (and are shown) only."""
        def has(curve) -> bool:
            return curve.isVisible() and curve.xData is not None and len(curve.xData) > 0

        loss = [(self.batch_curve, "batch (smoothed)")] + [
            (self.loss_curves[k], NAMES[k]) for k in NAMES] + [
            (self.lr_curve, "learning rate (right)")]
        acc = [(self.batch_accuracy_curve, "batch (smoothed)")] + [
            (self.accuracy_curves[k], NAMES[k]) for k in NAMES]
        loss = [(c, n) for c, n in loss if has(c)]
        acc = [(c, n) for c, n in acc if has(c)]
        keys = (tuple(n for _, n in loss), tuple(n for _, n in acc))
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
        self.hover_label.setText(HOVER_HINT)
        for line in self._cursors:
            line.setVisible(False)

    def _make_hover(self, plot: pg.PlotWidget):
        def on_moved(event) -> None:
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

        return on_moved

    def _readout(self, x: float) -> str:
        """The values at fractional epoch ``x``: an epoch's row if one is near, else the
        batch curves there."""
        epoch = round(x)
        row = next((h for h in self.history if h["epoch"] == epoch), None)
        if row is not None and abs(x - epoch) <= 0.25:
            parts = [f"epoch {epoch} (loss / accuracy)"]
            for key, name in NAMES.items():
                loss, acc = row[f"{key}_loss"], row[f"{key}_accuracy"]
                if acc is not None and math.isfinite(acc):
                    parts.append(f"{name} {_num(loss):.4g} / {100 * acc:.2f}%")
            parts.append(f"lr {row['lr']:.3g}")
            return " · ".join(parts)
        if len(self._batch_x) and self._batch_x[0] - 0.05 <= x <= self._batch_x[-1] + 0.05:
            i = int(np.clip(np.searchsorted(self._batch_x, x), 0, len(self._batch_x) - 1))
            parts = [f"epoch {self._batch_x[i]:.2f}", f"batch loss {self._batch_loss[i]:.4g}"]
            if math.isfinite(self._batch_acc[i]):
                parts.append(f"batch accuracy {self._batch_acc[i]:.1f}%")
            if self._lr_x:
                j = int(np.clip(np.searchsorted(self._lr_x, x), 0, len(self._lr_x) - 1))
                parts.append(f"lr {self._lr_y[j]:.3g}")
            return " · ".join(parts) + " (smoothed)"
        return ""


def _smooth(values: np.ndarray, ema: float | None) -> tuple[np.ndarray, float | None]:
    """Exponential moving average over ``values`` (non-finite ones skipped)."""
    out = np.empty(len(values))
    for i, value in enumerate(values):
        if math.isfinite(value):
            ema = float(value) if ema is None else SMOOTHING * ema + (1 - SMOOTHING) * float(value)
        out[i] = np.nan if ema is None else ema
    return out, ema


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)
