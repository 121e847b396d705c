"""The multilayer perceptron: a list of layers over one flat parameter buffer.

The network is a list of layer specs (``spec()["layers"]``, what the model file stores):
``[{"kind": "dense", "fan_in": 784, "fan_out": 128}, {"kind": "batch_norm", "size": 128},
{"kind": "relu"}, {"kind": "dense", "fan_in": 128, "fan_out": 10}]`` and an output activation
("softmax") fused with the loss. The layers (``core/layers/``, one file per type) do the
maths; the list is cut into blocks (``Block``: a dense layer, its transforms such as a
normalisation, its activation), which is what the views call a layer. The network owns the
flat buffers ``params`` and ``grads`` every layer's parameters are views into (so an
optimiser updates the whole network in a few calls, and a model is copied or checked for NaN
in one) and ``state`` (running statistics), and adds what a classifier needs on top: the
output activation fused with the loss, predictions, the activations of every layer for a
batch (``trace``, ``layer_outputs``), and unit masks for experiments.

``layer_sizes`` and ``activations`` (and ``normalization``) describe an MLP in the terms of
the version-1 model file and the settings: ``[784, 128, 10]`` with ``["relu", "softmax"]`` is
Dense(784, 128), ReLU, Dense(128, 10), softmax. Dropout layers follow each hidden activation
when ``dropout > 0`` (a training setting, not part of the stored list).

Two kinds of pass, as in ``core/layers.py``:

* the training step (``loss_and_grads``, ``forward(training=True)``) reuses arrays kept on
  the layers and leaves there what backward needs: one trainer thread at a time;
* inference (``forward`` with ``training=False``, ``logits``, ``predict_proba``,
  ``predict_index``, ``layer_outputs``, ``layer_output``, ``input_gradient`` and
  ``forward_with_cache`` / ``backward_from_cache`` for attributions) allocates its own
  arrays and stores nothing on the model, so any number of threads may read one model at
  once, also while it trains. What changes under a reader is only the weights themselves
  (a training step updates them in place): read a ``clone`` to see one set of weights.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .architecture import (
    MAX_LAYERS,
    MAX_PARAMETERS,
    Block,
    cut_blocks,
    layer_from_file,
    mlp_layers,
    parameter_count,
    read_spec,
)
from .errors import ConfigError
from .layers import (
    DEFAULT_LEAKY_SLOPE,
    INITIALIZERS,
    NORMALIZATIONS,
    Dropout,
    Layer,
    Parameter,
    check_activation,
)
from .losses import LOSS_FUNCTIONS, LOSS_OUTPUT, LOSSES, output_probabilities

__all__ = ["INITIALIZERS", "MAX_PARAMETERS", "MLP", "Block", "Tape", "build_mlp",
           "mlp_layers", "parameter_count"]

#: Inference runs in chunks of rows whose activations fit this (a 600,000-unit layer would
#: otherwise take 8192 x 600,000 floats at once); at most INFERENCE_ROWS rows.
INFERENCE_BUDGET = 256 * 2**20
INFERENCE_ROWS = 8192


#: What an inference pass kept for the gradient with respect to its input: each layer with
#: its cache, in forward order. The caller's, so that threads never share one.
Tape = list[tuple[Layer, Any]]


class MLP:
    """A fully connected classifier: a list of layers in blocks (``Block``), the last a lone
    Dense whose output activation is fused with the loss.

    layer_sizes: e.g. [784, 128, 10]; activations: one per weight layer, the hidden ones from
    ``layers.ACTIVATION_TYPES`` and the last "softmax" or "sigmoid"; normalization: "none",
    "batch" or "layer" between each hidden dense layer and its activation. Any other layer
    list: ``MLP.from_layers``. classes: the label each output stands for (for one sigmoid
    unit: [negative, positive]). Inputs are expected as (pixel/255 - input_mean) / input_std.
    """

    def __init__(
        self,
        layer_sizes: list[int],
        activations: list[str],
        *,
        classes: list[int] | None = None,
        leaky_relu_slope: float = DEFAULT_LEAKY_SLOPE,
        input_mean: float = 0.0,
        input_std: float = 1.0,
        dtype: type | np.dtype = np.float32,
        dropout: float = 0.0,
        normalization: str = "none",
    ) -> None:
        layer_sizes = [int(s) for s in layer_sizes]
        if len(layer_sizes) < 2:
            raise ConfigError("a network needs at least an input and an output layer")
        if any(s <= 0 for s in layer_sizes):
            raise ConfigError(f"layer sizes must be positive integers, got {layer_sizes}")
        if len(activations) != len(layer_sizes) - 1:
            raise ConfigError(
                f"{len(layer_sizes) - 1} weight layers need as many activations, "
                f"got {len(activations)}"
            )
        for name in activations[:-1]:
            check_activation(name, hidden=True)
        n_params = parameter_count(layer_sizes)
        if n_params > MAX_PARAMETERS:
            raise ConfigError(
                f"{n_params:,} parameters is more than the {MAX_PARAMETERS:,} this app accepts"
            )
        self.leaky_relu_slope = float(leaky_relu_slope)
        self._setup(mlp_layers(layer_sizes, activations, normalization, leaky_relu_slope),
                    activations[-1], classes, input_mean, input_std, dtype, dropout)

    @classmethod
    def from_layers(
        cls,
        layers: list[dict[str, Any]],
        output_activation: str,
        *,
        classes: list[int] | None = None,
        input_mean: float = 0.0,
        input_std: float = 1.0,
        dtype: type | np.dtype = np.float32,
        dropout: float = 0.0,
    ) -> MLP:
        """A network (zero weights, initial state) from a list of layer specs (``spec()``'s
        ``layers``): blocks of Dense, any transforms, one activation; the last block a lone
        Dense. Raises ConfigError naming the layer that does not fit."""
        model = cls.__new__(cls)
        model.leaky_relu_slope = DEFAULT_LEAKY_SLOPE
        model._setup(layers, output_activation, classes, input_mean, input_std, dtype, dropout)
        return model

    def _setup(self, specs: list[dict[str, Any]], output_activation: str,
               classes: list[int] | None, input_mean: float, input_std: float,
               dtype: type | np.dtype, dropout: float) -> None:
        check_activation(output_activation, hidden=False)
        if not isinstance(specs, list) or not 1 <= len(specs) <= MAX_LAYERS:
            raise ConfigError(f"layers must be a list of 1 to {MAX_LAYERS} layer specs")
        arch = [layer_from_file(i, spec) for i, spec in enumerate(specs)]
        n_params = sum(layer.n_parameters for layer in arch)
        if n_params > MAX_PARAMETERS:
            raise ConfigError(
                f"{n_params:,} parameters is more than the {MAX_PARAMETERS:,} this app accepts"
            )
        self.blocks = cut_blocks(arch)
        self.dense = [block.dense for block in self.blocks]
        self.hidden = [block.activation for block in self.blocks[:-1]]
        self.layer_sizes = [self.dense[0].fan_in] + [d.fan_out for d in self.dense]
        self.activations = [h.kind for h in self.hidden] + [output_activation]
        slopes = [h.slope for h in self.hidden if h.kind == "leaky_relu"]
        if slopes:
            self.leaky_relu_slope = slopes[0]
        if output_activation == "softmax" and self.layer_sizes[-1] < 2:
            raise ConfigError("a softmax output needs at least 2 units")
        if classes is None:
            classes = list(range(self.layer_sizes[-1])) if self.layer_sizes[-1] > 1 else [0, 1]
        expected_classes = self.layer_sizes[-1] if self.layer_sizes[-1] > 1 else 2
        if len(classes) != expected_classes:
            raise ConfigError(f"{self.layer_sizes[-1]} outputs need {expected_classes} classes")
        self.classes = [int(c) for c in classes]
        self.input_mean = float(input_mean)
        self.input_std = float(input_std)
        self.dtype = np.dtype(dtype)
        self._dropout: list[Dropout] = []
        self.layers: list[Layer] = []
        self.set_dropout(dropout)
        self.params, self.grads = self._bind_parameters()
        self.state = self._bind_state()
        self._dz: dict[tuple[int, int], np.ndarray] = {}  # the training step's dL/dz

    def _bind_parameters(self) -> tuple[np.ndarray, np.ndarray]:
        """Allocate the flat buffers and hand every layer views of its part, in layer order
        (for an MLP: W1, b1, W2, b2, ... as in the model file)."""
        total = sum(layer.n_parameters for layer in self.layers)
        params, grads = np.zeros(total, self.dtype), np.zeros(total, self.dtype)
        offset = 0
        for layer in self.layers:
            values, gradients = {}, {}
            for name, shape in layer.parameter_shapes().items():
                size = int(np.prod(shape))
                values[name] = params[offset : offset + size].reshape(shape)
                gradients[name] = grads[offset : offset + size].reshape(shape)
                offset += size
            layer.bind(values, gradients)
        return params, grads

    def _bind_state(self) -> np.ndarray:
        """The flat buffer of the layers' state (running statistics), each layer's views of
        its part, set to the layer's initial state."""
        shapes = [(layer, layer.state_shapes()) for layer in self.layers]
        total = sum(int(np.prod(s)) for _, named in shapes for s in named.values())
        state, offset = np.zeros(total, self.dtype), 0
        for layer, named in shapes:
            views = {}
            for name, shape in named.items():
                size = int(np.prod(shape))
                views[name] = state[offset : offset + size].reshape(shape)
                offset += size
            layer.bind_state(views)
            layer.reset_state()
        return state

    # ---------------------------------------------------------------------------- basics

    @property
    def n_layers(self) -> int:
        """Number of weight layers."""
        return len(self.dense)

    @property
    def n_parameters(self) -> int:
        return self.params.size

    @property
    def output_activation(self) -> str:
        return self.activations[-1]

    @property
    def is_binary(self) -> bool:
        """One sigmoid output unit standing for two classes."""
        return self.layer_sizes[-1] == 1

    @property
    def normalization(self) -> str:
        """"batch" or "layer" when every hidden block has that normalisation and nothing
        else, "none" when none has any, else "mixed" (a hand-written layer list)."""
        kinds = {block.normalization for block in self.blocks[:-1]}
        for name, kind in NORMALIZATIONS.items():
            if kinds <= {kind}:
                return name
        return "mixed"

    @property
    def architecture(self) -> list[Layer]:
        """The network's layers as the model file lists them (no dropout)."""
        return [layer for block in self.blocks for layer in block.layers]

    @property
    def W(self) -> list[np.ndarray]:
        """Weight matrices (fan_in, fan_out) of the dense layers (views)."""
        return [layer.W for layer in self.dense]

    @property
    def b(self) -> list[np.ndarray]:
        """Bias vectors (fan_out,) of the dense layers (views)."""
        return [layer.b for layer in self.dense]

    @property
    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters]

    @property
    def dropout(self) -> float:
        return self._dropout[0].rate if self._dropout else 0.0

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.layer_sizes))
        norm = "" if self.normalization == "none" else f", normalization={self.normalization}"
        return (
            f"MLP({sizes}, activations={self.activations}{norm}, classes={self.classes}, "
            f"params={self.n_parameters:,}, dtype={self.dtype})"
        )

    def set_dropout(self, rate: float, rng: np.random.Generator | None = None) -> None:
        """Put a Dropout layer of ``rate`` after every hidden activation (none for 0)."""
        self._dropout = [Dropout(rate) for _ in self.hidden] if rate > 0 else []
        for layer in self._dropout:
            layer.rng = rng
        layers: list[Layer] = []
        for l, block in enumerate(self.blocks):
            layers.extend(block.layers)
            if self._dropout and l < len(self.hidden):
                layers.append(self._dropout[l])
        self.layers = layers

    def set_noise_rng(self, rng: np.random.Generator) -> None:
        """The generator dropout layers draw their masks from."""
        for layer in self._dropout:
            layer.rng = rng

    def initialize(
        self,
        rng: np.random.Generator,
        method: str = "he",
        std: float = 0.01,
        bias: str = "zeros",
    ) -> MLP:
        """Draw initial weights (see ``layers.init_std``); biases zero or N(0, s^2);
        normalisations start as gamma 1, beta 0 with fresh running statistics."""
        if bias not in ("zeros", "normal"):
            raise ConfigError(f"unknown bias init {bias!r}; expected zeros or normal")
        for layer in self.layers:
            layer.initialize(rng, method, std, bias)
        return self

    def copy_weights(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Independent copies of (W list, b list), safe to hand to another thread."""
        return [W.copy() for W in self.W], [b.copy() for b in self.b]

    def clone(self, dtype: type | np.dtype | None = None) -> MLP:
        """An independent copy (weights, state, unit scales; no dropout), e.g. for another
        thread."""
        other = MLP.from_layers(
            [layer.spec() for layer in self.architecture],
            self.output_activation,
            classes=self.classes,
            input_mean=self.input_mean,
            input_std=self.input_std,
            dtype=dtype or self.dtype,
        )
        other.leaky_relu_slope = self.leaky_relu_slope
        other.params[...] = self.params
        other.state[...] = self.state
        for mine, theirs in zip(self.hidden, other.hidden):
            theirs.unit_scale = None if mine.unit_scale is None else mine.unit_scale.copy()
        return other

    def spec(self) -> dict[str, Any]:
        """The architecture as the model file records it (JSON-safe): ``layers`` (each
        layer's spec, in order) and the output activation, plus ``layer_sizes`` and
        ``activations`` for readers that look at those."""
        spec: dict[str, Any] = {
            "layers": [layer.spec() for layer in self.architecture],
            "output_activation": self.output_activation,
            "layer_sizes": self.layer_sizes,
            "activations": self.activations,
            "classes": self.classes,
            "input_mean": self.input_mean,
            "input_std": self.input_std,
        }
        if "leaky_relu" in self.activations:
            spec["leaky_relu_slope"] = self.leaky_relu_slope
        return spec

    @classmethod
    def from_spec(cls, spec: dict[str, Any], dtype: type | np.dtype = np.float32) -> MLP:
        """A network (zero weights) from ``spec()``'s fields, each checked: raises
        ConfigError naming the field, whatever the spec holds (it may come from a file).

        With ``layers`` (the model file's version 2) the network is that list; without
        (version 1) it is ``layer_sizes`` and ``activations``."""
        fields = read_spec(spec)
        sizes, activations = fields["layer_sizes"], fields["activations"]
        numbers = {key: fields[key] for key in ("input_mean", "input_std")}
        if "layers" not in fields:
            return cls(sizes, activations, classes=fields["classes"], dtype=dtype,
                       leaky_relu_slope=fields["leaky_relu_slope"], **numbers)
        model = cls.from_layers(fields["layers"], fields["output_activation"],
                                classes=fields["classes"], dtype=dtype, **numbers)
        if model.layer_sizes != sizes or model.activations != activations:
            raise ConfigError(f"layers make a {'-'.join(map(str, model.layer_sizes))} network "
                              f"with {model.activations}, but layer_sizes and activations say "
                              f"{'-'.join(map(str, sizes))} with {activations}")
        return model

    def named_arrays(self) -> dict[str, np.ndarray]:
        """Every parameter and state array by its file name, block by block (1-based
        index ``i`` of the dense layer): ``W{i}``, ``b{i}`` for the dense layer (as in
        version 1), ``{kind}_{name}{i}`` for the others (``batch_norm_gamma1``,
        ``batch_norm_running_mean1``)."""
        arrays = {}
        for index, block in enumerate(self.blocks, start=1):
            for layer in block.layers:
                prefix = "" if layer is block.dense else f"{layer.kind}_"
                for parameter in layer.parameters:
                    arrays[f"{prefix}{parameter.name}{index}"] = parameter.value
                for name, value in layer.state.items():
                    arrays[f"{prefix}{name}{index}"] = value
        return arrays

    # ------------------------------------------------------------------------ unit masks

    def set_unit_scale(self, hidden_layer: int, unit: int | None, scale: float = 0.0) -> None:
        """Multiply unit ``unit`` of hidden layer ``hidden_layer`` (0-based) by ``scale``
        (0 switches it off, 1 restores it; ``unit=None`` restores the whole layer)."""
        if not 0 <= hidden_layer < len(self.hidden):
            raise ConfigError(
                f"hidden layer {hidden_layer} does not exist (the network has {len(self.hidden)})"
            )
        self.hidden[hidden_layer].set_unit_scale(self.layer_sizes[hidden_layer + 1], unit, scale)

    def clear_unit_scales(self) -> None:
        for layer in self.hidden:
            layer.unit_scale = None

    # --------------------------------------------------------------------------- forward

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Logits z: (N, K) for inputs X: (N, D).

        ``training=False`` (inference): a new array in the network's dtype, no dropout,
        nothing stored (re-entrant, see the module docstring). ``training=True``: the
        training step's pass, with dropout, leaving on the layers what ``loss_and_grads``'s
        backward needs; its result is a reused buffer (read it before the next step).
        """
        if not training:
            return self._infer(np.asarray(X, self.dtype))
        out = X
        for layer in self.layers:
            out = layer.forward(out, True)
        return out

    def _infer(self, X: np.ndarray, layers: list[Layer] | None = None) -> np.ndarray:
        """Inference through ``layers`` (default all) for X: (N, D) in the network's dtype;
        a new array (X is never written)."""
        out = X
        for layer in self.layers if layers is None else layers:
            # every array but the caller's X was made by this pass, so a layer may write
            # its result over it (an activation over the dense output before it)
            out = layer.infer(out, overwrite_x=out is not X)
        return out

    def _chunks(self, X: np.ndarray, chunk: int) -> Iterator[tuple[int, np.ndarray]]:
        """(start, rows [start, start + chunk) of X in the network's dtype) over X: (N, D)."""
        X = np.asarray(X)
        for start in range(0, X.shape[0], chunk):
            part = X[start : start + chunk]
            if part.dtype != self.dtype:
                part = part.astype(self.dtype)
            yield start, part

    def inference_rows(self) -> int:
        """Rows per inference chunk: the activations of every layer (a layer's output and
        its activation's) stay within INFERENCE_BUDGET."""
        per_row = 2 * self.dtype.itemsize * sum(self.layer_sizes)
        return max(1, min(INFERENCE_ROWS, INFERENCE_BUDGET // per_row))

    def logits(self, X: np.ndarray, chunk: int | None = None) -> np.ndarray:
        """Output pre-activations z: (N, K) for inputs X: (N, D) (a new array).

        In chunks of ``chunk`` rows (default: ``inference_rows()``): only one chunk's
        activations are alive at a time."""
        chunk = chunk or self.inference_rows()
        n = np.shape(X)[0]
        if n <= chunk:
            return self._infer(np.asarray(X, self.dtype))
        out = np.empty((n, self.layer_sizes[-1]), self.dtype)
        for start, part in self._chunks(X, chunk):
            out[start : start + len(part)] = self._infer(part)
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (N, n_classes), columns in the order of ``classes``.

        For a single sigmoid unit the two columns are [P(negative), P(positive)].
        """
        return self.probabilities_from_logits(self.logits(X))

    def probabilities_from_logits(self, z: np.ndarray) -> np.ndarray:
        p = output_probabilities(z, self.output_activation)
        if self.is_binary:
            return np.concatenate([1 - p, p], axis=1)
        return p

    def predicted_index(self, z: np.ndarray) -> np.ndarray:
        """Index into ``classes`` of the most likely class for logits z: (N, K) -> (N,)."""
        return (z[:, 0] > 0).astype(np.int64) if self.is_binary else z.argmax(axis=1)

    def predict_index(self, X: np.ndarray) -> np.ndarray:
        """Index into ``classes`` of the most likely class for each row of X: (N,) int."""
        return self.predicted_index(self.logits(X))

    def layer_outputs(self, X: np.ndarray, chunk: int | None = None) -> list[np.ndarray]:
        """Every hidden layer's activations for X: (N, D), as new arrays (N, units), then
        the logits (N, K). Inference mode: no dropout; unit scales applied."""
        layers = self.layers  # one list for the whole call (set_dropout may replace it)
        n = np.shape(X)[0]
        outputs = [np.empty((n, size), self.dtype) for size in self.layer_sizes[1:]]
        for start, part in self._chunks(X, chunk or self.inference_rows()):
            rows = slice(start, start + len(part))
            out, hidden = part, 0
            for layer in layers:
                # the activations are copied into ``outputs``: this pass's arrays stay free
                # to be written over
                out = layer.infer(out, overwrite_x=out is not part)
                if layer.role == "activation":
                    outputs[hidden][rows] = out
                    hidden += 1
            outputs[-1][rows] = out
        return outputs

    def layer_output(self, X: np.ndarray, layer: int, chunk: int | None = None) -> np.ndarray:
        """One entry of ``layer_outputs`` without the others: hidden layer ``layer``'s
        activations (N, units) for 0 <= layer < H, or the logits (N, K) for layer = H
        (the number of hidden layers). The pass stops at that layer."""
        if not 0 <= layer <= len(self.hidden):
            raise ConfigError(
                f"layer {layer} does not exist: 0 to {len(self.hidden) - 1} are the hidden "
                f"layers, {len(self.hidden)} the logits"
            )
        if layer == len(self.hidden):
            return self.logits(X, chunk)
        layers = self.layers
        stop = layers.index(self.hidden[layer]) + 1
        n = np.shape(X)[0]
        out = np.empty((n, self.layer_sizes[layer + 1]), self.dtype)
        for start, part in self._chunks(X, chunk or self.inference_rows()):
            out[start : start + len(part)] = self._infer(part, layers[:stop])
        return out

    def trace(self, X: np.ndarray) -> list[tuple[Layer, np.ndarray]]:
        """The inference pass of X: (N, D), keeping every layer's output: (layer, its
        output (N, width)) in forward order, each a new array (no dropout; unit scales
        applied). The one pass that health and other per-layer views walk. Re-entrant;
        holds every layer's activations at once, so give it a probe batch, not a data set."""
        out = np.asarray(X, self.dtype)
        steps = []
        for layer in self.architecture:
            out = layer.infer(out)
            steps.append((layer, out))
        return steps

    # -------------------------------------------------------------------------- backward

    def _backward(self, dz: np.ndarray) -> None:
        """The training step's backward: dL/dz (N, K) of the last ``forward(training=True)``
        through every layer into ``grads``."""
        grad = dz
        for i in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[i].backward(grad, need_dx=i > 0)

    def forward_with_cache(self, X: np.ndarray) -> tuple[np.ndarray, Tape]:
        """Inference pass for X: (N, D) that keeps what ``backward_from_cache`` needs:
        (logits z (N, K), a new array; the tape, the caller's). Re-entrant."""
        out = np.asarray(X, self.dtype)
        tape: Tape = []
        for layer in self.layers:
            out, cache = layer.infer_with_cache(out)
            tape.append((layer, cache))
        return out, tape

    def backward_from_cache(self, dz: np.ndarray, tape: Tape) -> np.ndarray:
        """d(sum(z * dz))/dX (N, D) for output weights dz: (N, K) at the pass that gave
        ``tape`` (a new array). No parameter gradient is touched. Re-entrant."""
        grad = np.asarray(dz, self.dtype)
        for layer, cache in reversed(tape):
            grad = layer.input_backward(grad, cache)
        return grad

    def input_gradient(self, X: np.ndarray, dz: np.ndarray) -> np.ndarray:
        """d(sum(z * dz))/dX for inputs X: (N, D) and output weights dz: (N, K): the
        gradient of any linear function of the logits with respect to the input (a new
        array). Parameter gradients are left alone; re-entrant."""
        _, tape = self.forward_with_cache(X)
        return self.backward_from_cache(dz, tape)

    def release_buffers(self) -> None:
        """Drop the training step's reusable arrays (they come back with the next step)."""
        for layer in self.layers:
            layer.release_buffers()
        self._dz.clear()

    def loss_and_grads(
        self, X: np.ndarray, y: np.ndarray, loss: str, grad_scale: float = 1.0
    ) -> tuple[float, np.ndarray]:
        """Mean loss on a batch and its gradient written into ``grads`` (training mode:
        dropout active).

        ``grad_scale`` multiplies the gradient (not the returned loss) at no cost: backprop
        is linear in dL/dz, so scaling that (N, K) array scales every dW and db; optimisers
        whose update depends on lr*g only receive it already multiplied.

        X: (N, D) in the network's dtype, y: (N,) class indices. Returns (loss, z) where
        z: (N, K) are the batch's logits (a reused buffer: read it before the next call).
        Weight decay is not included here (the trainer adds it).
        """
        loss_function = LOSS_FUNCTIONS.get(loss)
        if loss_function is None:
            raise ConfigError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
        z = self.forward(X, training=True)
        key = z.shape
        dz = self._dz.get(key)
        if dz is None:
            if len(self._dz) > 8:
                self._dz.clear()
            dz = self._dz[key] = np.empty_like(z)
        loss_value, dz = loss_function(z, y, dz, grad_scale)
        self._backward(dz)
        return loss_value, z


def build_mlp(
    input_size: int,
    hidden_sizes: list[int],
    n_classes: int,
    *,
    activation: str = "relu",
    hidden_activations: list[str] | None = None,
    loss: str = "ce",
    classes: list[int] | None = None,
    leaky_relu_slope: float = DEFAULT_LEAKY_SLOPE,
    dtype: type | np.dtype = np.float32,
    input_mean: float = 0.0,
    input_std: float = 1.0,
    dropout: float = 0.0,
    normalization: str = "none",
) -> MLP:
    """An MLP for ``loss``: softmax outputs for "ce", sigmoid ones for "mse", and a single
    sigmoid unit for "bce" (which needs exactly 2 classes). ``hidden_activations`` (one per
    hidden layer) overrides ``activation``; ``normalization`` ("none", "batch", "layer")
    goes between each hidden dense layer and its activation."""
    if loss not in LOSSES:
        raise ConfigError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
    check_activation(activation)
    if loss == "bce":
        if n_classes != 2:
            raise ConfigError(f"binary cross-entropy needs exactly 2 classes, got {n_classes}")
        outputs = 1
    else:
        outputs = n_classes
    sizes = [input_size, *hidden_sizes, outputs]
    hidden_acts = list(hidden_activations or [activation] * len(hidden_sizes))
    if len(hidden_acts) != len(hidden_sizes):
        raise ConfigError(f"{len(hidden_acts)} activations for {len(hidden_sizes)} hidden layers")
    return MLP(
        sizes,
        hidden_acts + [LOSS_OUTPUT[loss]],
        classes=classes,
        leaky_relu_slope=leaky_relu_slope,
        dtype=dtype,
        input_mean=input_mean,
        input_std=input_std,
        dropout=dropout,
        normalization=normalization,
    )
