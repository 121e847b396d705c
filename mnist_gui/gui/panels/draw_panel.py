"""Draw a digit with the mouse or a pen; see the 28x28 image the network gets after
MNIST-style preprocessing, and its probabilities for every class, live as you draw."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPixmap,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import ImageError
from ...core.network import MLP
from ...core.preprocess import mnist_preprocess, model_input, resize
from ..guard import guarded
from ..training_bar import ElidedLabel

PEN_FRACTION = 22 / 280  # the brush's width as a fraction of the canvas side: MNIST
# strokes are ~2-3 of 28 px wide, and the digit is scaled into a 20 px box
MIN_SIDE = 200
HINT = "Draw a digit here\n(left button draws, right button clears)"
PREVIEW_SIDE = 112  # the 28x28 input, 4 screen pixels a pixel
NO_MODEL = "No model yet: train one or open a saved model."
DRAW_A_DIGIT = "draw a digit"
ANSWER = "{digit}, {sure:.0f}% sure"
UNSURE = "I don't know: maybe {digit}, {sure:.0f}% sure"
WRONG_SIZE = "this model takes {inputs} inputs, not 28×28"
CANVAS_TEXT = "Draw one digit, large, with the mouse or a pen; the right button clears."
PREVIEW_TITLE = "What the network sees"
PREVIEW_TEXT = ("Your stroke cropped, scaled into 20×20 and centred in 28×28, as MNIST's "
                "digits were made: the network's 784 inputs.")
BARS_TEXT = "How likely the model finds each digit; its answer is the dark bar."
ANSWER_STYLE = "font-size: 28px; font-weight: bold; color: #0b5394;"
MESSAGE_STYLE = "font-size: 18px; font-weight: bold; color: #555555;"
ANSWER_COLOUR = "#0b5394"  # the answer: a colour that marks it, not an error's red
OTHER_COLOUR = "#a9c4de"


def _explanation(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555;")
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold;")
    return label


class DrawCanvas(QWidget):
    """A square canvas that records white strokes on black, at the widget's own resolution
    (the brush width scales with it). Emits ``digit_drawn`` after every change of the
    drawing (each mouse move while a button is held, and on clear)."""

    digit_drawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawCanvas")
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit with the left mouse button; the right button clears")
        self.image = self._blank(MIN_SIDE)
        self._last: QPointF | None = None

    @staticmethod
    def _blank(side: int) -> QImage:
        image = QImage(side, side, QImage.Format.Format_Grayscale8)
        image.fill(0)
        return image

    @property
    def side(self) -> int:
        """The drawing's side in pixels (the widget's shorter side)."""
        return self.image.width()

    @property
    def pen_width(self) -> float:
        return PEN_FRACTION * self.side

    @guarded
    def clear(self) -> None:
        self.image.fill(0)
        self.update()
        self.digit_drawn.emit()

    def set_ink(self, ink: np.ndarray) -> None:
        """Replace the drawing with an ink image (H, W) in [0, 1], fitted into the canvas."""
        side = self.side
        h, w = ink.shape
        scale = side / max(h, w)
        new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
        fitted = np.zeros((side, side))
        top, left = (side - new_h) // 2, (side - new_w) // 2
        fitted[top : top + new_h, left : left + new_w] = resize(ink, new_h, new_w)
        pixels = np.ascontiguousarray(np.clip(fitted * 255, 0, 255).astype(np.uint8))
        image = QImage(pixels.data, side, side, side, QImage.Format.Format_Grayscale8)
        self.image = image.copy()
        self.update()
        self.digit_drawn.emit()

    def is_blank(self) -> bool:
        return not self.pixels().any()

    def pixels(self) -> np.ndarray:
        """The drawing as (side, side) uint8, ink = 255."""
        side, stride = self.side, self.image.bytesPerLine()
        buffer = np.frombuffer(self.image.constBits(), np.uint8, count=stride * side)
        return buffer.reshape(side, stride)[:, :side].copy()

    def _square(self):
        side = min(self.width(), self.height())
        return (self.width() - side) / 2, (self.height() - side) / 2, side

    def _to_image(self, pos: QPointF) -> QPointF:
        x0, y0, side = self._square()
        scale = self.side / max(side, 1)
        return QPointF((pos.x() - x0) * scale, (pos.y() - y0) * scale)

    def _draw_to(self, point: QPointF) -> None:
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), self.pen_width, Qt.PenStyle.SolidLine,
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        # the drawing follows the widget's resolution, so strokes stay sharp and the brush
        # keeps its size relative to the canvas
        side = max(min(self.width(), self.height()), MIN_SIDE)
        if side != self.side:
            self.image = self.image.scaled(side, side, Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
        super().resizeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self._draw_to(self._to_image(event.position()))
        elif event.button() == Qt.MouseButton.RightButton:
            self.clear()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._draw_to(self._to_image(event.position()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last = None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#303030"))
        x0, y0, side = self._square()
        target = QRectF(x0, y0, side, side)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self.image)
        if self.is_blank():
            painter.setPen(QColor("#9a9a9a"))
            painter.drawText(target, int(Qt.AlignmentFlag.AlignCenter), HINT)
        painter.end()


class DrawPanel(QWidget):
    """Public slots: ``set_model(model, source)``; ``prediction_changed`` after each update.

    Works with any class count (one sigmoid output standing for two classes included). The
    prediction runs only while the panel is visible: a model or drawing that changes while
    it is hidden is classified when it is shown again.
    """

    prediction_changed = Signal(object)  # (K,) probabilities, or None (blank canvas / no model)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: MLP | None = None
        self._classes: list[int] | None = None
        self._stale = False
        self._threshold = 0.0  # below this top probability the answer is "I don't know"
        self.last_latency_ms = 0.0
        self.probabilities: np.ndarray | None = None  # the last prediction, (K,)
        self._bar_colours: list[str] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        # three panels, each with a short explanation under it: your drawing, what the
        # network gets of it, and its answer
        left = QVBoxLayout()
        self.canvas = DrawCanvas()
        left.addWidget(self.canvas, 1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setToolTip("Clear the drawing (or right-click the canvas)")
        left.addWidget(self.clear_button)
        left.addWidget(_explanation(CANVAS_TEXT))
        layout.addLayout(left, 1)

        middle = QVBoxLayout()
        middle.addWidget(_heading(PREVIEW_TITLE))
        self.preview = QLabel()
        self.preview.setObjectName("previewView")
        self.preview.setFixedSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.preview.setStyleSheet("background: black; border: 1px solid #888888;")
        self.preview.setToolTip(PREVIEW_TEXT)
        middle.addWidget(self.preview)
        preview_text = _explanation(PREVIEW_TEXT)
        preview_text.setFixedWidth(PREVIEW_SIDE + 24)
        middle.addWidget(preview_text)
        middle.addStretch(1)
        layout.addLayout(middle, 0)

        right = QVBoxLayout()
        self.model_label = ElidedLabel(NO_MODEL)
        self.model_label.setObjectName("drawModelLabel")
        self.prediction_label = QLabel(DRAW_A_DIGIT)
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setToolTip("The model's answer and how sure it is")
        # its width must not follow its text: a longer answer would squeeze the canvas
        # while the user draws
        self.prediction_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.prediction_label.setWordWrap(True)
        self.prediction_label.setStyleSheet(MESSAGE_STYLE)
        self.threshold_label = QLabel("")
        self.threshold_label.setObjectName("drawThresholdLabel")
        self.threshold_label.setStyleSheet("color: #555555;")
        self.threshold_label.setWordWrap(True)
        self.threshold_label.setToolTip(
            "Below this confidence the answer is \"I don't know\"; set it with the slider in "
            "Digits > Robustness")
        self.threshold_label.hide()
        self.bars_plot = pg.PlotWidget()
        self.bars_plot.setObjectName("probabilityPlot")
        self.bars_plot.setBackground("w")
        self.bars_plot.setMouseEnabled(False, False)
        self.bars_plot.hideButtons()
        self.bars_plot.hideAxis("bottom")
        self.bars_plot.invertY(True)  # the first class on top, as read
        self.bars_plot.setXRange(0, 1.3, padding=0)  # room for "100%" after a full bar
        self.bars_plot.setToolTip(BARS_TEXT)
        self.bars_plot.setMinimumHeight(150)
        self.bars_plot.setMinimumWidth(230)
        digit_font = QFont()
        digit_font.setPixelSize(15)
        digit_font.setBold(True)
        self.bars_plot.getAxis("left").setStyle(tickFont=digit_font, tickLength=0)
        self.bars_plot.getAxis("left").setTextPen("#222222")
        self.bars = pg.BarGraphItem(x0=np.zeros(10), y=np.arange(10), width=np.zeros(10),
                                    height=0.7, brush=OTHER_COLOUR)
        self.bars_plot.addItem(self.bars)
        self._percent_items: list[pg.TextItem] = []
        self._set_classes(list(range(10)))
        right.addWidget(self.model_label)
        right.addWidget(self.prediction_label)
        right.addWidget(self.threshold_label)
        right.addWidget(self.bars_plot, 1)
        right.addWidget(_explanation(BARS_TEXT))
        layout.addLayout(right, 1)

        self.clear_button.clicked.connect(self._on_clear_clicked)
        self.canvas.digit_drawn.connect(self._on_digit_drawn)

    # ------------------------------------------------------------------------ slots

    def set_model(self, model: MLP | None, source: str) -> None:
        """Use ``model`` (an independent copy this panel may keep) from now on."""
        self._model = model
        self.model_label.setText(source)
        self._on_digit_drawn()

    def set_confidence_threshold(self, threshold: float) -> None:
        """Answer "I don't know" when the top probability is below ``threshold`` (0: always
        answer). The best guess is still shown, and the bars are unchanged."""
        self._threshold = min(max(float(threshold), 0.0), 1.0)
        if self._threshold > 0:
            self.threshold_label.setText(f"Answers only when at least {100 * self._threshold:.0f}% sure "
                                         "(set in Digits > Robustness)")
        self.threshold_label.setVisible(self._threshold > 0)
        self._on_digit_drawn()

    def confidence_threshold(self) -> float:
        return self._threshold

    def bar_labels(self) -> list[str]:
        """The class under each bar, left to right."""
        return [str(c) for c in self._classes or []]

    def bar_colours(self) -> list[str]:
        """Each bar's colour ("#rrggbb"), top to bottom: the answer's differs."""
        return list(self._bar_colours)

    def bar_texts(self) -> list[str]:
        """The percentage shown above each bar ("" while there is no prediction, or under
        0.5%)."""
        return [item.textItem.toPlainText() for item in self._percent_items]

    # --------------------------------------------------------------------- internals

    @guarded
    def _on_clear_clicked(self) -> None:
        self.canvas.clear()

    @guarded
    def _on_digit_drawn(self) -> None:
        if self.isVisible():
            self._predict()
        else:
            self._stale = True  # classified when shown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._predict_guarded()

    @guarded
    def _predict_guarded(self) -> None:
        self._predict()

    def _predict(self) -> None:
        self._stale = False
        started = time.perf_counter()
        model = self._model
        classes = model.classes if model is not None else list(range(10))
        if classes != self._classes:
            self._set_classes(classes)
        try:
            image28 = mnist_preprocess(self.canvas.pixels() / 255.0)
        except ImageError:
            self._show(np.zeros((28, 28)), None, DRAW_A_DIGIT)
            return
        if model is None:
            self._show(image28, None, "no model yet")
            return
        if model.layer_sizes[0] != image28.size:
            self._show(image28, None, WRONG_SIZE.format(inputs=model.layer_sizes[0]))
            return
        probabilities = model.predict_proba(model_input(image28, model.input_mean, model.input_std))[0]
        best = int(np.argmax(probabilities))
        unsure = probabilities[best] < self._threshold
        sure = (UNSURE if unsure else ANSWER).format(digit=classes[best],
                                                     sure=100 * probabilities[best])
        self._show(image28, probabilities, sure)
        self.last_latency_ms = (time.perf_counter() - started) * 1000

    def _set_classes(self, classes: list[int]) -> None:
        """Bars and percentage labels for ``classes`` (the model's class order)."""
        k = len(classes)
        self._classes = list(classes)
        self._set_bars(np.zeros(k), None)
        self.bars_plot.getAxis("left").setTicks([[(i, str(c)) for i, c in enumerate(classes)]])
        self.bars_plot.setYRange(-0.6, k - 0.4, padding=0)
        for item in self._percent_items:
            self.bars_plot.removeItem(item)
        self._percent_items = []
        for i in range(k):
            item = pg.TextItem("", color="#333333", anchor=(0.0, 0.5))
            item.setPos(0, i)
            self.bars_plot.addItem(item)
            self._percent_items.append(item)

    def _set_bars(self, heights: np.ndarray, best: int | None) -> None:
        k = len(heights)
        colours = [OTHER_COLOUR] * k
        if best is not None:
            colours[best] = ANSWER_COLOUR
        self._bar_colours = colours
        self.bars.setOpts(x0=np.zeros(k), y=np.arange(k), width=heights, height=0.7,
                          brushes=colours)

    def _show(self, image28: np.ndarray, probabilities: np.ndarray | None, text: str) -> None:
        pixels = np.ascontiguousarray(np.clip(np.asarray(image28) * 255, 0, 255).astype(np.uint8))
        image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(
            PREVIEW_SIDE, PREVIEW_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation))
        self.prediction_label.setText(text)
        self.prediction_label.setStyleSheet(ANSWER_STYLE if probabilities is not None
                                            and text[:1].isdigit() else MESSAGE_STYLE)
        k = len(self._classes or [])
        self.probabilities = probabilities
        if probabilities is None:
            self._set_bars(np.zeros(k), None)
            for item in self._percent_items:
                item.setText("")
        else:
            self._set_bars(np.asarray(probabilities, float), int(np.argmax(probabilities)))
            for i, (item, p) in enumerate(zip(self._percent_items, probabilities)):
                item.setText(percent(float(p)))
                item.setPos(float(p) + 0.02, i)
        self.prediction_changed.emit(probabilities)


def percent(p: float) -> str:
    """A probability as a short percentage above its bar: "97%", "3.2%"; "" below 0.5%,
    where ten "<0.1%" labels would only crowd the plot."""
    if p < 0.005:
        return ""
    return f"{100 * p:.0f}%" if p >= 0.1 else f"{100 * p:.1f}%"
