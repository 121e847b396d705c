"""The lab: change a trained network by hand and see what it does to the test results.

Edits are small records (JSON-safe through ``as_dict``): switch a hidden unit off or scale
it, prune the smallest weights, add weight noise. A ``Lab`` keeps the original model
untouched and a history of edits with undo/redo; the edited model is always the original
with the edits up to the current position replayed on a copy, so undo is exact and noise is
the same every time (each noise edit carries its seed).

Results are recomputed through the layers whose inputs changed only: the lab caches each
layer's output on the test set with the weights and unit scales that produced it, and
starts the forward pass at the first layer that differs (switching off a unit in the last
hidden layer costs one small GEMM, not a pass through the whole network).

Undo and redo are cheap: the lab keeps the last few states' parameters and unit scales
(``STATES_KEPT``) and every scored state's results, both keyed by the edits in force, so
going back to a state already seen restores it with one copy and scores nothing.

Saving bakes unit scales into the next layer's weight rows (``a * s @ W == a @ (s W)``), so
an edited model is a plain model file; its meta records the edits (``edits``).
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .errors import ConfigError
from .metrics import ClassReport, classification_report, confusion_matrix
from .network import MLP

#: How many edited models (parameters and unit scales) undo/redo keep to restore without
#: replaying edits: 5 MB each for 784-800-800-10.
STATES_KEPT = 8
#: How many scored states' results are kept (a few KB each).
RESULTS_KEPT = 256

# ---------------------------------------------------------------------------------- edits


@dataclass(frozen=True)
class ScaleUnit:
    """Set the output scale of hidden unit ``unit`` of hidden layer ``layer`` (0-based) to
    ``scale``: 0 switches it off, 1 switches it back on, 2 doubles it."""

    layer: int
    unit: int
    scale: float = 0.0
    kind: str = field(default="scale_unit", init=False)

    def apply(self, model: MLP) -> None:
        model.set_unit_scale(self.layer, self.unit, self.scale)

    def describe(self) -> str:
        what = ("off" if self.scale == 0 else "back on" if self.scale == 1
                else f"output x{self.scale:g}")
        return f"unit {self.unit} of hidden layer {self.layer + 1} {what}"


@dataclass(frozen=True)
class Prune:
    """Zero the ``fraction`` of weights with the smallest magnitude, over all weight layers
    together (``per_layer`` False) or in each layer separately; biases are kept. Weights
    already zero count among the smallest, so the result has at least that sparsity."""

    fraction: float
    per_layer: bool = False
    kind: str = field(default="prune", init=False)

    def apply(self, model: MLP) -> None:
        if self.per_layer:
            for W in model.W:
                _zero_smallest([W], self.fraction)
        else:
            _zero_smallest(model.W, self.fraction)

    def describe(self) -> str:
        where = "in each layer" if self.per_layer else "over all layers"
        return f"prune the smallest {100 * self.fraction:g}% of weights {where}"


@dataclass(frozen=True)
class WeightNoise:
    """Add N(0, s^2) to every weight that is not zero (pruned connections stay pruned;
    biases are left alone), s = ``std`` times the layer's weight RMS if ``relative``
    (comparable across layers), else ``std`` itself. Seeded."""

    std: float
    seed: int = 0
    relative: bool = True
    kind: str = field(default="weight_noise", init=False)

    def apply(self, model: MLP) -> None:
        rng = np.random.default_rng(self.seed)
        for W in model.W:
            s = self.std * (float(np.sqrt(np.mean(np.square(W, dtype=np.float64)))) if self.relative else 1.0)
            noise = rng.standard_normal(W.shape, dtype=np.float32) * np.float32(s)
            noise *= W != 0
            W += noise.astype(W.dtype, copy=False)

    def describe(self) -> str:
        unit = " x layer RMS" if self.relative else ""
        return f"weight noise {self.std:g}{unit} (seed {self.seed})"


Edit = ScaleUnit | Prune | WeightNoise
EDIT_TYPES: dict[str, type] = {"scale_unit": ScaleUnit, "prune": Prune, "weight_noise": WeightNoise}


def _zero_smallest(arrays: list[np.ndarray], fraction: float) -> None:
    """Make the round(fraction * n) entries with the smallest magnitude zero, n the number of
    entries of ``arrays`` together (changed in place). Zeros already there count; the rest
    are the non-zero entries below the k-th smallest magnitude, then as many as needed of
    those equal to it, first in order (layer by layer, row by row): deterministic ties.

    One partition of the non-zero magnitudes finds that threshold (np.partition on values:
    no index arrays, and zeros left out since selection is slow on many equal values)."""
    n = sum(a.size for a in arrays)
    k = round(fraction * n)
    if k <= 0:
        return
    if k >= n:
        for a in arrays:
            a[...] = 0
        return
    magnitudes = np.concatenate([np.abs(a).reshape(-1) for a in arrays])
    nonzero = magnitudes[magnitudes != 0]
    k -= n - len(nonzero)  # to pick among the non-zero ones
    if k <= 0:
        return
    if k >= len(nonzero):
        for a in arrays:
            a[...] = 0
        return
    threshold = np.partition(nonzero, k - 1)[k - 1]
    ties = k - int(np.count_nonzero(nonzero < threshold))  # of those == threshold, to zero
    offset = 0
    for a in arrays:
        part = magnitudes[offset : offset + a.size].reshape(a.shape)
        offset += a.size
        if ties > 0:
            equal = np.flatnonzero(part == threshold)
            a.reshape(-1)[equal[:ties]] = 0
            ties -= min(ties, len(equal))
        a[part < threshold] = 0


def edit_as_dict(edit: Edit) -> dict[str, Any]:
    return asdict(edit)


def edit_from_dict(data: Any) -> Edit:
    """An edit from ``edit_as_dict``'s form; ConfigError names what is wrong."""
    if not isinstance(data, dict) or data.get("kind") not in EDIT_TYPES:
        raise ConfigError(f"an edit must be an object with kind one of {', '.join(EDIT_TYPES)}, "
                          f"got {data!r}")
    cls = EDIT_TYPES[data["kind"]]
    try:
        edit = cls(**{k: v for k, v in data.items() if k != "kind"})
    except TypeError as exc:
        raise ConfigError(f"bad {data['kind']} edit: {exc}") from None
    check_edit(edit)
    return edit


def check_edit(edit: Edit, model: MLP | None = None) -> None:
    """Raise ConfigError (naming the field) for an edit that cannot apply."""
    if isinstance(edit, Prune):
        if not (isinstance(edit.fraction, (int, float)) and 0 <= edit.fraction <= 1):
            raise ConfigError(f"prune fraction must be between 0 and 1, got {edit.fraction!r}")
    elif isinstance(edit, WeightNoise):
        if not (isinstance(edit.std, (int, float)) and 0 <= edit.std < 1e6 and np.isfinite(edit.std)):
            raise ConfigError(f"weight noise std must be a finite number >= 0, got {edit.std!r}")
        if not isinstance(edit.seed, int) or edit.seed < 0:
            raise ConfigError(f"weight noise seed must be an integer >= 0, got {edit.seed!r}")
    elif isinstance(edit, ScaleUnit):
        if not (isinstance(edit.scale, (int, float)) and np.isfinite(edit.scale)):
            raise ConfigError(f"unit scale must be a finite number, got {edit.scale!r}")
        if not isinstance(edit.layer, int) or not isinstance(edit.unit, int):
            raise ConfigError("a unit's layer and index must be integers")
        if model is not None:
            if not 0 <= edit.layer < len(model.hidden):
                raise ConfigError(f"hidden layer {edit.layer + 1} does not exist "
                                  f"(the network has {len(model.hidden)})")
            width = model.layer_sizes[edit.layer + 1]
            if not 0 <= edit.unit < width:
                raise ConfigError(f"unit {edit.unit} does not exist (this layer has {width})")
    else:
        raise ConfigError(f"unknown edit {edit!r}")


def apply_edits(model: MLP, edits: list[Edit]) -> MLP:
    """A copy of ``model`` with ``edits`` applied in order (the model is left alone)."""
    edited = model.clone()
    for edit in edits:
        check_edit(edit, edited)
        edit.apply(edited)
    return edited


def baked(model: MLP) -> MLP:
    """A copy without unit scales: each scale folded into the next layer's weight row, so
    the copy computes the same function and saves as a plain model file."""
    out = model.clone()
    for l, layer in enumerate(out.hidden):
        if layer.unit_scale is not None:
            out.dense[l + 1].W *= layer.unit_scale.astype(out.dtype)[:, None]
    out.clear_unit_scales()
    return out


# ------------------------------------------------------------------------------- results


@dataclass
class LabResult:
    """Test results of the edited model. confusion: (K, K) rows true, columns predicted."""

    accuracy: float
    confusion: np.ndarray
    report: ClassReport
    sparsity: float  # fraction of weights (not biases) that are exactly zero
    units_off: int  # hidden units whose scale is 0
    seconds: float  # time to recompute

    def as_dict(self) -> dict:
        return {"accuracy": self.accuracy, "confusion_matrix": self.confusion.tolist(),
                "classification_report": self.report.as_dict(), "sparsity": self.sparsity,
                "units_off": self.units_off}


@dataclass
class _Cached:
    arrays: list[np.ndarray]  # copies of the block's parameters and state, when computed
    input_scale: np.ndarray | None  # the unit scales of the layer before, when computed
    activation: np.ndarray  # this block's output after its activation, before scaling


def _block_arrays(block) -> list[np.ndarray]:
    """The arrays a block's output depends on (its dense layer's, its normalisation's
    parameters and running statistics), views."""
    arrays = []
    for layer in [block.dense, *block.transforms]:
        arrays += [p.value for p in layer.parameters] + list(layer.state.values())
    return arrays


class Lab:
    """A trained model, a history of edits with undo/redo, and the test results of the
    edited model. X: (N, D) test inputs standardised for the model, y: (N,) class indices."""

    def __init__(self, model: MLP, X: np.ndarray, y: np.ndarray) -> None:
        if X.shape[1] != model.layer_sizes[0]:
            raise ConfigError(f"the model takes {model.layer_sizes[0]} inputs, not {X.shape[1]}")
        self.original = model.clone()
        self.X = np.ascontiguousarray(X, dtype=model.dtype)
        self.y = np.asarray(y)
        self.history: list[Edit] = []
        self.position = 0  # edits history[:position] are in force
        self._model = self.original.clone()
        self._cache: list[_Cached | None] = [None] * model.n_layers
        self._buffers: dict[tuple[str, int], np.ndarray] = {}
        self._states: OrderedDict[tuple, tuple[np.ndarray, list]] = OrderedDict()
        self._scored: OrderedDict[tuple, LabResult] = OrderedDict()

    # -- history
    @property
    def edits(self) -> list[Edit]:
        """The edits in force, in order."""
        return self.history[: self.position]

    @property
    def model(self) -> MLP:
        """The edited model (the lab's own: clone it before handing it to another thread)."""
        return self._model

    @property
    def can_undo(self) -> bool:
        return self.position > 0

    @property
    def can_redo(self) -> bool:
        return self.position < len(self.history)

    def apply(self, edit: Edit) -> None:
        """Apply ``edit`` on top of the current ones; any undone edits are dropped."""
        check_edit(edit, self._model)
        self._keep_state()
        del self.history[self.position :]
        self.history.append(edit)
        self.position += 1
        edit.apply(self._model)

    def undo(self) -> None:
        if self.can_undo:
            self._keep_state()
            self.position -= 1
            if not self._restore_state():
                self._model = apply_edits(self.original, self.edits)

    def redo(self) -> None:
        if self.can_redo:
            self._keep_state()
            self.position += 1
            if not self._restore_state():
                self.history[self.position - 1].apply(self._model)

    def reset(self) -> None:
        """Back to the original model (the history stays for redo)."""
        self._keep_state()
        self.position = 0
        self._model = self.original.clone()

    def _key(self) -> tuple:
        """The state: the edits in force (the edited model follows from them exactly)."""
        return tuple(self.edits)

    def _keep_state(self) -> None:
        key = self._key()
        states = self._states
        if key in states:
            states.move_to_end(key)
            return
        scales = [None if h.unit_scale is None else h.unit_scale.copy() for h in self._model.hidden]
        states[key] = (self._model.params.copy(), scales)
        while len(states) > STATES_KEPT:
            states.popitem(last=False)

    def _restore_state(self) -> bool:
        state = self._states.get(self._key())
        if state is None:
            return False
        params, scales = state
        np.copyto(self._model.params, params)
        for hidden, scale in zip(self._model.hidden, scales):
            hidden.unit_scale = None if scale is None else scale.copy()
        return True

    def edits_as_dicts(self) -> list[dict]:
        return [edit_as_dict(e) for e in self.edits]

    def describe(self) -> list[str]:
        return [e.describe() for e in self.edits]

    def saved_model(self) -> MLP:
        """The edited model with unit scales folded into weights (what ``save_model`` gets)."""
        return baked(self._model)

    # -- results
    def results(self) -> LabResult:
        """Accuracy, confusion and per-class table of the edited model on the test set."""
        t0 = time.perf_counter()
        key = self._key()
        known = self._scored.get(key)
        if known is not None:  # a state scored before (undo, redo)
            self._scored.move_to_end(key)
            return dataclasses.replace(known, confusion=known.confusion.copy(),
                                       seconds=time.perf_counter() - t0)
        result = self._score()
        result.seconds = time.perf_counter() - t0
        self._scored[key] = dataclasses.replace(result, confusion=result.confusion.copy())
        while len(self._scored) > RESULTS_KEPT:
            self._scored.popitem(last=False)
        return result

    def _score(self) -> LabResult:
        t0 = time.perf_counter()
        model = self._model
        out = self.X
        reuse = True  # while every layer so far is as cached, so is this layer's input
        input_scale = None
        for l, block in enumerate(model.blocks):
            dense, hidden = block.dense, block.activation
            arrays = _block_arrays(block)
            cached = self._cache[l]
            if reuse and cached is not None and _same(cached, arrays, input_scale):
                a = cached.activation
            else:
                reuse = False
                # into the same buffers every time: fresh 30 MB arrays cost more in page
                # faults than the arithmetic
                a = np.matmul(out, dense.W, out=self._buffer("a", l, dense.fan_out))
                a += dense.b
                for layer in block.transforms:  # a normalisation: in place, own arrays
                    a = layer.infer(a, overwrite_x=True)
                if hidden is not None:
                    hidden.apply(a, a)
                self._cache[l] = _Cached([x.copy() for x in arrays],
                                         None if input_scale is None else input_scale.copy(), a)
            # unit scales are applied on the way out: changing one recomputes the layers
            # after it, never this layer's GEMM
            input_scale = None if hidden is None else hidden.unit_scale
            if input_scale is not None:
                a = np.multiply(a, input_scale.astype(a.dtype),
                                out=self._buffer("scaled", l, dense.fan_out))
            out = a
        predicted = model.predicted_index(out)
        k = len(model.classes)
        confusion = confusion_matrix(self.y, predicted, k)
        n_weights = sum(W.size for W in model.W)
        zeros = sum(int(np.count_nonzero(W == 0)) for W in model.W)
        units_off = sum(int(np.count_nonzero(h.unit_scale == 0)) for h in model.hidden
                        if h.unit_scale is not None)
        return LabResult(
            accuracy=float(np.mean(predicted == self.y)) if len(self.y) else float("nan"),
            confusion=confusion,
            report=classification_report(confusion, model.classes),
            sparsity=zeros / n_weights,
            units_off=units_off,
            seconds=time.perf_counter() - t0,
        )


    def _buffer(self, name: str, layer: int, width: int) -> np.ndarray:
        buffer = self._buffers.get((name, layer))
        if buffer is None:
            buffer = self._buffers[name, layer] = np.empty((len(self.X), width), self.X.dtype)
        return buffer


def _same(cached: _Cached, arrays: list[np.ndarray], input_scale: np.ndarray | None) -> bool:
    if (cached.input_scale is None) != (input_scale is None) or (
            input_scale is not None and not np.array_equal(cached.input_scale, input_scale)):
        return False
    # the small arrays first: a changed bias or scale is found before a large W is compared
    order = sorted(range(len(arrays)), key=lambda i: arrays[i].size)
    return all(np.array_equal(cached.arrays[i], arrays[i]) for i in order)


# ----------------------------------------------------------------------------- one unit


@dataclass
class UnitView:
    """What the lab shows for one hidden unit: its incoming weights (fan_in,) (an image for
    the first layer), the test digits that activate it most (indices, best first, and their
    activations), its outgoing weights (next layer's width,), and its linear path to each
    class (the product of weights to the output, activations ignored: a rough direction)."""

    incoming: np.ndarray
    top_digits: np.ndarray
    top_activations: np.ndarray
    outgoing: np.ndarray
    per_class: np.ndarray
    scale: float = 1.0  # the unit's output factor now (0: switched off)


def unit_view(model: MLP, layer: int, unit: int, activations: np.ndarray,
              n_top: int = 9) -> UnitView:
    """``activations``: the hidden layer's output on the test set, (N, units) (from
    ``model.layer_outputs(X)[layer]``)."""
    check_edit(ScaleUnit(layer, unit), model)
    column = activations[:, unit]
    n_top = min(n_top, len(column))
    top = np.argsort(-column, kind="stable")[:n_top]
    factors = model.hidden[layer].unit_scale
    scale = 1.0 if factors is None else float(factors[unit])
    # what the unit passes on is its output times its factor: a unit switched off has none
    path = model.W[layer + 1][unit].astype(np.float64) * scale
    outgoing = path.copy()
    for W in model.W[layer + 2 :]:
        path = path @ W
    return UnitView(model.W[layer][:, unit].copy(), top, column[top].copy(), outgoing, path, scale)
