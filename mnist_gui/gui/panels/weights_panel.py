"""Live weight heatmaps of every layer, the first layer's units as 28x28 images, and how
the weights moved since the start (histogram now vs initial, relative change per epoch)."""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from ...core.metrics import relative_change
from ..guard import guarded
from ..state import Change, CurrentModel
from ..panel_parts import SparseLogAxis, diverging_colormap
from ..text import number

MOSAIC_UNITS = 100  # first-layer units shown as images (10 x 10)
HISTOGRAM_INTERVAL = 1.0  # s between histogram updates during training
HISTOGRAM_SAMPLES = 100_000  # a larger layer is histogrammed on an even subsample


def mosaic(W: np.ndarray, image_shape: tuple[int, int] = (28, 28), units: int = MOSAIC_UNITS):
    """Tile the first ``units`` columns of W (784, H) as 28x28 images, each scaled to
    [-1, 1] by its own largest |w|, with one pixel of 0 between tiles. Returns (rows, cols)."""
    h, w = image_shape
    n = min(units, W.shape[1])
    side = max(1, math.ceil(math.sqrt(n)))
    rows_of_tiles = math.ceil(n / side)
    tiles = np.zeros((rows_of_tiles * side, h + 1, w + 1), np.float32)
    cols = W[:, :n].T.reshape(n, h, w)
    scale = np.abs(cols).reshape(n, -1).max(axis=1)
    scale[scale == 0] = 1
    tiles[:n, :h, :w] = cols / scale[:, None, None]
    grid = tiles.reshape(rows_of_tiles, side, h + 1, w + 1).transpose(0, 2, 1, 3)
    return grid.reshape(rows_of_tiles * (h + 1), side * (w + 1))


LAYER_NAME = "W{layer}: {units} × {inputs}"

class WeightsPanel(QWidget):
    """Public slots: ``clear()``, ``show_weights(weights, progress)``, ``show_epoch_weights``.

    Signal ``unit_clicked(layer, unit)``: a hidden unit was clicked (a row of a hidden
    layer's heatmap, or a tile of the first-layer mosaic); ``layer`` is 0-based.
    ``unit_at(view, scene_pos)`` says which unit a point of either view falls on."""

    unit_clicked = Signal(int, int)
    follows = frozenset({Change.RESET, Change.MODEL, Change.EPOCH})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layer_items: list[tuple[pg.ImageItem, pg.ColorBarItem, pg.PlotItem]] = []
        self._levels: list[float] = []
        self._initial: list[np.ndarray] | None = None
        self._latest: list[np.ndarray] | None = None
        self._previous_epoch: list[np.ndarray] | None = None
        self._changes: list[list[float]] = []
        # another run's (initial weights, per-epoch changes) shown instead of the live run's
        # while a moment of it is viewed; the live run's go on being recorded underneath
        self._reference: tuple[list[np.ndarray] | None, list[list[tuple[int, float]]]] | None = None
        self._image_shape = (28, 28)
        self._shapes: list[tuple[int, ...]] = []
        self._histogram_time = 0.0
        self.colormap = diverging_colormap()

        layout = QVBoxLayout(self)
        self.caption = QLabel(
            self.tr("Weights appear here when training starts or a model is loaded.")
        )
        self.caption.setObjectName("weightsCaption")
        self.caption.setWordWrap(True)  # one line made the view wider than a 1024 px window
        layout.addWidget(self.caption)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(splitter, 1)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("weightsView")
        self.view.setBackground("w")
        splitter.addWidget(self.view)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.mosaic_view = pg.GraphicsLayoutWidget()
        self.mosaic_view.setObjectName("mosaicView")
        self.mosaic_view.setBackground("w")
        # the title as a label that wraps: a plot title is cut in a narrow column
        mosaic_title = QLabel(self.tr("First layer: each unit's 784 weights as an image"))
        mosaic_title.setWordWrap(True)
        mosaic_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mosaic_title.setStyleSheet("color: #555555; font-size: 13px;")
        right_layout.addWidget(mosaic_title)
        self.mosaic_plot = self.mosaic_view.addPlot()
        self.mosaic_plot.hideAxis("left")
        self.mosaic_plot.hideAxis("bottom")
        self.mosaic_plot.setAspectLocked(True)
        self.mosaic_plot.invertY(True)
        self.mosaic_image = pg.ImageItem(levels=(-1, 1))
        self.mosaic_image.setColorMap(self.colormap)
        self.mosaic_plot.addItem(self.mosaic_image)
        right_layout.addWidget(self.mosaic_view, 3)

        chooser = QHBoxLayout()
        chooser.addWidget(QLabel(self.tr("Distribution of layer")))
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("histogramLayerCombo")
        self.layer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        chooser.addWidget(self.layer_combo, 1)
        right_layout.addLayout(chooser)
        # the legend in the title's colours: a legend box over the plot hid the histogram
        self.histogram_plot = pg.PlotWidget(
            title=self.tr('Weights <span style="color: #d62728;">now</span> vs '
                          '<span style="color: #777777;">initial</span>'))
        self.histogram_plot.setObjectName("histogramPlot")
        self.histogram_plot.setBackground("w")
        self.initial_curve = self.histogram_plot.plot(
            name=self.tr("initial"), stepMode="center", pen=pg.mkPen("#999999", width=2)
        )
        self.current_curve = self.histogram_plot.plot(
            name=self.tr("now"), stepMode="center", pen=pg.mkPen("#d62728", width=2),
            fillLevel=0, brush=(214, 39, 40, 50),
        )
        right_layout.addWidget(self.histogram_plot, 2)
        self.change_plot = pg.PlotWidget(title=self.tr("Relative change per epoch ‖ΔW‖/‖W‖"),
                                         axisItems={"left": SparseLogAxis("left")})
        self.change_plot.setObjectName("changePlot")
        self.change_plot.setBackground("w")
        self.change_plot.setLabel("bottom", self.tr("epoch"))
        self.change_plot.setLogMode(y=True)
        self.change_plot.addLegend(offset=(-10, 10))
        self._change_curves: list[pg.PlotDataItem] = []
        right_layout.addWidget(self.change_plot, 2)
        splitter.addWidget(right)
        splitter.setSizes([700, 500])
        self.layer_combo.currentIndexChanged.connect(self._update_histogram)
        self.view.setToolTip(self.tr("Click a row (a hidden unit) to open it in the Lab"))
        self.mosaic_view.setToolTip(self.tr("Click a unit to open it in the Lab"))
        self.view.scene().sigMouseClicked.connect(self._on_heatmap_clicked)
        self.mosaic_view.scene().sigMouseClicked.connect(self._on_mosaic_clicked)

    # ------------------------------------------------------------------------ view

    def render(self, state: CurrentModel) -> None:
        """The shown model's weights, compared with its run's start and per-epoch changes
        (the state keeps them: the live run's, or the viewed moment's run's)."""
        model = state.shown_model
        if model is None:
            self.clear()
            return
        if state.viewing_moment:
            when = self.tr("at {moment}").format(moment=state.moment_label)
        elif state.path is not None:
            when = self.tr("of {file}").format(file=state.path.name)
        elif state.kind == "tuned":
            when = self.tr("after fine-tuning on your digits")
        elif state.running:
            when = self.tr("at epoch {epoch}").format(epoch=number(state.epoch_progress, 2))
        else:
            when = self.tr("after {what}").format(what=state.source.split(', ')[-1])
        initial, changes = state.shown_weight_history
        new_initial = initial is not self._initial
        self._initial = initial
        self._changes = [list(c) for c in changes]
        self._reference = None
        if new_initial:
            self._histogram_time = 0.0  # the histogram's reference changed: draw it now
        self.show_weights(model.W, when=when)
        self._draw_changes()

    # ------------------------------------------------------------------------ slots

    def clear(self) -> None:
        self.caption.setText(
            self.tr("Weights appear here when training starts or a model is loaded.")
        )
        self._histogram_time = 0.0  # the next model's histogram is drawn at once
        self.view.clear()
        self._shapes = []
        self._layer_items.clear()
        self._levels.clear()
        self._initial = self._latest = self._previous_epoch = None
        self._changes = []
        self._reference = None
        self.layer_combo.clear()
        self.change_plot.clear()
        self._change_curves = []
        self.mosaic_image.clear()
        self.initial_curve.setData([], [])
        self.current_curve.setData([], [])

    def show_weights(self, weights: list[np.ndarray], progress: float = 0.0,
                     image_shape: tuple[int, int] = (28, 28), when: str | None = None) -> None:
        """Show each layer's W (fan_in, fan_out), arrays nobody changes afterwards, as of
        ``progress`` epochs (``when`` says it in words instead, e.g. "of model.npz")."""
        shapes = [W.shape for W in weights]
        if shapes != self._shapes:
            self._build(weights, image_shape)
        for i, W in enumerate(weights):
            image, bar, _ = self._layer_items[i]
            # fixed symmetric levels that only grow, so colours stay comparable over time
            peak = float(np.abs(W).max())
            if peak > self._levels[i] or not math.isfinite(self._levels[i]):
                self._levels[i] = peak if peak > 0 else 1.0
                bar.setLevels((-self._levels[i], self._levels[i]))
            image.setImage(W.T, autoLevels=False)
        self._latest = weights
        if weights[0].shape[0] == image_shape[0] * image_shape[1]:
            self.mosaic_image.setImage(mosaic(weights[0], image_shape), autoLevels=False)
        when = when or self.tr("at epoch {epoch}").format(epoch=number(progress, 2))
        self.caption.setText(self.tr(
            "%n weight layer(s) {when}; rows are units, columns their inputs; blue negative, red "
            "positive (colour scale fixed per layer, grows as needed)", "", len(weights)
        ).format(when=when))
        now = time.perf_counter()
        if now - self._histogram_time >= HISTOGRAM_INTERVAL:
            self._histogram_time = now
            self._update_histogram()

    def shown_layers(self) -> list[np.ndarray]:
        """What each layer's heatmap shows now: (units, inputs) arrays, first layer first."""
        return [image.image for image, _, _ in self._layer_items]

    def layer_titles(self) -> list[str]:
        """Each heatmap's title, e.g. "W3: 1 unit × 5 inputs"."""
        return [plot.titleLabel.text for _, _, plot in self._layer_items]

    def relative_changes(self) -> list[list[tuple[int, float]]]:
        """Per layer, (epoch, ||dW|| / ||W||) for every epoch shown (the live run's, or the
        reference's while one is shown)."""
        return [list(changes) for changes in self._shown_changes()]

    def show_reference(self, initial: list[np.ndarray] | None,
                       changes: list[list[tuple[int, float]]]) -> None:
        """Compare with another run (a moment of it is viewed): its initial weights (None:
        not kept) for the histogram, and its per-epoch changes. The live run's epochs are
        still recorded; ``show_live_reference()`` shows them again."""
        self._reference = (initial, [list(c) for c in changes])
        self._redraw_reference()

    def show_live_reference(self) -> None:
        if self._reference is not None:
            self._reference = None
            self._redraw_reference()

    def _redraw_reference(self) -> None:
        for curve in self._change_curves:
            curve.setData([], [])
        self._draw_changes()
        self._histogram_time = 0.0
        self._update_histogram()

    def _shown_changes(self) -> list[list[tuple[int, float]]]:
        return self._reference[1] if self._reference is not None else self._changes

    def _shown_initial(self) -> list[np.ndarray] | None:
        return self._reference[0] if self._reference is not None else self._initial

    def show_epoch_weights(self, epoch: int, weights: list[np.ndarray]) -> None:
        """Record how far each layer moved in this epoch (copies from EpochFinished)."""
        if len(self._changes) != len(weights):
            self._changes = [[] for _ in weights]
        if self._previous_epoch is not None and len(self._previous_epoch) == len(weights):
            for i, (new, old) in enumerate(zip(weights, self._previous_epoch)):
                self._changes[i].append((epoch, relative_change(new, old)))
            self._draw_changes()
        self._previous_epoch = weights

    def _draw_changes(self) -> None:
        for curve, changes in zip(self._change_curves, self._shown_changes()):
            if changes:
                xs, ys = zip(*changes)
                curve.setData(np.array(xs, float), np.array(ys))

    def set_initial(self, weights: list[np.ndarray]) -> None:
        """The weights at initialisation (the histogram's reference, epoch 0's change)."""
        self._initial = [W.copy() for W in weights]
        if self._previous_epoch is None:
            self._previous_epoch = self._initial

    def unit_at(self, view: pg.GraphicsLayoutWidget, scene_pos: QPointF) -> tuple[int, int] | None:
        """(hidden layer, unit), both 0-based, under ``scene_pos`` of ``view`` (the heatmaps'
        ``self.view`` or ``self.mosaic_view``); None off every hidden unit."""
        if view is self.mosaic_view:
            image = self.mosaic_image.image
            if image is None or not self._shapes:
                return None
            point = self.mosaic_image.mapFromScene(scene_pos)
            h, w = self._image_shape
            n = min(MOSAIC_UNITS, self._shapes[0][1])
            side = max(1, math.ceil(math.sqrt(n)))
            row, col = int(point.y() // (h + 1)), int(point.x() // (w + 1))
            if not (0 <= point.x() < image.shape[1] and 0 <= point.y() < image.shape[0]) or col >= side:
                return None
            unit = row * side + col
            return (0, unit) if unit < n else None
        for layer, (image, _bar, _plot) in enumerate(self._layer_items[:-1]):  # the last is the output
            if image.image is None:
                continue
            point = image.mapFromScene(scene_pos)
            units, inputs = image.image.shape
            if 0 <= point.x() < inputs and 0 <= point.y() < units:
                return layer, int(point.y())
        return None

    @guarded
    def _on_heatmap_clicked(self, event) -> None:  # noqa: ANN001 - a pyqtgraph MouseClickEvent
        self._emit_unit(self.view, event)

    @guarded
    def _on_mosaic_clicked(self, event) -> None:  # noqa: ANN001
        self._emit_unit(self.mosaic_view, event)

    def _emit_unit(self, view: pg.GraphicsLayoutWidget, event) -> None:  # noqa: ANN001
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        hit = self.unit_at(view, event.scenePos())
        if hit is not None:
            self.unit_clicked.emit(*hit)

    # --------------------------------------------------------------------- internals

    def _build(self, weights: list[np.ndarray], image_shape: tuple[int, int]) -> None:
        self.view.clear()
        self._layer_items = []
        self._levels = []
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.change_plot.clear()
        self._change_curves = []
        if len(self._changes) != len(weights):
            self._changes = [[] for _ in weights]
        colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
        for i, W in enumerate(weights):
            # one name for a layer everywhere: the heatmap's title and the distribution's list
            name = self.tr("W{layer}: {units} × {inputs}").format(
                layer=i + 1, units=self.tr("%Ln unit(s)", "", W.shape[1]),
                inputs=self.tr("%Ln input(s)", "", W.shape[0]))
            plot = self.view.addPlot(row=i, col=0, title=name)
            plot.invertY(True)
            plot.setLabel("left", self.tr("unit"))
            plot.setLabel("bottom", self.tr("input"))
            image = pg.ImageItem(axisOrder="row-major")
            image.setImage(W.T, autoLevels=False, levels=(-1, 1))
            plot.addItem(image)
            bar = pg.ColorBarItem(values=(-1, 1), colorMap=self.colormap, interactive=False, width=12)
            bar.setImageItem(image, insert_in=plot)
            self._layer_items.append((image, bar, plot))
            self._levels.append(0.0)
            self.layer_combo.addItem(name)
            # as wide as its longest name ("W1: 512 units × 784 inputs" was cut)
            self.layer_combo.setMinimumWidth(self.layer_combo.sizeHint().width())
            curve = self.change_plot.plot(name=f"W{i + 1}", pen=pg.mkPen(colors[i % len(colors)], width=2),
                                          symbol="o", symbolSize=4)
            self._change_curves.append(curve)
        self.layer_combo.blockSignals(False)
        self._image_shape = image_shape
        self._shapes = [W.shape for W in weights]
        if self._reference is None and (
                self._initial is None or [W.shape for W in self._initial] != [W.shape for W in weights]):
            self.set_initial(weights)
        self._draw_changes()

    @guarded
    def _update_histogram(self) -> None:
        i = self.layer_combo.currentIndex()
        if self._latest is None or i < 0 or i >= len(self._latest):
            return
        step = max(1, self._latest[i].size // HISTOGRAM_SAMPLES)
        current = self._latest[i].ravel()[::step]
        reference = self._shown_initial()
        if reference is not None and (i >= len(reference) or reference[i].shape != self._latest[i].shape):
            reference = None  # another architecture: nothing to compare with
        initial = reference[i].ravel()[::step] if reference is not None else current
        lo = float(min(initial.min(), current.min()))
        hi = float(max(initial.max(), current.max()))
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
            return
        edges = np.linspace(lo, hi, 81)
        self.initial_curve.setData(edges, np.histogram(initial, edges)[0])
        self.current_curve.setData(edges, np.histogram(current, edges)[0])
