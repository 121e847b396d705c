"""The lab: pick a hidden unit, see what it looks for, switch it off, prune, add noise, and
watch the test accuracy, confusion matrix and per-class table follow (``core/lab.py``).

Public API (the window wires it; the panel never sees the trainer):

* ``set_model(model, raw)``: a trained MLP (the panel keeps its own copy) and the RawMnist
  whose test digits score it; ``set_model(None, None)`` clears;
* ``select_unit(layer, unit)``: 0-based hidden layer and unit (heatmap, mosaic, Inspect);
* ``save_to(path)``: write the edited model (unit scales baked in, edits in its meta);
* signals ``model_edited(object)`` (an independent copy of the edited model after every
  change of the edits) and ``results_shown(object)`` (the ``LabResult`` just displayed).

Every edit and its re-scoring run on one worker thread, in order (an edit is never dropped);
while edits queue up, only the result after the last one is shown. The ``Lab`` object is
touched by that thread only, so the GUI thread never reads weights being changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.data import RawMnist, test_set_for
from ...core.lab import (
    Lab,
    LabResult,
    Prune,
    ScaleUnit,
    UnitView,
    WeightNoise,
    apply_edits,
    baked,
    edit_as_dict,
    unit_view,
)
from ...core.model_file import save_model
from ...core.network import MLP
from ..guard import guarded
from ..panel_parts import diverging_colormap, image_item, make_button
from ..text import number, percent
from ..widgets import ComboBox, SpinBox
from ..jobs import Jobs, panel_jobs
from ..state import Change, CurrentModel

# shown through self.tr() in the LabPanel context (QT_TRANSLATE_NOOP only marks it for lupdate)
FIXED_MODEL_NOTE = QT_TRANSLATE_NOOP("LabPanel", "A run is training: the {view} takes its model "
                                     "when the run ends (or view a moment of a run in Runs).")


@dataclass
class LabSnapshot:
    """What one worker run hands back to the GUI thread (copies only)."""

    result: LabResult
    view: UnitView | None
    layer: int
    unit: int
    edits: list[str]
    can_undo: bool
    can_redo: bool
    edited: MLP | None  # a copy when the edits changed in this run, else None
    in_force: list  # the Edit records in force (frozen dataclasses)
    images: np.ndarray  # (N, 784) uint8 test digits (for the top-9 mosaic)


class _LabState:
    """Lives in the worker thread's hands: the Lab and the original model's activations."""

    def __init__(self, model: MLP, raw: RawMnist) -> None:
        X, y, images = test_set_for(raw, model.classes, model.input_mean, model.input_std)
        self.lab = Lab(model, X, y)
        self.images = images
        self.activations = model.layer_outputs(X)[:-1]  # hidden layers, original model

    def apply(self, operations: list[Callable[[Lab], None]], layer: int, unit: int) -> LabSnapshot:
        before = (self.lab.position, len(self.lab.history))
        history_before = list(self.lab.edits)
        for operation in operations:
            operation(self.lab)
        result = self.lab.results()
        view = None
        if self.activations and 0 <= layer < len(self.activations):
            unit = min(unit, self.activations[layer].shape[1] - 1)
            view = unit_view(self.lab.model, layer, unit, self.activations[layer])
        changed = (self.lab.position, len(self.lab.history)) != before or \
            self.lab.edits != history_before
        return LabSnapshot(result, view, layer, unit, self.lab.describe(), self.lab.can_undo,
                           self.lab.can_redo, self.lab.model.clone() if changed else None,
                           list(self.lab.edits), self.images)


def _prepare(model: MLP, raw: RawMnist, generation: int, layer: int, unit: int) -> tuple:
    state = _LabState(model, raw)
    return generation, state, state.apply([], layer, unit)


def mosaic(images: np.ndarray, indices: np.ndarray, cols: int = 3) -> np.ndarray:
    """The digits ``images[indices]`` (each 784 uint8) tiled ``cols`` wide with a 1 px gap."""
    rows = max(1, math.ceil(len(indices) / cols))
    out = np.full((rows * 29 - 1, cols * 29 - 1), 40, np.uint8)
    for k, i in enumerate(indices):
        r, c = divmod(k, cols)
        out[r * 29 : r * 29 + 28, c * 29 : c * 29 + 28] = images[i].reshape(28, 28)
    return out


def weight_image(weights: np.ndarray) -> np.ndarray:
    """Incoming weights as an image: 28x28 for 784 inputs, else a near-square grid."""
    n = len(weights)
    side = math.isqrt(n)
    if side * side == n:
        return weights.reshape(side, side)
    cols = math.ceil(math.sqrt(n))
    grid = np.zeros(cols * math.ceil(n / cols), np.float32)
    grid[:n] = weights
    return grid.reshape(-1, cols)


class LabPanel(QWidget):
    model_edited = Signal(object)
    results_shown = Signal(object)
    model_saved = Signal(str)  # the path of an edited model just written
    follows = frozenset({Change.RESET, Change.MODEL, Change.ENDED, Change.DATA})

    def __init__(self, parent: QWidget | None = None, jobs: Jobs | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._owns_jobs = panel_jobs(self, jobs)
        self._given: tuple | None = None  # (model or "training", data) last rendered
        self._state: _LabState | None = None
        self._model: MLP | None = None
        self._queue: list[Callable[[Lab], None]] = []
        self._running = 0  # the number of the job in progress (0: none)
        self._generation = 0  # bumped by set_model: results of an older model are dropped
        self._noise_seed = 0
        self._last: LabSnapshot | None = None
        self._closing = False
        self._pending_start: Callable[[], object] | None = None
        self._rerun = False  # a request (edit or unit) came after the running one started
        self._original_accuracy: float | None = None
        self._undo_ok = self._redo_ok = False
        self._config: dict | None = None
        self.save_folder = ""  # where "Save edited model…" opens (the window keeps it current)

        self.layer_combo = ComboBox()
        self.layer_combo.setToolTip(self.tr("The hidden layer of the unit shown"))
        self.layer_combo.setMinimumContentsLength(16)
        self.unit_spin = SpinBox()
        self.unit_spin.setToolTip(self.tr("The unit (0-based) of that layer; click a unit in "
                                          "the weights heatmap or Inspect to pick it there"))
        self.scale_spin = QDoubleSpinBox()
        self.scale_spin.setRange(-10, 10)
        self.scale_spin.setSingleStep(0.5)
        self.scale_spin.setValue(2.0)
        self.scale_spin.setToolTip(
            self.tr("The factor 'Scale unit' multiplies the unit's output by")
        )
        self.prune_spin = QDoubleSpinBox()
        self.prune_spin.setRange(0, 100)
        self.prune_spin.setSuffix(" %")
        self.prune_spin.setValue(50)
        self.prune_spin.setToolTip(
            self.tr("Share of the weights with the smallest magnitude to set to 0")
        )
        self.per_layer_check = QCheckBox(self.tr("per layer"))
        self.per_layer_check.setToolTip(self.tr("Prune that share in each layer separately (else "
                                                "over all weights together)"))
        self.noise_spin = QDoubleSpinBox()
        self.noise_spin.setRange(0, 10)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setValue(0.2)
        self.noise_spin.setToolTip(self.tr("Noise standard deviation, relative to each layer's "
                                           "weight RMS"))
        self.off_button = make_button(self.tr("Switch off"), self.tr("Set this unit's output to 0"),
                                      self._on_off_clicked, "lab_off")
        self.scale_button = make_button(self.tr("Scale unit"), self.tr(
            "Set this unit's output factor (replaces an earlier factor, or switching it off)"),
                                        self._on_scale_clicked, "lab_scale")
        self.prune_button = make_button(
            self.tr("Prune"),
            self.tr("Zero the smallest weights (biases are kept)"),
            self._on_prune_clicked,
            "lab_prune",
        )
        self.noise_button = make_button(
            self.tr("Add noise"),
            self.tr("Add seeded Gaussian noise to every non-zero weight"),
            self._on_noise_clicked,
            "lab_noise",
        )
        self.undo_button = make_button(self.tr("Undo"), self.tr("Undo the last edit"),
                                       self._on_undo_clicked, "lab_undo")
        self.redo_button = make_button(self.tr("Redo"), self.tr("Redo the edit undone last"),
                                       self._on_redo_clicked, "lab_redo")
        self.reset_button = make_button(
            self.tr("Reset"),
            self.tr("Back to the original model (redo still works)"),
            self._on_reset_clicked,
            "lab_reset",
        )
        self.save_button = make_button(
            self.tr("Save edited model…"),
            self.tr("Save the edited model; its file records the edits"),
            self._on_save_clicked,
            "lab_save",
        )
        self.accuracy_label = QLabel(self.tr("No model yet: train one or open a model file."))
        self.accuracy_label.setObjectName("lab_accuracy")
        self.accuracy_label.setToolTip(self.tr("Test accuracy of the edited model (and of the "
                                               "original)"))
        self.edits_list = QListWidget()
        self.edits_list.setToolTip(self.tr("The edits in force, oldest first"))
        self.edits_list.setMaximumHeight(70)

        self.plots = plots = pg.GraphicsLayoutWidget()
        plots.setBackground("w")
        plots.setToolTip(self.tr("The selected unit: incoming weights (red +, blue −), the 9 "
                                 "test digits that activate it most, its outgoing path to each "
                                 "class"))
        self.incoming_plot = plots.addPlot(title=self.tr("incoming weights"))
        self.incoming_image = image_item(self.incoming_plot, cmap=diverging_colormap())
        self.top_plot = plots.addPlot(title=self.tr("9 most-activating digits"))
        self.top_image = image_item(self.top_plot)
        self.outgoing_plot = plots.addPlot(title=self.tr("path to each class"))
        self.outgoing_plot.setMouseEnabled(False, False)
        self.outgoing_plot.hideButtons()
        self._bars: pg.BarGraphItem | None = None

        self.confusion_table = self._table(self.tr("Confusion matrix of the edited model: rows "
                                                   "true class, columns predicted"))
        self.class_table = self._table(self.tr("Per-class precision, recall, F1 and support"))

        unit_row = QHBoxLayout()
        unit_row.addWidget(QLabel(self.tr("Layer")))
        unit_row.addWidget(self.layer_combo)
        unit_row.addWidget(QLabel(self.tr("Unit")))
        unit_row.addWidget(self.unit_spin)
        unit_row.addWidget(self.off_button)
        unit_row.addSpacing(12)
        unit_row.addWidget(QLabel("×"))
        unit_row.addWidget(self.scale_spin)
        unit_row.addWidget(self.scale_button)
        unit_row.addStretch(1)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.prune_spin)
        edit_row.addWidget(self.per_layer_check)
        edit_row.addWidget(self.prune_button)
        edit_row.addSpacing(12)
        edit_row.addWidget(QLabel(self.tr("noise")))
        edit_row.addWidget(self.noise_spin)
        edit_row.addWidget(self.noise_button)
        edit_row.addStretch(1)
        history_row = QHBoxLayout()
        for button in (self.undo_button, self.redo_button, self.reset_button, self.save_button):
            history_row.addWidget(button)
        history_row.addStretch(1)
        controls = QVBoxLayout()
        controls.addLayout(unit_row)
        controls.addLayout(edit_row)
        controls.addLayout(history_row)

        tables = QHBoxLayout()
        tables.addWidget(self.confusion_table, 3)
        tables.addWidget(self.class_table, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(plots, 3)
        status = QHBoxLayout()
        status.addWidget(self.accuracy_label, 2)
        status.addWidget(self.edits_list, 3)
        layout.addLayout(status)
        layout.addLayout(tables, 3)

        self.layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        self.unit_spin.valueChanged.connect(self._on_unit_changed)
        self._update_enabled()

    # ------------------------------------------------------------------------ view
    def render(self, state: CurrentModel) -> None:
        """The lab edits a fixed model: the shown one, or, while a run trains, the run's
        last when it ends (a note says so meanwhile)."""
        source = "training" if state.following_live_run else state.shown_model
        given = (source, id(state.raw))
        if self._given is not None and self._given[0] is given[0] and self._given[1] == given[1]:
            return
        self._given = given
        if source == "training":
            self.show_note(self.tr(FIXED_MODEL_NOTE).format(view=self.tr("lab")))
        else:
            self.set_model(state.shown_model, state.raw, state.shown_config)

    # ------------------------------------------------------------------------ public
    def set_model(self, model: MLP | None, raw: RawMnist | None, config: dict | None = None) -> None:
        """``config``: the TrainConfig dict the model was trained with, saved with the edited
        model (so opening it fills the settings form like any model file)."""
        self._config = config
        self._generation += 1
        self._queue.clear()
        self._rerun = False
        self._state = None
        self._last = None
        self._original_accuracy = None
        self._undo_ok = self._redo_ok = False
        self._model = None if model is None else model.clone()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        if self._model is not None:
            for l, width in enumerate(self._model.layer_sizes[1:-1]):
                self.layer_combo.addItem(self.tr("hidden {layer} ({units})").format(
                    layer=l + 1, units=self.tr("%Ln unit(s)", "", width)), l)
        self.layer_combo.blockSignals(False)
        self._set_unit_range()
        self.edits_list.clear()
        self._clear_results()  # the previous model's numbers must not stay under a new heading
        if self._model is None or raw is None:
            self.accuracy_label.setText(self.tr("No model yet: train one or open a model file."))
            self._update_enabled()
            return
        self.accuracy_label.setText(self.tr("Scoring the model on the test digits…"))
        copy, generation = self._model.clone(), self._generation
        layer, unit = self._layer(), self.unit_spin.value()
        self._start(lambda: _prepare(copy, raw, generation, layer, unit))
        self._update_enabled()

    def show_note(self, text: str) -> None:
        """No model to edit, and why (e.g. a run is training)."""
        self.set_model(None, None)
        self.accuracy_label.setText(text)

    def has_model(self) -> bool:
        return self._model is not None

    def is_busy(self) -> bool:
        """An edit or the scoring of a model is still running."""
        return bool(self._running) or bool(self._queue)

    def select_unit(self, layer: int, unit: int) -> None:
        """Show hidden unit ``unit`` of hidden layer ``layer`` (both 0-based)."""
        index = self.layer_combo.findData(layer)
        if index < 0:
            return
        self.layer_combo.setCurrentIndex(index)
        self.unit_spin.setValue(unit)
        self._submit(None)

    def save_to(self, path: str | Path) -> Path | None:
        """Write the edited model as shown now to ``path``; returns the path written (None
        while no result is shown). Raises ModelFileError for a bad path."""
        if self._last is None or self._state is None:
            return None
        # the worker may be busy: replay what was scored last on the (never changed) original
        edits = self._last.in_force
        model = baked(apply_edits(self._state.lab.original, edits))
        return save_model(path, model, self._config, {"test_accuracy": self._last.result.accuracy},
                          [edit_as_dict(e) for e in edits])

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        self._closing = True
        self._queue.clear()
        return self._jobs.shutdown(timeout_ms) if self._owns_jobs else True

    # ------------------------------------------------------------------ worker
    def _submit(self, operation: Callable[[Lab], None] | None) -> None:
        if self._state is None or self._closing:
            return
        if operation is not None:
            self._queue.append(operation)
        self._rerun = True
        if not self._running:
            self._start_queue()

    def _start_queue(self) -> None:
        state, generation = self._state, self._generation
        operations, self._queue = self._queue, []
        self._rerun = False
        layer, unit = self._layer(), self.unit_spin.value()
        self._start(lambda: (generation, state, state.apply(operations, layer, unit)))

    def _start(self, function: Callable[[], object]) -> None:
        if self._running:  # a new model while one runs: start when it ends
            self._pending_start = function
            return
        self._pending_start = None
        self._running = self._jobs.submit(
            "lab.run", function, on_done=self._on_worker_yielded,
            on_failed=self._on_worker_errored, on_ended=self._on_thread_finished)

    @guarded
    def _on_worker_yielded(self, value: object) -> None:
        generation, state, snapshot = value  # type: ignore[misc]
        if generation != self._generation or self._closing:
            return
        self._state = state
        if snapshot.edited is not None:
            self.model_edited.emit(snapshot.edited)
        if (snapshot.layer, snapshot.unit) != (self._layer(), self.unit_spin.value()):
            self._rerun = True  # another unit was chosen while this ran (e.g. while scoring)
        if self._queue or self._rerun:  # stale: more edits (or another unit) follow
            return
        self._show(snapshot)

    @guarded
    def _on_worker_errored(self, message: str) -> None:
        self.accuracy_label.setText(self.tr("Lab: {message}").format(message=message))

    @guarded
    def _on_thread_finished(self) -> None:
        if not self._running:
            return
        self._running = 0
        if self._closing:
            return
        pending = self._pending_start
        if pending is not None:
            self._start(pending)
        elif self._rerun and self._state is not None:
            self._start_queue()

    # ------------------------------------------------------------------ display
    def _show(self, snapshot: LabSnapshot) -> None:
        self._last = snapshot
        result = snapshot.result
        base = self._state.lab if self._state else None
        original = self._original_accuracy
        if not snapshot.edits:
            self._original_accuracy = original = result.accuracy
        text = self.tr("Test accuracy <b>{accuracy}</b>").format(accuracy=percent(result.accuracy))
        if original is not None and snapshot.edits:
            text += " " + self.tr("(original {accuracy})").format(accuracy=percent(original))
        text += "<br>" + self.tr("{zeros} of weights are 0, %n unit(s) off; scored in {ms} ms", "",
                                 result.units_off).format(zeros=percent(result.sparsity, 1),
                                                          ms=round(1000 * result.seconds))
        self.accuracy_label.setText(text)
        self.edits_list.clear()
        self.edits_list.addItems(snapshot.edits or [self.tr("(no edits: the original model)")])
        self._undo_ok, self._redo_ok = snapshot.can_undo, snapshot.can_redo
        self._fill_tables(result, base.original.classes if base else list(range(10)))
        if snapshot.view is not None:
            self._show_view(snapshot)
        self._update_enabled()
        self.results_shown.emit(result)

    def _fill_tables(self, result: LabResult, classes: list[int]) -> None:
        k = len(classes)
        table = self.confusion_table
        table.setRowCount(k)
        table.setColumnCount(k)
        names = [str(c) for c in classes]
        table.setHorizontalHeaderLabels(names)
        table.setVerticalHeaderLabels(names)
        for i in range(k):
            for j in range(k):
                value = int(result.confusion[i, j])
                item = QTableWidgetItem(str(value) if value else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if i == j:
                    item.setBackground(pg.mkColor(200, 235, 200))
                elif value:
                    item.setBackground(pg.mkColor(255, 225, 215))
                table.setItem(i, j, item)
        report = result.report
        table = self.class_table
        table.setRowCount(k)
        table.setColumnCount(4)
        table.setHorizontalHeaderLabels([self.tr("precision"), self.tr("recall"), "F1",
                                         self.tr("support")])
        table.setVerticalHeaderLabels(names)
        for i in range(k):
            for j, value in enumerate((report.precision[i], report.recall[i], report.f1[i])):
                table.setItem(i, j, QTableWidgetItem(number(value, 3)))
            table.setItem(i, 3, QTableWidgetItem(str(int(report.support[i]))))

    def _clear_results(self) -> None:
        for table in (self.confusion_table, self.class_table):
            table.setRowCount(0)
            table.setColumnCount(0)
        blank = np.zeros((28, 28), np.float32)
        self.incoming_image.setImage(blank, levels=(-1, 1))
        self.incoming_plot.setTitle(self.tr("incoming weights"))
        self.top_image.setImage(blank, levels=(0, 1))
        if self._bars is not None:
            self.outgoing_plot.removeItem(self._bars)
            self._bars = None
        self.off_button.setText(self.tr("Switch off"))

    def _show_view(self, snapshot: LabSnapshot) -> None:
        view = snapshot.view
        self.off_button.setText(self.tr("Switch on") if view.scale == 0 else self.tr("Switch off"))
        self.off_button.setToolTip(self.tr("Give this unit its output back (factor 1)")
                                   if view.scale == 0 else self.tr("Set this unit's output to 0"))
        image = weight_image(view.incoming.astype(np.float32))
        m = float(np.abs(image).max()) or 1.0
        self.incoming_image.setImage(image, levels=(-m, m))
        self.incoming_plot.setTitle(self.tr("incoming weights of unit {unit}").format(
            unit=snapshot.unit))
        self.top_image.setImage(mosaic(snapshot.images, view.top_digits), levels=(0, 255))
        classes = self._state.lab.original.classes if self._state else list(range(10))
        heights = np.asarray(view.per_class, np.float64).reshape(-1)
        x = np.arange(len(heights))
        if self._bars is not None:
            self.outgoing_plot.removeItem(self._bars)
        brushes = [pg.mkBrush(200, 60, 60) if h >= 0 else pg.mkBrush(60, 90, 200) for h in heights]
        self._bars = pg.BarGraphItem(x=x, height=heights, width=0.7, brushes=brushes)
        self.outgoing_plot.addItem(self._bars)
        ticks = [(i, str(c)) for i, c in enumerate(classes[: len(heights)])] \
            if len(heights) == len(classes) else [(0, self.tr("out"))]
        self.outgoing_plot.getAxis("bottom").setTicks([ticks])

    # ------------------------------------------------------------------ controls
    def _layer(self) -> int:
        data = self.layer_combo.currentData()
        return -1 if data is None else int(data)

    def _set_unit_range(self) -> None:
        layer = self._layer()
        width = self._model.layer_sizes[layer + 1] if self._model is not None and layer >= 0 else 1
        self.unit_spin.blockSignals(True)
        self.unit_spin.setRange(0, max(0, width - 1))
        self.unit_spin.blockSignals(False)

    def _update_enabled(self) -> None:
        ready = self._state is not None and self._model is not None
        has_hidden = ready and self.layer_combo.count() > 0
        for widget in (self.off_button, self.scale_button, self.unit_spin, self.layer_combo):
            widget.setEnabled(has_hidden)
        for widget in (self.prune_button, self.noise_button, self.save_button, self.reset_button):
            widget.setEnabled(ready)
        self.undo_button.setEnabled(ready and self._undo_ok)
        self.redo_button.setEnabled(ready and self._redo_ok)

    @guarded
    def _on_layer_changed(self, _index: int) -> None:
        self._set_unit_range()
        self._submit(None)

    @guarded
    def _on_unit_changed(self, _value: int) -> None:
        self._submit(None)

    @guarded
    def _on_off_clicked(self) -> None:
        """Switch the unit off, or back on if it is off now."""
        view = self._last.view if self._last is not None else None
        is_off = (view is not None and view.scale == 0 and self._last is not None
                  and (self._last.layer, self._last.unit) == (self._layer(), self.unit_spin.value()))
        edit = ScaleUnit(self._layer(), self.unit_spin.value(), 1.0 if is_off else 0.0)
        self._submit(lambda lab: lab.apply(edit))

    @guarded
    def _on_scale_clicked(self) -> None:
        edit = ScaleUnit(self._layer(), self.unit_spin.value(), float(self.scale_spin.value()))
        self._submit(lambda lab: lab.apply(edit))

    @guarded
    def _on_prune_clicked(self) -> None:
        edit = Prune(self.prune_spin.value() / 100, per_layer=self.per_layer_check.isChecked())
        self._submit(lambda lab: lab.apply(edit))

    @guarded
    def _on_noise_clicked(self) -> None:
        self._noise_seed += 1
        edit = WeightNoise(float(self.noise_spin.value()), seed=self._noise_seed)
        self._submit(lambda lab: lab.apply(edit))

    @guarded
    def _on_undo_clicked(self) -> None:
        self._submit(Lab.undo)

    @guarded
    def _on_redo_clicked(self) -> None:
        self._submit(Lab.redo)

    @guarded
    def _on_reset_clicked(self) -> None:
        self._submit(Lab.reset)

    @guarded
    def _on_save_clicked(self) -> None:
        folder = self.save_folder if Path(self.save_folder).is_dir() else str(Path.home())
        dialog = QFileDialog(self, self.tr("Save edited model"), str(Path(folder) / "edited.npz"),
                             self.tr("mnist-gui models (*.npz)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("npz")
        dialog.fileSelected.connect(self._on_save_chosen)
        dialog.open()

    @guarded
    def _on_save_chosen(self, path: str) -> None:
        from ...core.errors import MnistGuiError

        try:
            written = self.save_to(path)
        except MnistGuiError as exc:
            self.accuracy_label.setText(self.tr("Could not save: {error}").format(error=exc))
            return
        if written is not None:
            self.accuracy_label.setText(self.accuracy_label.text() + "<br>"
                                        + self.tr("Saved to {path}").format(path=written))
            self.model_saved.emit(str(written))

    # ------------------------------------------------------------------ parts

    @staticmethod
    def _table(tip: str) -> QTableWidget:
        table = QTableWidget()
        table.setToolTip(tip)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # four-digit counts in ten columns at 1024 px: a point smaller, never "11…"
        font = table.font()
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        table.setFont(font)
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        table.verticalHeader().setMinimumSectionSize(14)
        return table
