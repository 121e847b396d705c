"""Draw a digit with the mouse or a pen; see the 28x28 image the network gets after
MNIST-style preprocessing, and its probabilities for every class, live as you draw."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...core.errors import ImageError
from ...core.network import MLP
from ...core.preprocess import mnist_preprocess, model_input

CANVAS_SIDE = 280  # the backing image; the widget scales to whatever size it has
PEN_WIDTH = 22.0  # in backing-image pixels: MNIST strokes are ~2-3 of 28 px wide


class DrawCanvas(QWidget):
    """A square canvas that records white strokes on black. Emits ``digit_drawn`` after every
    change of the drawing (each mouse move while a button is held, and on clear)."""

    digit_drawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawCanvas")
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.image = QImage(CANVAS_SIDE, CANVAS_SIDE, QImage.Format.Format_Grayscale8)
        self.image.fill(0)
        self._last: QPointF | None = None

    def clear(self) -> None:
        self.image.fill(0)
        self.update()
        self.digit_drawn.emit()

    def set_ink(self, ink: np.ndarray) -> None:
        """Replace the drawing with an ink image (H, W) in [0, 1], fitted into the canvas."""
        from ...core.preprocess import resize

        h, w = ink.shape
        scale = CANVAS_SIDE / max(h, w)
        new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
        fitted = np.zeros((CANVAS_SIDE, CANVAS_SIDE))
        top, left = (CANVAS_SIDE - new_h) // 2, (CANVAS_SIDE - new_w) // 2
        fitted[top : top + new_h, left : left + new_w] = resize(ink, new_h, new_w)
        pixels = np.ascontiguousarray(np.clip(fitted * 255, 0, 255).astype(np.uint8))
        image = QImage(pixels.data, CANVAS_SIDE, CANVAS_SIDE, CANVAS_SIDE,
                       QImage.Format.Format_Grayscale8)
        self.image = image.copy()
        self.update()
        self.digit_drawn.emit()

    def is_blank(self) -> bool:
        return not self.pixels().any()

    def pixels(self) -> np.ndarray:
        """The drawing as (280, 280) uint8, ink = 255."""
        stride = self.image.bytesPerLine()
        buffer = np.frombuffer(self.image.constBits(), np.uint8, count=stride * CANVAS_SIDE)
        return buffer.reshape(CANVAS_SIDE, stride)[:, :CANVAS_SIDE].copy()

    def _square(self):  # noqa: ANN202
        side = min(self.width(), self.height())
        return (self.width() - side) / 2, (self.height() - side) / 2, side

    def _to_image(self, pos: QPointF) -> QPointF:
        x0, y0, side = self._square()
        scale = CANVAS_SIDE / max(side, 1)
        return QPointF((pos.x() - x0) * scale, (pos.y() - y0) * scale)

    def _draw_to(self, point: QPointF) -> None:
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), PEN_WIDTH, Qt.PenStyle.SolidLine,
                   Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if self._last is None:
            painter.drawPoint(point)
        else:
            painter.drawLine(self._last, point)
        painter.end()
        self._last = point
        self.update()
        self.digit_drawn.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self._draw_to(self._to_image(event.position()))
        elif event.button() == Qt.MouseButton.RightButton:
            self.clear()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._draw_to(self._to_image(event.position()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._last = None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#303030"))
        x0, y0, side = self._square()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self.rect().adjusted(int(x0), int(y0), -int(x0), -int(y0)), self.image)
        painter.end()


class DrawPanel(QWidget):
    """Public slots: ``set_model(model, source)``; ``prediction_changed`` after each update."""

    prediction_changed = Signal(object)  # (K,) probabilities, or None for a blank canvas

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: MLP | None = None
        self.last_latency_ms = 0.0
        layout = QHBoxLayout(self)

        left = QVBoxLayout()
        left.addWidget(QLabel("Draw a digit (left button draws, right button clears)"))
        self.canvas = DrawCanvas()
        left.addWidget(self.canvas, 1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearButton")
        left.addWidget(self.clear_button)
        layout.addLayout(left, 3)

        right = QGridLayout()
        self.model_label = QLabel("No model yet: train one or open a saved model.")
        self.model_label.setObjectName("drawModelLabel")
        self.model_label.setWordWrap(True)
        self.prediction_label = QLabel("draw a digit")
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setStyleSheet("font-size: 28px; font-weight: bold;")
        self.preview = pg.GraphicsLayoutWidget()
        self.preview.setObjectName("previewView")
        self.preview.setBackground("w")
        preview_plot = self.preview.addPlot(title="What the network sees (28×28)")
        preview_plot.hideAxis("left")
        preview_plot.hideAxis("bottom")
        preview_plot.setAspectLocked(True)
        preview_plot.invertY(True)
        self.preview_image = pg.ImageItem(np.zeros((28, 28)), levels=(0, 1))
        self.preview_image.setColorMap(pg.colormap.get("CET-L1"))
        preview_plot.addItem(self.preview_image)
        self.bars_plot = pg.PlotWidget(title="Probabilities")
        self.bars_plot.setObjectName("probabilityPlot")
        self.bars_plot.setBackground("w")
        self.bars_plot.setYRange(0, 1)
        self.bars_plot.setMouseEnabled(False, False)
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7, brush="#1f77b4")
        self.bars_plot.addItem(self.bars)
        self.bars_plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)]])
        right.addWidget(self.model_label, 0, 0)
        right.addWidget(self.prediction_label, 1, 0)
        right.addWidget(self.preview, 2, 0)
        right.addWidget(self.bars_plot, 3, 0)
        right.setRowStretch(2, 2)
        right.setRowStretch(3, 3)
        layout.addLayout(right, 2)

        self.clear_button.clicked.connect(self.canvas.clear)
        self.canvas.digit_drawn.connect(self._on_digit_drawn)

    def set_model(self, model: MLP | None, source: str) -> None:
        """Use ``model`` (an inference copy this panel may keep) from now on."""
        self._model = model
        self.model_label.setText(source)
        self._on_digit_drawn()

    def _on_digit_drawn(self) -> None:
        started = time.perf_counter()
        try:
            image28 = mnist_preprocess(self.canvas.pixels() / 255.0)
        except ImageError:
            self.preview_image.setImage(np.zeros((28, 28)), autoLevels=False)
            self.prediction_label.setText("draw a digit")
            self.bars.setOpts(height=np.zeros(len(self._model.classes) if self._model else 10))
            self.prediction_changed.emit(None)
            return
        self.preview_image.setImage(image28, autoLevels=False)
        if self._model is None:
            self.prediction_label.setText("no model yet")
            self.prediction_changed.emit(None)
            return
        if self._model.layer_sizes[0] != 784:
            self.prediction_label.setText("model does not take 28×28 images")
            return
        x = model_input(image28, self._model.input_mean, self._model.input_std)
        probabilities = self._model.predict_proba(x)[0]
        best = int(np.argmax(probabilities))
        classes = self._model.classes
        self.prediction_label.setText(f"{classes[best]}  ({100 * probabilities[best]:.1f}%)")
        colors = ["#1f77b4"] * len(classes)
        colors[best] = "#d62728"
        self.bars.setOpts(x=np.arange(len(classes)), height=probabilities, brushes=colors)
        self.bars_plot.getAxis("bottom").setTicks([[(i, str(c)) for i, c in enumerate(classes)]])
        self.last_latency_ms = (time.perf_counter() - started) * 1000
        self.prediction_changed.emit(probabilities)
