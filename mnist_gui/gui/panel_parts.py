"""Small widgets the panels share: a button with its tooltip, a grid of digit thumbnails,
a 28x28 image view."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGraphicsGridLayout,
    QListView,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QWidget,
)


#: blue - white - red with zero in the middle: weights, activations and gradients have a sign
DIVERGING = "CET-D1"


class SparseLogAxis(pg.AxisItem):
    """A log axis that labels only 1, 2 and 5 of each decade when there are many labels:
    pyqtgraph labels 1 to 9, which overlap as soon as the axis spans a decade or two."""

    def logTickStrings(self, values, scale, spacing):  # pyqtgraph override
        strings = super().logTickStrings(values, scale, spacing)
        if sum(bool(text) for text in strings) <= 6:
            return strings  # within about a decade: every label fits
        return [text if round(10 ** (value % 1), 6) in (1.0, 2.0, 5.0) else ""
                for value, text in zip(values, strings)]


def diverging_colormap() -> pg.ColorMap:
    """The colour map of every signed quantity the views draw (one look everywhere)."""
    return pg.colormap.get(DIVERGING)


class ImagePlot(pg.GraphicsWidget):
    """A titled, fixed image view: a PlotItem without its axes and menus.

    A PlotItem builds four axes, a context menu and its settings form (about 20 ms each on
    2 cores); Inspect shows 16 digit images, which made it a third of the window's start-up.
    The part of PlotItem's interface the image views use is kept (``setTitle``,
    ``titleLabel``, ``vb``, ``addItem``, ``autoRange``), so either can be passed to
    ``image_item``."""

    def __init__(self, title: str | None = None, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.layout = QGraphicsGridLayout()
        self.layout.setContentsMargins(1, 1, 1, 1)
        self.layout.setSpacing(0)
        self.setLayout(self.layout)
        self.titleLabel = pg.LabelItem("", size="11pt", parent=self)
        self.vb = pg.ViewBox(parent=self, enableMenu=False)
        self.layout.addItem(self.titleLabel, 0, 0)
        self.layout.addItem(self.vb, 1, 0)
        # sized as a PlotItem is: no preferred size of its own, the view takes the space
        for row in (0, 1):
            self.layout.setRowPreferredHeight(row, 0)
            self.layout.setRowMinimumHeight(row, 0)
            self.layout.setRowStretchFactor(row, 1)
        self.layout.setRowStretchFactor(1, 100)
        self.layout.setColumnPreferredWidth(0, 0)
        self.layout.setColumnMinimumWidth(0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setTitle(title)

    def setTitle(self, title: str | None = None, **args) -> None:  # noqa: N802 - PlotItem's name
        """As PlotItem's: None hides the title row, text shows it (``size``, ``color``...)."""
        if title is None:
            self.titleLabel.setVisible(False)
            self.layout.setRowFixedHeight(0, 0)
            self.titleLabel.setMaximumHeight(0)
        else:
            self.titleLabel.setMaximumHeight(30)
            self.layout.setRowFixedHeight(0, 30)
            self.titleLabel.setVisible(True)
            self.titleLabel.setText(title, **args)

    def getViewBox(self) -> pg.ViewBox:  # noqa: N802 - PlotItem's name
        return self.vb

    def addItem(self, item, *args, **kwargs) -> None:  # noqa: ANN001, N802
        self.vb.addItem(item, *args, **kwargs)

    def removeItem(self, item) -> None:  # noqa: ANN001, N802
        self.vb.removeItem(item)

    def autoRange(self, *args, **kwargs) -> None:  # noqa: N802
        self.vb.autoRange(*args, **kwargs)

    def setAspectLocked(self, lock: bool = True, ratio: float = 1) -> None:  # noqa: N802
        self.vb.setAspectLocked(lock, ratio)

    def invertY(self, b: bool = True) -> None:  # noqa: N802
        self.vb.invertY(b)

    def setMouseEnabled(self, x: bool = True, y: bool = True) -> None:  # noqa: N802
        self.vb.setMouseEnabled(x, y)

    def hideAxis(self, _axis: str) -> None:  # noqa: N802 - it has none
        pass

    def hideButtons(self) -> None:  # noqa: N802 - it has none
        pass


def image_plot(layout: pg.GraphicsLayout, title: str | None = None, row: int | None = None,
               col: int | None = None) -> ImagePlot:
    """An ``ImagePlot`` added to ``layout`` (at ``row``, ``col``; else the next cell)."""
    plot = ImagePlot(title)
    layout.addItem(plot, row=row, col=col)
    return plot


def image_item(plot: pg.PlotItem | ImagePlot, levels: tuple[float, float] | None = None,
               cmap: pg.ColorMap | None = None) -> pg.ImageItem:
    """Make ``plot`` a fixed 28x28 image view (no axes, no mouse, row 0 at the top) and add
    the ImageItem it shows; ``levels`` fixed (None: automatic), ``cmap`` optional."""
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setAspectLocked(True)
    plot.invertY(True)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    # levels=None passed explicitly is not "automatic" to pyqtgraph 0.14: painting such an
    # image beside another plot segfaults (seen with PySide6 6.11); leave it out instead
    options = {} if levels is None else {"levels": levels}
    image = pg.ImageItem(np.zeros((28, 28), np.float32), axisOrder="row-major", **options)
    if cmap is not None:
        image.setColorMap(cmap)
    plot.addItem(image)
    return image


def make_button(text: str, tip: str, slot: Callable[[], object], name: str) -> QPushButton:
    """A push button named ``name`` (for tests and style sheets) that says what it does."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def digit_icon(image28: np.ndarray, size: int) -> QIcon:
    """A 28x28 uint8 digit (white on black, as MNIST) as an icon, scaled without smoothing."""
    pixels = np.ascontiguousarray(np.asarray(image28, np.uint8).reshape(28, 28))
    image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(image).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))


def digit_grid(name: str, thumb: int, label_height: int,
               selection: QAbstractItemView.SelectionMode) -> QListWidget:
    """A list shown as a grid of ``thumb``-pixel digit icons (with a caption line of
    ``label_height`` pixels below each)."""
    grid = QListWidget()
    grid.setObjectName(name)
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setIconSize(QSize(thumb, thumb))
    grid.setGridSize(QSize(thumb + 8 + (8 if label_height else 0), thumb + 8 + label_height))
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setMovement(QListView.Movement.Static)
    grid.setUniformItemSizes(True)
    grid.setSelectionMode(selection)
    return grid


def ask(parent: QWidget, title: str, text: str, action: str, role: QMessageBox.ButtonRole,
        on_answered: Callable[[object], None], on_closed: Callable[[], None]) -> QMessageBox:
    """A non-blocking question (never a nested event loop: signals keep flowing), modal to
    ``parent``'s window: ``action`` or Cancel, Cancel the default. ``on_answered(button)``
    gets the button clicked; ``on_closed()`` runs when the box is gone (it deletes itself)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    box.addButton(action, role)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(on_answered)
    box.destroyed.connect(on_closed)
    box.open()
    return box
