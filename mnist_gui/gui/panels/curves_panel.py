"""Loss and accuracy curves: per epoch for train/validation/test, and the smoothed batch
loss that moves during an epoch. Hover shows values; export to PNG and CSV."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.training import EpochFinished

COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "test": "#2ca02c", "batch": "#9ecae1"}
MAX_BATCH_POINTS = 20_000  # beyond this, the batch curve keeps every other point
REDRAW_MS = 150  # the batch curve is redrawn at most this often (like superqt's qthrottled)


class CurvesPanel(QWidget):
    """Public slots: ``clear()``, ``add_batch_losses(steps, losses)``, ``show_epoch(report)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: list[dict] = []
        self._batch_x = np.zeros(0)
        self._batch_y = np.zeros(0)
        self._ema: float | None = None

        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        self.log_check = QCheckBox("log-scale loss")
        self.log_check.setObjectName("logScaleCheck")
        self.hover_label = QLabel("hover over a plot to read values")
        self.hover_label.setObjectName("hoverLabel")
        controls.addWidget(self.log_check)
        controls.addStretch(1)
        controls.addWidget(self.hover_label)
        layout.addLayout(controls)

        self.loss_plot = pg.PlotWidget(title="Loss")
        self.loss_plot.setObjectName("lossPlot")
        self.accuracy_plot = pg.PlotWidget(title="Accuracy (%)")
        self.accuracy_plot.setObjectName("accuracyPlot")
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setBackground("w")
            # no showGrid(): its translucent full-size lines cost ~15 ms per repaint, 30x the
            # rest of the plot, on the GUI thread that shares the GIL with training
            plot.setLabel("bottom", "epoch")
            # loss falls to the bottom right, accuracy rises to the top right: legends go
            # where the curves are not
            plot.addLegend(offset=(-10, 10) if plot is self.loss_plot else (-10, -10))
            layout.addWidget(plot, 1)
        self.accuracy_plot.setXLink(self.loss_plot)

        def pen(name: str, style=Qt.PenStyle.SolidLine, width: float = 2):  # noqa: ANN001
            return pg.mkPen(COLORS[name], width=width, style=style)

        self.batch_curve = self.loss_plot.plot(name="batch loss (smoothed)", pen=pen("batch", width=1),
                                               antialias=False)
        self.loss_curves = {
            key: self.loss_plot.plot(name=f"{key} loss", pen=pen(key), symbol="o", symbolSize=5,
                                     symbolBrush=COLORS[key], symbolPen=None)
            for key in ("train", "val", "test")
        }
        self.accuracy_curves = {
            key: self.accuracy_plot.plot(name=key, pen=pen(key), symbol="o", symbolSize=5,
                                         symbolBrush=COLORS[key], symbolPen=None)
            for key in ("train", "val", "test")
        }
        self.log_check.toggled.connect(self._on_log_toggled)
        # Redraws are throttled and axis ranges change in steps, not with every batch: each
        # axis repaint is Python work on the GUI thread that competes with training for the GIL
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw_batch_curve)
        self._y_range: tuple[float, float] | None = None
        self._hover_proxies = [
            pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=30, slot=self._make_hover(plot))
            for plot in (self.loss_plot, self.accuracy_plot)
        ]

    # ------------------------------------------------------------------------ slots

    def start(self, epochs: int) -> None:
        """A new run of ``epochs`` epochs: clear, and fix the x axis to the whole run."""
        self.clear()
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, max(epochs, 1), padding=0.02)
            plot.enableAutoRange(x=False)
        self.loss_plot.enableAutoRange(y=False)

    def clear(self) -> None:
        self._y_range = None
        self.history.clear()
        self._batch_x = np.zeros(0)
        self._batch_y = np.zeros(0)
        self._ema = None
        for curve in (self.batch_curve, *self.loss_curves.values(), *self.accuracy_curves.values()):
            curve.setData([], [])

    def add_batch_losses(self, steps: np.ndarray, losses: np.ndarray) -> None:
        """Append batch losses at fractional epochs ``steps``, smoothed by an EMA."""
        if len(losses) == 0:
            return
        smoothed = np.empty(len(losses))
        ema = self._ema if self._ema is not None else float(losses[0])
        for i, value in enumerate(losses):
            if math.isfinite(value):
                ema = 0.95 * ema + 0.05 * float(value)
            smoothed[i] = ema
        self._ema = ema
        self._batch_x = np.concatenate([self._batch_x, steps])
        self._batch_y = np.concatenate([self._batch_y, smoothed])
        if len(self._batch_x) > MAX_BATCH_POINTS:
            self._batch_x = self._batch_x[::2].copy()
            self._batch_y = self._batch_y[::2].copy()
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def _redraw_batch_curve(self) -> None:
        self.batch_curve.setData(self._batch_x, self._batch_y)
        self._fit_loss_range()

    def _fit_loss_range(self) -> None:
        """Grow or shrink the loss axis only when the data leaves it or fills < half of it."""
        values = [self._batch_y]
        for curve in self.loss_curves.values():
            y = curve.getData()[1]
            if y is not None and len(y):
                values.append(np.asarray(y))
        data = np.concatenate(values) if values else np.zeros(0)
        data = data[np.isfinite(data) & (data > 0)]
        if not len(data):
            return
        lo, hi = float(data.min()), float(data.max())
        if self.log_check.isChecked():
            lo, hi = math.log10(lo), math.log10(hi)
        current = self._y_range
        if current is None or lo < current[0] or hi > current[1] or (hi - lo) < 0.5 * (current[1] - current[0]):
            pad = 0.05 * max(hi - lo, 1e-6)
            self._y_range = (lo - pad if self.log_check.isChecked() else max(0.0, lo - pad), hi + pad)
            self.loss_plot.setYRange(*self._y_range, padding=0)

    def show_epoch(self, report: EpochFinished) -> None:
        self.history.append(report.metrics())
        epochs = np.array([h["epoch"] for h in self.history], dtype=float)
        for key, loss_name, acc_name in (
            ("train", "train_loss", "train_accuracy"),
            ("val", "val_loss", "val_accuracy"),
            ("test", "test_loss", "test_accuracy"),
        ):
            loss = np.array([_num(h[loss_name]) for h in self.history])
            acc = np.array([_num(h[acc_name]) * 100 for h in self.history])
            keep = np.isfinite(loss)
            self.loss_curves[key].setData(epochs[keep], loss[keep])
            keep = np.isfinite(acc)
            self.accuracy_curves[key].setData(epochs[keep], acc[keep])
        self._fit_loss_range()

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

    def _on_log_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._y_range = None
        self._fit_loss_range()

    def _make_hover(self, plot: pg.PlotWidget):  # noqa: ANN202
        def on_moved(event) -> None:  # noqa: ANN001
            pos = event[0]
            if not plot.sceneBoundingRect().contains(pos) or not self.history:
                return
            x = plot.plotItem.vb.mapSceneToView(pos).x()
            epoch = int(round(x))
            row = next((h for h in self.history if h["epoch"] == epoch), None)
            if row is None:
                return
            parts = [f"epoch {epoch}"]
            for key, loss_name, acc_name in (("train", "train_loss", "train_accuracy"),
                                             ("val", "val_loss", "val_accuracy"),
                                             ("test", "test_loss", "test_accuracy")):
                if row[acc_name] is not None and math.isfinite(row[acc_name]):
                    parts.append(f"{key} loss {row[loss_name]:.4f} acc {100 * row[acc_name]:.2f}%")
            self.hover_label.setText("   ".join(parts))

        return on_moved


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)
