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
    QListView,
    QListWidget,
    QMessageBox,
    QPushButton,
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


def image_item(plot: pg.PlotItem, levels: tuple[float, float] | None = None,
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
