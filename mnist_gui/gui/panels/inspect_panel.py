"""Inspect: what the network does with one digit, layer by layer, which pixels pushed it
towards a class, what would make it another class, and the training digits it resembles.

Public API (the panel never sees the trainer; ``render(state)`` follows the shown model and
the data, gui/views.py):

* ``set_model(model)``: an independent MLP copy (binary models included) or None;
* ``set_training_data(images, labels)``: (N, 784) uint8 training digits for the neighbours;
* ``show_digit(image28, label=None, steps=None)``: a 28x28 image in [0, 1] (blank: a hint),
  its true label if known, and ``core.preprocess.PreprocessSteps`` for drawn/file digits;
* ``clear()``; ``shutdown(timeout_ms)`` before the application quits.

Activations and the plain gradient run on the GUI thread (under 10 ms for 784-800-800-10),
at most every ``REFRESH_MS`` however fast digits arrive; integrated gradients, SmoothGrad,
counterfactuals and the neighbour index run one at a time as ``inspect.job`` jobs of the
window's jobs service, with their own copy of the model, and a result for an older digit or
model is dropped.
"""

from __future__ import annotations

import functools
import math
import time
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import explain as ex
from ...core.errors import MnistGuiError
from ...core.network import MLP
from ...core.preprocess import PreprocessSteps
from ..guard import guarded
from ..panel_parts import ImagePlot, diverging_colormap, image_item, image_plot
from ..jobs import Jobs, panel_jobs
from ..state import Change, CurrentModel
from ..text import compact, number, percent

REFRESH_MS = 60  # at most one refresh per this many ms while a digit changes
# shown through tr() (QT_TRANSLATE_NOOP only marks them for lupdate)
CF_TITLE = QT_TRANSLATE_NOOP("InspectPanel", "what would make it a …")
DIFF_TITLE = QT_TRANSLATE_NOOP("InspectPanel", "ink to add (red) / remove (blue)")
MODEL_EVERY_MS = 2000  # during a run, the live model reaches Inspect at most this often
NEIGHBOURS_EVERY_S = 20.0  # during a run, the neighbour index is rebuilt at most this often
METHOD_LABELS = {
    "gradient": QT_TRANSLATE_NOOP("InspectPanel", "Gradient"),
    "gradient-x-input": QT_TRANSLATE_NOOP("InspectPanel", "Gradient × input"),
    "integrated-gradients": QT_TRANSLATE_NOOP("InspectPanel", "Integrated gradients"),
    "smoothgrad": "SmoothGrad",
}
BACKGROUND_METHODS = ("integrated-gradients", "smoothgrad")
N_NEIGHBOURS = 8


HOVER_HINT = QT_TRANSLATE_NOOP(
    "InspectPanel",
    "Hover a unit to see its value and what feeds it; click it to open it in the Lab.",
)
HOVER_TITLE = QT_TRANSLATE_NOOP("InspectPanel", "hovered first-layer unit's weights")
#: the captions of ``core.preprocess.PreprocessSteps.images()``, marked to be translated
STEP_CAPTIONS = (
    QT_TRANSLATE_NOOP("InspectPanel", "ink"),
    QT_TRANSLATE_NOOP("InspectPanel", "bounding box"),
    QT_TRANSLATE_NOOP("InspectPanel", "scaled into the 20x20 box"),
    QT_TRANSLATE_NOOP("InspectPanel", "centre of mass centred"),
)
OUTPUTS = {
    "logit": QT_TRANSLATE_NOOP("InspectPanel", "logit"),
    "probability": QT_TRANSLATE_NOOP("InspectPanel", "probability"),
}


def unit_grid(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Units (n,) laid out row by row on a near-square grid (unused cells NaN-free zeros)."""
    n = len(values)
    cols = max(1, math.ceil(math.sqrt(n * 2)))  # wider than tall: fits a row of plots
    rows = math.ceil(n / cols)
    grid = np.zeros(rows * cols, np.float32)
    grid[:n] = values
    return grid.reshape(rows, cols), cols


def _image_plot(layout: pg.GraphicsLayout, title: str, levels=(0, 1), cmap=None,  # noqa: ANN001
                row: int | None = None, col: int | None = None) -> tuple[ImagePlot, pg.ImageItem]:
    plot = image_plot(layout, title, row=row, col=col)
    return plot, image_item(plot, levels, cmap)


def _blank_digits(views: list[tuple[ImagePlot, pg.ImageItem]]) -> None:
    """Untitled, empty 28x28 views (what they showed belongs to another digit or model)."""
    blank = np.zeros((28, 28), np.float32)
    for plot, image in views:
        plot.setTitle("")
        image.setImage(blank, autoLevels=False)


class InspectPanel(QWidget):
    """Activations, attributions, counterfactual and neighbours of one digit."""

    digit_inspected = Signal(object)  # core.explain.Forward, or None (blank / no model)
    attribution_computed = Signal(object)  # core.explain.Attribution
    counterfactual_computed = Signal(object)  # core.explain.Counterfactual
    neighbours_found = Signal(object)  # list of core.explain.Neighbour
    job_failed = Signal(str)
    unit_clicked = Signal(int, int)  # hidden layer (0-based), unit: a cell of the activations

    follows = frozenset({Change.RESET, Change.MODEL, Change.EPOCH, Change.DATA})

    def __init__(self, parent: QWidget | None = None, jobs: Jobs | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectPanel")
        self._jobs, self._owns_jobs = panel_jobs(self, jobs)
        # the live model reaches Inspect at most every MODEL_EVERY_MS, and the neighbour index
        # is rebuilt during a run only after an epoch and NEIGHBOURS_EVERY_S
        self._model_timer = QTimer(self)
        self._model_timer.setSingleShot(True)
        self._model_timer.setInterval(MODEL_EVERY_MS)
        self._model_timer.timeout.connect(self._on_model_timer_timeout)
        self._model_pending: CurrentModel | None = None
        self._neighbours_epoch, self._neighbours_time = -1, 0.0
        self._given_raw: object | None = None
        self.model: MLP | None = None
        self._worker_model: MLP | None = None  # used by background jobs only
        self._train_images: np.ndarray | None = None
        self._train_labels: np.ndarray | None = None
        self._index: ex.NeighbourIndex | None = None
        self._image: np.ndarray | None = None
        self._label: int | None = None
        self._steps: PreprocessSteps | None = None
        self._forward: ex.Forward | None = None
        self._generation = 0  # bumped by every new digit or model: older results are dropped
        self._model_generation = 0
        self._order: list[np.ndarray] = []  # per hidden layer: unit shown at each grid cell
        self._queued: dict[str, tuple[Callable[..., Any], tuple]] = {}
        self._running = 0  # the number of the job in progress (0: none)
        self._closing = False
        self.colormap = diverging_colormap()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._build()

    # ------------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.caption = QLabel(
            self.tr("Inspect a digit: draw one, pick a mistake, or open an image.")
        )
        self.caption.setObjectName("inspectCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Pixels that push")))
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("targetDigitCombo")
        self.target_combo.setToolTip(self.tr("The class whose output is explained (default: the "
                                             "answer)"))
        controls.addWidget(self.target_combo)
        controls.addWidget(QLabel(self.tr("vs")))
        self.versus_combo = QComboBox()
        self.versus_combo.setObjectName("versusDigitCombo")
        self.versus_combo.setToolTip(self.tr("Explain the difference between two classes (a "
                                             "confusion)"))
        controls.addWidget(self.versus_combo)
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("attributionMethodCombo")
        for method in ex.METHODS:
            self.method_combo.addItem(self.tr(METHOD_LABELS[method]), method)
        controls.addWidget(self.method_combo)
        self.output_combo = QComboBox()
        self.output_combo.setObjectName("attributionOutputCombo")
        for output, text in OUTPUTS.items():
            self.output_combo.addItem(self.tr(text), output)
        self.output_combo.setToolTip(self.tr("Explain the class's logit (pre-softmax score) or its "
                                             "probability"))
        controls.addWidget(self.output_combo)
        controls.addStretch(1)
        layout.addLayout(controls)
        # a second row: one row of every control made Inspect 1000 px wide (it scrolled
        # sideways in a 1024 px window)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("steps")))
        self.steps_spin = QSpinBox()
        self.steps_spin.setObjectName("attributionStepsSpin")
        self.steps_spin.setRange(4, 1024)
        self.steps_spin.setValue(64)
        self.steps_spin.setToolTip(self.tr("Integrated gradients: path steps; SmoothGrad: noisy "
                                           "samples"))
        controls.addWidget(self.steps_spin)
        controls.addSpacing(16)
        self.counterfactual_button = QPushButton(self.tr("What would make it a"))
        self.counterfactual_button.setObjectName("counterfactualButton")
        self.counterfactual_button.setToolTip(
            self.tr("The smallest change to the 28x28 input that makes the network answer the "
                    "chosen digit"))
        controls.addWidget(self.counterfactual_button)
        self.counterfactual_combo = QComboBox()
        self.counterfactual_combo.setObjectName("counterfactualDigitCombo")
        controls.addWidget(self.counterfactual_combo)
        controls.addStretch(1)
        self.sort_check = QCheckBox(self.tr("sort units"))
        self.sort_check.setObjectName("sortUnitsCheck")
        self.sort_check.setToolTip(self.tr("Show each layer's units from the most to the least "
                                           "active"))
        controls.addWidget(self.sort_check)
        layout.addLayout(controls)
        for combo in (self.target_combo, self.versus_combo, self.method_combo, self.output_combo,
                      self.counterfactual_combo):
            # never narrower than its items ("the answer" was cut to "the answ")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for combo in (self.method_combo, self.output_combo):  # their items never change
            combo.setMinimumWidth(combo.sizeHint().width())

        grid = QGridLayout()
        self.activations_view = pg.GraphicsLayoutWidget()
        self.activations_view.setObjectName("activationsView")
        self.activations_view.setBackground("w")
        self.activations_view.setMinimumHeight(220)
        grid.addWidget(self.activations_view, 0, 0, 1, 2)
        self.hover_label = QLabel(self.tr(HOVER_HINT))
        self.hover_label.setObjectName("unitHoverLabel")
        # a fixed two-line box: a longer text must not resize the view above it and move the
        # unit grid from under the mouse
        self.hover_label.setWordWrap(True)
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.hover_label.setFixedHeight(2 * self.hover_label.fontMetrics().lineSpacing() + 4)
        grid.addWidget(self.hover_label, 1, 0, 1, 2)

        self.attribution_view = pg.GraphicsLayoutWidget()
        self.attribution_view.setObjectName("attributionView")
        self.attribution_view.setBackground("w")
        self.attribution_view.setMinimumHeight(220)
        grid.addWidget(self.attribution_view, 2, 0)
        self.neighbours_view = pg.GraphicsLayoutWidget()
        self.neighbours_view.setObjectName("neighboursView")
        self.neighbours_view.setBackground("w")
        grid.addWidget(self.neighbours_view, 2, 1)
        self.preprocess_view = pg.GraphicsLayoutWidget()
        self.preprocess_view.setObjectName("preprocessView")
        self.preprocess_view.setBackground("w")
        self.preprocess_view.setMaximumHeight(120)
        grid.addWidget(self.preprocess_view, 3, 0, 1, 2)
        grid.setRowStretch(0, 2)
        grid.setRowStretch(2, 4)
        grid.setRowStretch(3, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout.addLayout(grid, 1)

        # attributions: input, overlay, counterfactual, difference
        self._attr_items = {}
        _, self._attr_items["input"] = _image_plot(
            self.attribution_view.ci, self.tr("input"), row=0, col=0
        )
        self._overlay_plot, base = _image_plot(self.attribution_view.ci, self.tr("attributions"),
                                                     row=0, col=1)
        self._attr_items["base"] = base
        heat = pg.ImageItem(np.zeros((28, 28), np.float32), axisOrder="row-major", levels=(-1, 1))
        heat.setColorMap(self.colormap)
        heat.setOpacity(0.85)
        self._overlay_plot.addItem(heat)
        self._attr_items["heat"] = heat
        self._cf_plot, self._attr_items["cf"] = _image_plot(
            self.attribution_view.ci, self.tr(CF_TITLE), row=1, col=0)
        self._diff_plot, self._attr_items["diff"] = _image_plot(
            self.attribution_view.ci, self.tr(DIFF_TITLE), levels=(-1, 1),
            cmap=self.colormap, row=1, col=1)
        self.attribution_bar = pg.ColorBarItem(values=(-1, 1), colorMap=self.colormap,
                                               interactive=False, width=12)
        self.attribution_bar.setImageItem(heat)
        self.attribution_view.ci.addItem(self.attribution_bar, row=0, col=2)

        self._neighbour_plots: list[tuple[ImagePlot, pg.ImageItem]] = []
        self.neighbours_view.ci.addLabel(self.tr("Nearest training digits (last hidden layer)"),
                                         row=0, col=0, colspan=4)
        for i in range(N_NEIGHBOURS):
            self._neighbour_plots.append(
                _image_plot(self.neighbours_view.ci, "", row=1 + i // 4, col=i % 4))
        self._preprocess_plots: list[tuple[ImagePlot, pg.ImageItem]] = []
        for i in range(4):
            self._preprocess_plots.append(_image_plot(self.preprocess_view.ci, "", row=0, col=i))
        self._layer_items: list[tuple[ImagePlot, pg.ImageItem]] = []
        self._unit_plot: ImagePlot | None = None
        self._unit_image: pg.ImageItem | None = None
        self._bars: pg.BarGraphItem | None = None
        self._input_image: pg.ImageItem | None = None

        self.method_combo.currentIndexChanged.connect(self._on_attribution_settings_changed)
        self.target_combo.currentIndexChanged.connect(self._on_attribution_settings_changed)
        self.versus_combo.currentIndexChanged.connect(self._on_attribution_settings_changed)
        self.output_combo.currentIndexChanged.connect(self._on_attribution_settings_changed)
        self.steps_spin.valueChanged.connect(self._on_attribution_settings_changed)
        self.sort_check.toggled.connect(self._on_attribution_settings_changed)
        self.counterfactual_button.clicked.connect(self._on_counterfactual_clicked)
        self.activations_view.scene().sigMouseMoved.connect(self._on_activations_hovered)
        self.activations_view.scene().sigMouseClicked.connect(self._on_activations_clicked)
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.target_combo, self.versus_combo, self.method_combo, self.output_combo,
                       self.steps_spin, self.counterfactual_button, self.counterfactual_combo):
            widget.setEnabled(enabled)

    def _build_activation_items(self) -> None:
        """One plot per hidden layer and the output bars, made once per architecture."""
        view = self.activations_view
        view.clear()
        self._layer_items = []
        self._bars = self._input_image = self._unit_plot = self._unit_image = None
        model = self.model
        if model is None:
            return
        plot, self._input_image = _image_plot(view.ci, self.tr("input (as the network gets it)"),
                                                row=0, col=0)
        for l, units in enumerate(model.layer_sizes[1:-1]):
            name = type(model.hidden[l]).__name__
            title = self.tr("hidden {layer}: {units} {kind}").format(layer=l + 1, units=units,
                                                                      kind=name)
            plot, image = _image_plot(view.ci, title, levels=(-1, 1),
                                      cmap=self.colormap, row=0, col=1 + l)
            self._layer_items.append((plot, image))
        bars = view.addPlot(row=0, col=1 + len(self._layer_items), title=self.tr("probabilities"))
        bars.setMouseEnabled(False, False)
        bars.hideButtons()
        n = len(model.classes)
        self._bars = pg.BarGraphItem(x=np.arange(n), height=np.zeros(n), width=0.7, brush="#4c72b0")
        bars.addItem(self._bars)
        bars.setYRange(0, 1)
        bars.getAxis("bottom").setTicks([[(i, str(c)) for i, c in enumerate(model.classes)]])
        # always shown (blank until a first-layer unit is hovered): a plot that appeared on
        # hover would reflow the row and move the unit grid from under the mouse
        self._unit_plot, self._unit_image = _image_plot(
            view.ci, self.tr(HOVER_TITLE), levels=(-1, 1), cmap=self.colormap,
            row=0, col=2 + len(self._layer_items))
        self._unit_plot.setTitle(self.tr(HOVER_TITLE), size="8pt")

    # -------------------------------------------------------------------- view

    def render(self, state: CurrentModel) -> None:
        """Inspect with the shown model; the live model of a run in progress at most every
        MODEL_EVERY_MS. The neighbour index (the 60,000 training digits re-embedded: 1.5 s of
        both cores for the largest preset) is rebuilt during a run only after an epoch ends
        and NEIGHBOURS_EVERY_S has passed; each model of the run in between keeps it."""
        raw = state.raw
        if raw is not self._given_raw:
            self._given_raw = raw
            if raw is not None:
                self.set_training_data(raw.train_images, raw.train_labels)
        live = state.following_live_run
        if live and self._model_timer.isActive():
            self._model_pending = state
            return
        if live:
            self._model_timer.start()
        self._model_pending = None
        now, epoch = time.monotonic(), len(state.history)
        keep = live and (epoch == self._neighbours_epoch
                         or now - self._neighbours_time < NEIGHBOURS_EVERY_S)
        if not keep:
            self._neighbours_epoch, self._neighbours_time = epoch, now
        model = state.shown_model
        self.set_model(model.clone() if model is not None else None, keep_neighbours=keep)

    @guarded
    def _on_model_timer_timeout(self) -> None:
        state, self._model_pending = self._model_pending, None
        if state is not None:
            if self.isVisible():
                self.render(state)
            else:
                self._model_pending = state  # rendered when shown (the binding marks it)

    # -------------------------------------------------------------------- public API

    def set_model(self, model: MLP | None, keep_neighbours: bool = False) -> None:
        """Inspect with ``model`` (an independent copy the panel keeps) or nothing.

        ``keep_neighbours``: a newer model of the same run (same architecture) keeps the
        neighbour index already built (or being built) for an earlier one, instead of
        re-embedding the 60,000 training digits (a second or more per model for the largest
        preset: while a run trains, rebuilding every few seconds halves its speed)."""
        if model is not None and model.layer_sizes[0] != 28 * 28:
            self.caption.setText(
                self.tr("This model takes {inputs} inputs, not 28x28 images: it cannot be "
                        "inspected on digits.").format(inputs=model.layer_sizes[0]))
            model = None
        same_architecture = (
            model is not None and self.model is not None
            and model.layer_sizes == self.model.layer_sizes and model.classes == self.model.classes
            and model.activations == self.model.activations)
        self.model = model
        self._worker_model = None if model is None else model.clone()
        self._forget_digit_answers()
        if not (keep_neighbours and same_architecture):
            self._index = None
            self._model_generation += 1
            self._queued.pop("neighbours", None)
            # the old model's neighbours must not stand beside the new model's answer
            _blank_digits(self._neighbour_plots)
        self._generation += 1
        if not same_architecture:
            self._fill_class_combos()
            self._build_activation_items()
            self.hover_label.setText(self.tr(HOVER_HINT))  # it named a unit of the old model
        self._set_enabled(model is not None)
        if self._image is not None:
            self._refresh_timer.start()
        elif model is None:
            self._clear_views()

    def set_training_data(self, images: np.ndarray | None, labels: np.ndarray | None) -> None:
        """(N, 784) uint8 training digits and their labels, for the nearest neighbours."""
        self._train_images, self._train_labels = images, labels
        self._index = None
        self._model_generation += 1

    def show_digit(self, image28: np.ndarray | None, label: int | None = None,
                   steps: PreprocessSteps | None = None) -> None:
        """Inspect a 28x28 image in [0, 1] (None or blank: a hint). Refreshed at most every
        ``REFRESH_MS``, so it can be called on every stroke."""
        self._image = None if image28 is None else np.asarray(image28, np.float64).reshape(28, 28)
        self._label, self._steps = label, steps
        self._generation += 1
        self._forget_digit_answers()
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def clear(self) -> None:
        self._image = None
        self._label = self._steps = None
        self._forward = None
        self._generation += 1
        self._queued.clear()
        self._clear_views()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Drop queued jobs and wait for the running one; True if none is left running."""
        self._closing = True
        self._queued.clear()
        self._refresh_timer.stop()
        self._model_timer.stop()
        return self._jobs.shutdown(timeout_ms) if self._owns_jobs else True

    def is_busy(self) -> bool:
        return bool(self._running) or bool(self._queued)

    # what the views show, for tests and screenshots (read only)
    def counterfactual_caption(self) -> str:
        """The counterfactual's caption ("what would make it a …" until one is computed)."""
        return self._cf_plot.titleLabel.text

    def hover_text(self) -> str:
        return self.hover_label.text()

    def probability_bars(self) -> np.ndarray:
        """The probability bars' heights, in the model's class order."""
        return np.asarray(self._bars.opts["height"]) if self._bars is not None else np.zeros(0)

    def activation_images(self) -> list[np.ndarray]:
        """Each hidden layer's activations as drawn (a near-square grid of units)."""
        return [item.image for _, item in self._layer_items]

    def attribution_image(self, name: str) -> np.ndarray | None:
        """The image of view ``name``: "input", "base", "heat", "cf" (the counterfactual)
        or "diff"."""
        return self._attr_items[name].image

    def preprocess_steps_shown(self) -> list[tuple[str, np.ndarray]]:
        """The preprocessing steps drawn: (title, image), first to last."""
        return [(plot.titleLabel.text, item.image) for plot, item in self._preprocess_plots]

    @property
    def neighbour_index(self) -> object:
        """The neighbour index in use (None until built): one per model, not per digit."""
        return self._index

    # ----------------------------------------------------------------------- refresh

    def _fill_class_combos(self) -> None:
        classes = [] if self.model is None else self.model.classes
        for combo, first in ((self.target_combo, self.tr("the answer")), (self.versus_combo, "—"),
                             (self.counterfactual_combo, None)):
            combo.blockSignals(True)
            combo.clear()
            if first is not None:
                combo.addItem(first, None)
            for c in classes:
                combo.addItem(str(c), c)
            combo.blockSignals(False)

    def _forget_digit_answers(self) -> None:
        """Another digit or model: the counterfactual and the hovered unit were the old
        one's (their captions stayed beside the new answer)."""
        blank = np.zeros((28, 28), np.float32)
        for name in ("cf", "diff"):
            self._attr_items[name].setImage(blank, autoLevels=False)
        self._cf_plot.setTitle(self.tr(CF_TITLE), size="9pt")
        self._diff_plot.setTitle(self.tr(DIFF_TITLE), size="9pt")
        self.hover_label.setText(self.tr(HOVER_HINT))
        if self._unit_image is not None:
            self._unit_image.setImage(blank, levels=(-1, 1))

    def _clear_views(self) -> None:
        blank = np.zeros((28, 28), np.float32)
        self.hover_label.setText(self.tr(HOVER_HINT))
        if self._unit_image is not None:
            self._unit_image.setImage(blank, levels=(-1, 1))
        for item in self._attr_items.values():
            item.setImage(blank, autoLevels=False)
        _blank_digits(self._neighbour_plots + self._preprocess_plots)
        if self._input_image is not None:
            self._input_image.setImage(blank, autoLevels=False)
        for _, image in self._layer_items:
            image.setImage(np.zeros((1, 1), np.float32), autoLevels=False)
        if self._bars is not None and self.model is not None:
            self._bars.setOpts(height=np.zeros(len(self.model.classes)))
        if self.model is None:
            self.caption.setText(self.tr("Load or train a model to inspect digits."))

    @guarded
    def _refresh(self) -> None:
        """Forward pass, activations and (for the fast methods) attributions of the digit."""
        model, image = self.model, self._image
        if model is None:
            self._clear_views()
            self.digit_inspected.emit(None)
            return
        if image is None or float(image.max()) <= 1e-6:
            self._forward = None
            self._clear_views()
            self.caption.setText(self.tr("Nothing to inspect: draw a digit, or pick one in "
                                         "Mistakes."))
            self.digit_inspected.emit(None)
            return
        try:
            forward = ex.forward(model, image)
        except MnistGuiError as exc:
            self.caption.setText(str(exc))
            self.digit_inspected.emit(None)
            return
        self._forward = forward
        self._show_forward(image, forward)
        self._show_steps(self._steps)
        self._request_attribution()
        self._request_neighbours()
        self.digit_inspected.emit(forward)

    def _show_forward(self, image: np.ndarray, forward: ex.Forward) -> None:
        best = int(forward.probabilities.argmax())
        text = self.tr("The network answers {answer} ({probability})").format(
            answer=forward.predicted, probability=percent(forward.probabilities[best], 1))
        if self._label is not None and self.model is not None and self._label not in self.model.classes:
            classes = ", ".join(map(str, self.model.classes))
            text += self.tr("; the label is {label}, not a class of this model ({classes})").format(
                label=self._label, classes=classes)
        elif self._label is not None:
            verdict = self.tr("right") if self._label == forward.predicted else self.tr("wrong")
            text += self.tr("; the label is {label} ({verdict})").format(label=self._label,
                                                                          verdict=verdict)
        self.caption.setText(text + ".")
        self._input_image.setImage(image.astype(np.float32), autoLevels=False)
        self._order = []
        for (plot, item), a in zip(self._layer_items, forward.activations):
            order = np.argsort(-a, kind="stable") if self.sort_check.isChecked() else np.arange(len(a))
            self._order.append(order)
            grid, _ = unit_grid(a[order])
            top = float(np.abs(a).max()) or 1.0
            item.setImage(grid, levels=(-top, top))
        self._bars.setOpts(height=forward.probabilities)
        self.counterfactual_button.setEnabled(True)

    def _show_steps(self, steps: PreprocessSteps | None) -> None:
        stages = steps.images() if steps is not None else []
        for i, (plot, item) in enumerate(self._preprocess_plots):
            if i < len(stages):
                title, picture = stages[i]
                plot.setTitle(self.tr(title), size="8pt")
                item.setImage(np.asarray(picture, np.float32), levels=(0, 1))
                plot.autoRange(padding=0.02)
            else:
                plot.setTitle("")
                item.setImage(np.zeros((28, 28), np.float32), autoLevels=False)

    def _attribution_settings(self) -> dict[str, Any]:
        return {
            "method": self.method_combo.currentData(),
            "target": self.target_combo.currentData(),
            "versus": self.versus_combo.currentData(),
            "output": self.output_combo.currentData(),
            "steps": self.steps_spin.value(),
            "samples": self.steps_spin.value(),
        }

    def _request_attribution(self) -> None:
        settings = self._attribution_settings()
        if settings["versus"] is not None and settings["versus"] == (
                settings["target"] if settings["target"] is not None else self._forward.predicted):
            settings["versus"] = None  # "7 vs 7" explains nothing: show 7 alone
        if settings["method"] in BACKGROUND_METHODS:
            self._submit("attribution", ex.attribute, self._image, settings)
            return
        try:
            result = ex.attribute(self.model, self._image, **settings)
        except MnistGuiError as exc:
            self.job_failed.emit(str(exc))
            return
        self._show_attribution(result)

    def _show_attribution(self, result: ex.Attribution) -> None:
        image = self._image.astype(np.float32)
        self._attr_items["input"].setImage(image, levels=(0, 1))
        self._attr_items["base"].setImage(image, levels=(0, 1))
        a = result.attributions.astype(np.float32)
        top = float(np.abs(a).max()) or 1.0
        self._attr_items["heat"].setImage(a, levels=(-top, top))
        self.attribution_bar.setLevels((-top, top))
        what = self.tr("{output} of {digit}").format(
            output=self.tr(OUTPUTS.get(result.output, result.output)), digit=result.target)
        if result.versus is not None:
            what += f" − {result.versus}"
        self._overlay_plot.setTitle(f"{self.tr(METHOD_LABELS[result.method])}: {what}", size="9pt")
        self.attribution_computed.emit(result)

    def _request_neighbours(self) -> None:
        if self._train_images is None or self._worker_model is None:
            return
        self._submit("neighbours", self._neighbours_job, self._image, {})

    @guarded
    def _on_counterfactual_clicked(self) -> None:
        digit = self.counterfactual_combo.currentData()
        if self.model is None or self._forward is None or digit is None:
            return
        self._cf_plot.setTitle(self.tr("working out what would make it a {digit}…").format(
            digit=digit), size="9pt")
        self._submit("counterfactual", ex.counterfactual, self._image, {"target": digit})

    def _show_counterfactual(self, found: ex.Counterfactual) -> None:
        self._attr_items["cf"].setImage(found.image.astype(np.float32), levels=(0, 1))
        top = float(np.abs(found.delta).max()) or 1.0
        self._attr_items["diff"].setImage(found.delta.astype(np.float32), levels=(-top, top))
        if found.reached:
            self._cf_plot.setTitle(self.tr("a {digit} to the network ({probability})").format(
                digit=found.target, probability=percent(float(found.probabilities.max()), 0)),
                size="9pt")
        else:
            self._cf_plot.setTitle(self.tr("no {digit} within %n step(s)", "", found.steps).format(
                digit=found.target), size="9pt")
        self._diff_plot.setTitle(self.tr("change: add red, remove blue (L2 {l2})").format(
            l2=number(found.l2, 2)), size="9pt")
        self.counterfactual_computed.emit(found)

    def _show_neighbours(self, neighbours: list[ex.Neighbour]) -> None:
        for (plot, item), n in zip(self._neighbour_plots, neighbours):
            picture = self._train_images[n.index].reshape(28, 28).astype(np.float32) / 255
            item.setImage(picture, levels=(0, 1))
            plot.setTitle(f"{n.label}  d={number(n.distance, 2)}", size="8pt")
        self.neighbours_found.emit(neighbours)

    # ------------------------------------------------------------------ background

    def _neighbours_job(self, model: MLP, image: np.ndarray, index: ex.NeighbourIndex | None,
                        images: np.ndarray, labels: np.ndarray) -> tuple:
        """Runs in the worker thread: build the index once per model, then query it."""
        if index is None:
            index = ex.NeighbourIndex.build(model, images, labels,
                                            should_stop=lambda: self._closing)
        return index, index.query(image, N_NEIGHBOURS)

    def _submit(self, kind: str, function: Callable[..., Any], image: np.ndarray,
                kwargs: dict[str, Any]) -> None:
        """Queue ``kind`` for the current digit (replacing any queued one of that kind)."""
        self._queued[kind] = (function, (image.copy(), dict(kwargs), self._generation,
                                       self._model_generation))
        self._start_next()

    def _start_next(self) -> None:
        if self._running or not self._queued or self._closing:
            return
        for kind in ("attribution", "counterfactual", "neighbours"):
            if kind in self._queued:
                break
        function, (image, kwargs, generation, model_generation) = self._queued.pop(kind)
        if kind == "neighbours":
            run = functools.partial(self._run_neighbours, image, generation, model_generation,
                                    self._worker_model, self._index, self._train_images,
                                    self._train_labels)
        else:
            run = functools.partial(self._run_job, kind, function, self._worker_model, image,
                                    kwargs, generation)
        self._running = self._jobs.submit(
            "inspect.job", run, on_done=self._on_job_yielded, on_failed=self._on_job_errored,
            on_ended=self._on_job_thread_finished)

    @staticmethod
    def _run_job(kind: str, function: Callable[..., Any], model: MLP, image: np.ndarray,
                 kwargs: dict[str, Any], generation: int) -> tuple:
        return kind, generation, None, function(model, image, **kwargs)

    def _run_neighbours(self, image: np.ndarray, generation: int, model_generation: int,
                        model: MLP, index: ex.NeighbourIndex | None, images: np.ndarray,
                        labels: np.ndarray) -> tuple:
        return "neighbours", generation, model_generation, self._neighbours_job(
            model, image, index, images, labels)

    def _on_job_yielded(self, value: tuple) -> None:
        kind, generation, model_generation, result = value
        if kind == "neighbours" and model_generation == self._model_generation:
            self._index = result[0]  # still this model's: keep it for the next digit
        if generation != self._generation or self._closing:
            return  # an older digit or model
        if kind == "attribution":
            self._show_attribution(result)
        elif kind == "counterfactual":
            self._show_counterfactual(result)
        else:
            self._show_neighbours(result[1])

    def _on_job_errored(self, message: str) -> None:
        if not self._closing:
            self.caption.setText(message)
            self.job_failed.emit(message)

    def _on_job_thread_finished(self) -> None:
        self._running = 0
        self._start_next()

    # ------------------------------------------------------------------------ slots

    @guarded
    def _on_attribution_settings_changed(self) -> None:
        if self._image is not None and self.model is not None:
            self._generation += 1
            self._refresh_timer.start()

    def unit_at(self, scene_pos) -> tuple[int, int] | None:  # noqa: ANN001 - a QPointF
        """(hidden layer, unit), both 0-based, under a point of the activations view's scene."""
        for l, (plot, item) in enumerate(self._layer_items):
            if not plot.sceneBoundingRect().contains(scene_pos) or item.image is None:
                continue
            point = item.mapFromScene(scene_pos)
            rows, cols = item.image.shape
            r, c = int(point.y()), int(point.x())
            if not (0 <= point.y() < rows and 0 <= point.x() < cols) or l >= len(self._order):
                return None
            cell = r * cols + c
            if cell >= len(self._order[l]):
                return None
            return l, int(self._order[l][cell])
        return None

    @guarded
    def _on_activations_clicked(self, event) -> None:  # noqa: ANN001 - a pyqtgraph MouseClickEvent
        if event.button() != Qt.MouseButton.LeftButton or self._forward is None:
            return
        hit = self.unit_at(event.scenePos())
        if hit is not None:
            self.unit_clicked.emit(*hit)

    @guarded
    def _on_activations_hovered(self, pos) -> None:  # noqa: ANN001 - a QPointF in scene coordinates
        forward = self._forward
        if forward is None or self.model is None:
            return
        hit = self.unit_at(pos)
        if hit is not None:
            l, unit = hit
            value = forward.activations[l][unit]
            W = self.model.W[l][:, unit]
            if l == 0:
                weights = W.reshape(28, 28).astype(np.float32)
                top = float(np.abs(weights).max()) or 1.0
                self._unit_image.setImage(weights, levels=(-top, top))
                self.hover_label.setText(self.tr(
                    "hidden layer 1, unit {unit}: {value} (its incoming weights are on the "
                    "right; click to open it in the Lab)").format(unit=unit,
                                                                   value=compact(value, 3)))
            else:
                push = W * forward.activations[l - 1]
                strongest = np.argsort(-np.abs(push))[:3]
                parts = ", ".join(self.tr("unit {unit} ({push})").format(
                    unit=int(i), push=("+" if push[i] >= 0 else "") + compact(push[i], 2))
                    for i in strongest)
                self._unit_image.setImage(np.zeros((28, 28), np.float32), levels=(-1, 1))
                self.hover_label.setText(
                    self.tr("hidden layer {layer}, unit {unit}: {value}; strongest inputs from "
                            "layer {previous}: {parts} (click to open it in the Lab)").format(
                        layer=l + 1, unit=unit, value=compact(value, 3), previous=l, parts=parts))
