"""Map: the test digits laid out in 2-D as one layer of the network sees them
(``core/embedding.py``), coloured by true class, mistakes ringed; hover shows a digit, a
click asks the window to inspect it.

Public API (the window wires it):

* ``set_model(model, test_images, test_labels, caption=None)``: a trained MLP (the panel
  keeps a copy), (N, 784) uint8 test digits and their (N,) digit labels; digits of classes
  the model does not know are left out (binary models), and the colour key lists only the
  model's classes; ``set_model(None, None, None)`` clears;
* ``refresh_pca(model, caption=None)``: the same digits through a newer model (per epoch
  during training); a t-SNE map on screen is replaced by PCA, one in progress is cancelled;
* ``set_caption(text)``: which model the map shows (e.g. "run 3, epoch 2 of 5"), at the
  start of the status line (a ``caption`` given to ``set_model``/``refresh_pca`` does the
  same; None there keeps the current one); ``caption()``; ``legend_digits()``: the digits
  the colour key lists;
* ``set_layer(i)``: 0 input, 1..H hidden layers, H + 1 output; ``clear()`` (also drops the
  caption);
* ``coordinates()``: the (n, 2) map on screen, ``shown_indices()``: which test digits;
* signals ``digit_clicked(int)`` (an index into the ``test_images`` given) and
  ``map_shown(str)`` ("pca" or "tsne", after each new map is drawn).

PCA runs as the latest ``map.pca`` job of the window's jobs service (0.1 s for 10,000 x
800; only the latest request is drawn); t-SNE runs on request as ``map.tsne``, with a
progress bar and Cancel. ``render(state)`` follows the shown model (gui/views.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ...core.embedding import Map, pca_map, representation, tsne_available, tsne_map
from ...core.errors import Cancelled
from ...core.network import MLP
from ..guard import guarded
from ..jobs import JobChannel, Jobs, panel_jobs
from ..state import Change, CurrentModel
from ..panel_parts import make_button
from ..text import count, percent
from ..widgets import ComboBox

#: colour-blind-friendly palette (Tableau 10), one colour per digit
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
NO_MODEL = QT_TRANSLATE_NOOP("MapPanel", "No model yet: train one or open a model file.")
HOVER_PIXELS = 8  # a point within this many screen pixels of the mouse is "under" it


def _pca_job(model: MLP, X: np.ndarray, layer: int, previous: Map | None, generation: int):
    R = representation(model, X, layer)
    prev = previous if previous is not None and previous.axes is not None and \
        previous.layer == layer and previous.axes.shape[0] == R.shape[1] else None
    predicted = model.predict_index(X)
    return generation, pca_map(R, prev, layer), predicted


class _ProgressRelay(QObject):
    """Lives in the GUI thread; the worker calls ``advanced.emit`` (queued across threads)."""

    advanced = Signal(float)


class MapPanel(QWidget):
    """The test digits as one layer of the shown model sees them (PCA, t-SNE on request)."""

    digit_clicked = Signal(int)
    map_shown = Signal(str)
    follows = frozenset({Change.RESET, Change.MODEL, Change.EPOCH, Change.DATA})

    def __init__(self, parent: QWidget | None = None, jobs: Jobs | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._owns_jobs = panel_jobs(self, jobs)
        self._shown_key: tuple | None = None  # (generation, moment, sizes, data) last laid out
        self._shown_epoch = -1
        self._model: MLP | None = None
        self._X: np.ndarray | None = None
        self._labels: np.ndarray | None = None  # digits of the shown rows
        self._images: np.ndarray | None = None
        self._index: np.ndarray = np.zeros(0, np.int64)  # rows -> index in test_images
        self._map: Map | None = None
        self._wrong: np.ndarray = np.zeros(0, bool)
        self._generation = 0
        self._tsne = None  # the t-SNE job's number while it runs
        self._tsne_cancel = [False]
        self._job = JobChannel(self._jobs, "map.pca", self)
        self._job.succeeded.connect(self._on_pca_succeeded)
        self._job.failed.connect(self._on_job_failed)
        self._relay = _ProgressRelay(self)
        self._relay.advanced.connect(self._on_tsne_advanced)

        self._caption = ""
        self._legend_digits: list[int] = []
        self.layer_combo = ComboBox()
        self.layer_combo.setMinimumContentsLength(22)
        self.layer_combo.setToolTip(self.tr("Layer: which layer's view of the digits to map"))
        self.tsne_button = make_button(
            self.tr("Compute t-SNE"), self.tr(
                "A t-SNE map of this layer (separates clusters better than PCA; about 15 s for "
                "10,000 digits, runs in the background)"), self._on_tsne_clicked, "map_tsne")
        self.pca_button = make_button(self.tr("Back to PCA"),
                                      self.tr("Show the instant PCA map again"),
                                      self._on_pca_clicked, "map_pca")
        self.cancel_button = make_button(self.tr("Cancel"), self.tr("Stop the t-SNE computation"),
                                         self._on_cancel_clicked, "map_cancel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setToolTip(self.tr("t-SNE progress"))
        self.progress.setMaximumWidth(160)
        # hidden but still taking its place: the buttons never move under the mouse
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self._status_body = self.tr(NO_MODEL)
        self.status_label = QLabel(self.tr(NO_MODEL))
        self.status_label.setToolTip(self.tr("What the map shows"))
        self.status_label.setWordWrap(True)
        # two lines reserved: a wrapped label squeezed by the plot below overlaps itself
        self.status_label.setMinimumHeight(2 * self.status_label.fontMetrics().lineSpacing() + 4)

        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground("w")
        self.plot_widget.setToolTip("")
        self.plot = self.plot_widget.getPlotItem()
        self.plot.hideButtons()
        self.plot.getAxis("left").setStyle(showValues=False)
        self.plot.getAxis("bottom").setStyle(showValues=False)
        self.points = pg.ScatterPlotItem(size=5, pen=None, pxMode=True)
        self.rings = pg.ScatterPlotItem(size=9, pen=pg.mkPen(0, 0, 0, 110, width=1),
                                        brush=None, symbol="o", pxMode=True)
        self.plot.addItem(self.points)
        self.plot.addItem(self.rings)
        # the colour key is a row above the plot: drawn inside it, it covered points
        self.legend_label = QLabel()
        self.legend_label.setObjectName("map_legend")
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        self.legend_label.setWordWrap(True)  # one line made the Map wider than 1024 px allow
        self.legend_label.setToolTip(self.tr("Colour = the digit's true class; ring = the "
                                             "network got it wrong"))
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot_widget.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        self.digit_view = pg.GraphicsLayoutWidget()
        self.digit_view.setFixedSize(130, 160)
        self.digit_view.setToolTip(self.tr("The digit under the mouse"))
        digit_plot = self.digit_view.addPlot()
        for axis in ("left", "bottom"):
            digit_plot.hideAxis(axis)
        digit_plot.setAspectLocked(True)
        digit_plot.invertY(True)
        digit_plot.setMouseEnabled(False, False)
        digit_plot.hideButtons()
        self.digit_image = pg.ImageItem(np.zeros((28, 28), np.uint8), axisOrder="row-major",
                                        levels=(0, 255))
        digit_plot.addItem(self.digit_image)
        self.digit_label = QLabel(self.tr("hover a point"))
        self.digit_label.setWordWrap(True)
        self.digit_label.setFixedWidth(130)

        controls = QHBoxLayout()
        controls.addWidget(self.layer_combo)
        controls.addWidget(self.tsne_button)
        controls.addWidget(self.pca_button)
        controls.addStretch(1)
        # the work's progress on a row of its own: one row of every control made the Map
        # wider than a 1024 px window
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.cancel_button)
        progress_row.addWidget(self.progress)
        progress_row.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(self.digit_view)
        side.addWidget(self.digit_label)
        side.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.legend_label)
        column.addWidget(self.plot_widget, 1)
        body = QHBoxLayout()
        body.addLayout(column, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(progress_row)
        layout.addWidget(self.status_label)
        layout.addLayout(body, 1)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        self._show_legend([])
        self._update_controls()

    # ------------------------------------------------------------------------ view
    def render(self, state: CurrentModel) -> None:
        """The map of the shown model: a new model (run, file, moment) or data set is laid
        out afresh; during a run the PCA is redone once per epoch (0.1 s for the largest
        preset), not for every snapshot."""
        model, raw = state.shown_model, state.raw
        if model is None or raw is None or model.layer_sizes[0] != raw.test_images.shape[1]:
            if self._shown_key is not None or model is not None:
                self.clear()
                if model is not None and raw is not None:
                    self._set_status(self.tr(
                        "This model takes {inputs} inputs: it cannot be mapped on 28x28 "
                        "digits.").format(inputs=model.layer_sizes[0]))
            self._shown_key = None
            return
        key = (state.generation, state.moment_label, tuple(model.layer_sizes), id(raw))
        epoch = len(state.history)
        if key != self._shown_key:
            self._shown_key, self._shown_epoch = key, epoch
            self.set_model(model, raw.test_images, raw.test_labels, caption=state.caption)
        elif not state.following_live_run or epoch != self._shown_epoch:
            self._shown_epoch = epoch
            self.refresh_pca(model, caption=state.caption)

    # ------------------------------------------------------------------------ public
    def set_model(self, model: MLP | None, test_images: np.ndarray | None,
                  test_labels: np.ndarray | None, caption: str | None = None) -> None:
        if model is None or test_images is None or test_labels is None:
            self.clear()
            return
        if caption is not None:
            self._caption = caption
        self._show_legend([int(c) for c in model.classes])
        labels = np.asarray(test_labels)
        keep = np.flatnonzero(np.isin(labels, model.classes))
        self._index = keep
        self._images = np.asarray(test_images)
        self._labels = labels[keep]
        X = self._images[keep].astype(np.float32) * np.float32(1 / 255)
        X -= np.float32(model.input_mean)
        X /= np.float32(model.input_std)
        self._X = X
        names = self._layer_names(model)
        old = self.layer_combo.currentIndex()
        same_shape = self._model is not None and len(self._model.layer_sizes) == len(model.layer_sizes)
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems(names)
        self.layer_combo.setCurrentIndex(old if same_shape and 0 <= old < len(names)
                                         else len(names) - 2 if len(names) > 2 else 0)
        self.layer_combo.blockSignals(False)
        self._map = None
        self.refresh_pca(model)

    def refresh_pca(self, model: MLP | None, caption: str | None = None) -> None:
        """Recompute the PCA map with ``model`` (cheap: call it per epoch); ``caption``:
        which model it is (None keeps the current caption)."""
        if caption is not None:
            self.set_caption(caption)
        if model is None or self._X is None:
            return
        self._cancel_tsne()
        self._model = model.clone()
        self._generation += 1
        self._job.submit(_pca_job, self._model, self._X, self._layer(),
                         self._map if self._map is not None and self._map.method == "pca" else None,
                         self._generation)
        self._update_controls()

    def set_caption(self, text: str | None) -> None:
        """Say which model the map shows (e.g. "run 3, epoch 2 of 5"; "" or None: nothing);
        it leads the status line, before the counts."""
        self._caption = (text or "").strip()
        self._set_status(self._status_body)

    def caption(self) -> str:
        return self._caption

    def legend_digits(self) -> list[int]:
        """The digits the colour key lists (the model's classes; empty without a model)."""
        return list(self._legend_digits)

    def set_layer(self, layer: int) -> None:
        if 0 <= layer < self.layer_combo.count():
            self.layer_combo.setCurrentIndex(layer)

    def clear(self) -> None:
        self._cancel_tsne()
        self._job.cancel()
        self._generation += 1
        self._model = self._X = self._labels = self._images = self._map = None
        self._index = np.zeros(0, np.int64)
        self._wrong = np.zeros(0, bool)
        self.points.clear()
        self.rings.clear()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.blockSignals(False)
        self._caption = ""
        self._show_legend([])
        self._set_status(self.tr(NO_MODEL))
        self.digit_image.setImage(np.zeros((28, 28), np.uint8), levels=(0, 255))
        self.digit_label.setText(self.tr("hover a point"))
        self._update_controls()

    def coordinates(self) -> np.ndarray:
        """The map on screen: (n, 2) float32 (empty before the first map)."""
        return np.zeros((0, 2), np.float32) if self._map is None else self._map.coords.copy()

    def shown_indices(self) -> np.ndarray:
        """Row i of ``coordinates()`` is test digit ``shown_indices()[i]``."""
        return self._index.copy()

    def is_busy(self) -> bool:
        """A PCA or t-SNE map is being computed."""
        return self._job.is_busy() or self._tsne is not None

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        self._cancel_tsne()
        self._jobs.cancel_prefix("map.")
        return self._jobs.shutdown(timeout_ms) if self._owns_jobs else True

    # ------------------------------------------------------------------ results
    @guarded
    def _on_pca_succeeded(self, value: object) -> None:
        generation, result, predicted = value  # type: ignore[misc]
        if generation != self._generation or self._model is None:
            return
        self._wrong = np.asarray(self._model.classes)[predicted] != self._labels
        self._draw(result)

    @guarded
    def _on_job_failed(self, message: str) -> None:
        self._set_status(self.tr("Map: {message}").format(message=message))

    def _draw(self, result: Map) -> None:
        self._map = result
        coords = result.coords
        brushes = [pg.mkBrush(*PALETTE[int(d) % 10], 170) for d in range(10)]
        self.points.setData(pos=coords, brush=[brushes[int(d) % 10] for d in self._labels])
        self.rings.setData(pos=coords[self._wrong])
        self.plot.autoRange()
        name = self.layer_combo.currentText()
        if result.method == "pca":
            explained = result.explained or (0.0, 0.0)
            how = self.tr("PCA: the two directions of largest spread ({first} and {second} of "
                          "the variance)").format(first=percent(explained[0], 0),
                                                  second=percent(explained[1], 0))
        else:
            how = self.tr("t-SNE ({seconds} s): near points look alike to this layer").format(
                seconds=round(result.seconds))
        self._set_status(self.tr("{digits} test digits as the {layer} sees them — {how}; "
                                 "{mistakes} mistakes ringed.").format(
            digits=count(len(coords)), layer=name, how=how, mistakes=count(self._wrong.sum())))
        self._update_controls()
        self.map_shown.emit(result.method)

    # ------------------------------------------------------------------ t-SNE
    @guarded
    def _on_tsne_clicked(self) -> None:
        if self._model is None or self._X is None or self._tsne is not None:
            return
        self._job.cancel()
        cancel = self._tsne_cancel = [False]
        relay, model, X, layer = self._relay, self._model, self._X, self._layer()
        generation = self._generation

        def progress(fraction: float) -> bool:
            relay.advanced.emit(fraction)
            return not cancel[0]

        def run() -> tuple:
            return generation, tsne_map(representation(model, X, layer), seed=0, layer=layer,
                                        progress=progress)

        self.progress.setValue(0)
        self._tsne = self._jobs.submit("map.tsne", run, on_done=self._on_tsne_yielded,
                                       on_failed=self._on_tsne_errored,
                                       on_ended=self._on_tsne_finished)
        self._set_status(self.tr("Computing t-SNE in the background…"))
        self._update_controls()

    @guarded
    def _on_tsne_advanced(self, fraction: float) -> None:
        if self._tsne is not None:
            self.progress.setValue(round(100 * fraction))

    @guarded
    def _on_tsne_yielded(self, value: object) -> None:
        generation, result = value  # type: ignore[misc]
        if generation == self._generation and not self._tsne_cancel[0]:
            self._draw(result)

    @guarded
    def _on_tsne_errored(self, message: str) -> None:
        cancelled = Cancelled("t-SNE map cancelled").args[0]
        self._set_status(self.tr("t-SNE cancelled: showing PCA.") if message == cancelled
                         else self.tr("t-SNE failed: {message}").format(message=message))

    @guarded
    def _on_tsne_finished(self) -> None:
        if self._tsne is None:
            return
        self._tsne = None
        self.progress.setValue(0)
        self._update_controls()

    def _cancel_tsne(self) -> None:
        self._tsne_cancel[0] = True

    @guarded
    def _on_cancel_clicked(self) -> None:
        self._cancel_tsne()

    @guarded
    def _on_pca_clicked(self) -> None:
        self.refresh_pca(self._model)

    # ------------------------------------------------------------------ mouse
    def _nearest(self, scene_pos: QPointF) -> int | None:
        """Row of the point within HOVER_PIXELS of ``scene_pos``, if any."""
        if self._map is None or not len(self._map.coords):
            return None
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        px, py = vb.viewPixelSize()
        if not (px > 0 and py > 0):
            return None
        c = self._map.coords
        d2 = ((c[:, 0] - p.x()) / px) ** 2 + ((c[:, 1] - p.y()) / py) ** 2
        row = int(np.argmin(d2))
        return row if d2[row] <= HOVER_PIXELS ** 2 else None

    @guarded
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        row = self._nearest(scene_pos)
        if row is None or self._images is None:
            return
        index = int(self._index[row])
        self.digit_image.setImage(self._images[index].reshape(28, 28), levels=(0, 255))
        verdict = self.tr("wrong") if self._wrong[row] else self.tr("right")
        self.digit_label.setText(self.tr("test digit #{index}\ntrue {label} ({verdict})\nclick "
                                         "to inspect").format(index=index, label=self._labels[row],
                                                              verdict=verdict))

    @guarded
    def _on_mouse_clicked(self, event: object) -> None:
        row = self._nearest(event.scenePos())  # type: ignore[attr-defined]
        if row is not None:
            self.digit_clicked.emit(int(self._index[row]))

    # ------------------------------------------------------------------ parts
    def _set_status(self, body: str) -> None:
        self._status_body = body
        self.status_label.setText(f"{self._caption} — {body}" if self._caption else body)

    def _show_legend(self, digits: list[int]) -> None:
        self._legend_digits = list(digits)
        swatch = "<span style='color:{};font-size:14pt'>●</span>&nbsp;{}"
        parts = [swatch.format(pg.mkColor(*PALETTE[d % 10]).name(), d) for d in digits]
        if digits:
            parts.append("<span style='font-size:12pt'>○</span>&nbsp;" + self.tr("wrong"))
        self.legend_label.setText("&nbsp;&nbsp;&nbsp;".join(parts) if parts else "&nbsp;")

    def _layer_names(self, model: MLP) -> list[str]:
        """What each layer index of ``core.embedding.representation`` means, for the menu."""
        hidden = [self.tr("hidden layer {layer} ({units})").format(
            layer=i, units=self.tr("%Ln unit(s)", "", n))
            for i, n in enumerate(model.layer_sizes[1:-1], 1)]
        return [self.tr("input (pixels)"), *hidden, self.tr("output (logits)")]

    def _layer(self) -> int:
        return max(0, self.layer_combo.currentIndex())

    @guarded
    def _on_layer_changed(self, _index: int) -> None:
        self._map = None
        self.refresh_pca(self._model)

    def _update_controls(self) -> None:
        ready = self._model is not None
        running = self._tsne is not None
        self.layer_combo.setEnabled(ready)
        self.tsne_button.setEnabled(ready and not running and tsne_available())
        if not tsne_available():
            self.tsne_button.setToolTip(self.tr("t-SNE needs openTSNE: pip install "
                                                "'mnist-gui[map]'"))
        self.pca_button.setEnabled(ready and not running and self._map is not None
                                   and self._map.method != "pca")
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
