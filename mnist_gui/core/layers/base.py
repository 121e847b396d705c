"""Layers: objects with a forward and a backward pass, in the CS231n spirit.

Every layer has two sets of passes.

The training step (one thread: the trainer's):

* ``forward(x, training) -> out``: x: (N, in_size) -> out: (N, out_size). It keeps what its
  backward needs (its input, its output, its dropout mask) in the layer itself;
* ``backward(dout) -> dx``: dout: (N, out_size) -> dx: (N, in_size); it writes the gradients of
  its parameters into their ``grad`` arrays (views into the network's flat gradient buffer)
  and never modifies ``dout``.

  Outputs and gradients are written into arrays the layer reuses from batch to batch
  (allocating per batch costs more than the maths at small batch sizes): read a layer's
  output before its next forward, or copy it. So these two are for one caller at a time.

Inference (any number of threads at once, CS231n's ``affine_forward(x, w, b) -> (out,
cache)``): nothing is stored on the layer, every call allocates its own arrays, and the
training step's arrays are never read or written:

* ``infer(x) -> out``: the forward pass without dropout (unit scales applied);
* ``infer_with_cache(x) -> (out, cache)`` and ``input_backward(dout, cache) -> dx``: the same
  pass keeping, in ``cache`` (the caller's), what the gradient with respect to the input
  needs; no parameter gradient is touched (attributions).

And ``parameters``: a list of ``Parameter`` (value and gradient as views into flat buffers
the network owns, so an optimiser updates the whole network in a few calls). Inference reads
the parameters as they are: while a training step updates them, a reader sees some of the
old and some of the new values (read a ``clone`` to see one set).

And ``state``: arrays a layer keeps that are no parameters (batch normalisation's running
statistics): updated by the training step's forward, read by inference, saved in the model
file, never touched by the optimiser.

A new layer type is one file in this package (forward, backward, its parameters and state,
its spec, its ONNX nodes) plus ``@register_layer``: the network (``core/network.py``) builds
layers from specs and walks them; the model file, the trainer, health, the lab, explain and
the ONNX export only use the interface below. Where a layer sits in a network is said by its
``role``: "dense" starts a block, "activation" ends a hidden block (its output is what the
views call a hidden layer's units), any other layer ("transform": normalisation) goes
between a block's dense layer and its activation, and "dropout" (which the trainer inserts,
not the model file) right after the activation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError

DEFAULT_LEAKY_SLOPE = 0.01

#: Weight initialisers: the std of N(0, s^2) from the layer's fan-in and fan-out
INITIALIZERS = ("normal", "xavier", "lecun", "he")


def init_std(method: str, fan_in: int, fan_out: int, std: float = 0.01) -> float:
    """Standard deviation an initialiser draws from: ``std`` itself for "normal",
    sqrt(2/(fan_in+fan_out)) Xavier, sqrt(1/fan_in) LeCun, sqrt(2/fan_in) He."""
    if method == "normal":
        return float(std)
    if method == "xavier":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    if method == "lecun":
        return float(np.sqrt(1.0 / fan_in))
    if method == "he":
        return float(np.sqrt(2.0 / fan_in))
    raise ConfigError(f"unknown initializer {method!r}; expected one of {', '.join(INITIALIZERS)}")


@dataclass
class Parameter:
    """One trainable array of a layer. ``value`` and ``grad`` have the same shape.

    ``decay``: whether L2 weight decay applies (weights yes, biases no).
    """

    name: str  # "W", "b", "gamma", "beta": unique within a layer's block
    value: np.ndarray
    grad: np.ndarray
    decay: bool
    #: "weight", "bias" or "norm" (a normalisation's scale and shift): what the weight decay
    #: setting can choose between
    group: str = "weight"


class Layer:
    """The interface every layer implements (see the module docstring)."""

    #: the name a layer type is registered under (``LAYER_TYPES``)
    kind: ClassVar[str] = "layer"
    #: where the layer sits in a network (see the module docstring)
    role: ClassVar[str] = "transform"
    #: a label for people (the views name a block's layers with it)
    title: ClassVar[str] = ""

    def __init__(self) -> None:
        self.parameters: list[Parameter] = []
        self.state: dict[str, np.ndarray] = {}
        self._scratch: dict[tuple[str, tuple[int, ...], np.dtype], np.ndarray] = {}

    # -- shapes and parameters
    def output_size(self, input_size: int) -> int:
        """Width of the output for an input of ``input_size`` features (default: the same)."""
        return input_size

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of the trainable arrays, in storage order (default: none)."""
        return {}

    def bind(self, values: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Attach views into the network's flat parameter and gradient buffers."""
        self.parameters = [
            Parameter(name, values[name], grads[name], self.decays(name), self.group(name))
            for name in values
        ]

    def decays(self, name: str) -> bool:
        """Whether weight decay applies to parameter ``name`` by default."""
        return False

    def group(self, name: str) -> str:
        """The kind of parameter ``name`` is ("weight", "bias" or "norm")."""
        return "weight"

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of the arrays kept beside the parameters (default: none)."""
        return {}

    def bind_state(self, values: dict[str, np.ndarray]) -> None:
        """Attach views into the network's flat state buffer (called once, after ``bind``)."""
        self.state = dict(values)

    def reset_state(self) -> None:
        """The state of a new layer (called by ``initialize``'s caller, the network)."""

    @property
    def n_parameters(self) -> int:
        return sum(int(np.prod(shape)) for shape in self.parameter_shapes().values())

    # -- the training step's passes (state on the layer, reused arrays)
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        """Gradient with respect to the input (None if not ``need_dx``); fills the
        parameters' ``grad`` arrays unless ``param_grads`` is False (input attributions)."""
        raise NotImplementedError

    # -- inference (re-entrant: nothing stored on the layer)
    def infer(self, x: np.ndarray, overwrite_x: bool = False) -> np.ndarray:
        """out: (N, out_size) for x: (N, in_size), inference mode (no dropout), as a new
        array or ``x`` itself (an identity). ``overwrite_x``: the caller made x and needs it
        no more, so the result may be written into it (saves an allocation)."""
        return self.infer_with_cache(x)[0]

    def infer_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """``infer(x)`` and what ``input_backward`` needs; x is left intact."""
        raise NotImplementedError(f"{type(self).__name__} has no re-entrant inference pass")

    def input_backward(self, dout: np.ndarray, cache: Any) -> np.ndarray:
        """dx: (N, in_size) for dout: (N, out_size) of the pass that gave ``cache`` (a new
        array, or ``dout`` itself for an identity; dout is left intact)."""
        raise NotImplementedError(f"{type(self).__name__} has no re-entrant inference pass")

    def initialize(self, rng: np.random.Generator, method: str, std: float, bias: str) -> None:
        """Draw initial parameter values (layers without parameters have nothing to do)."""

    def spec(self) -> dict[str, Any]:
        """What rebuilds this layer (its kind and constructor arguments), JSON-safe."""
        return {"kind": self.kind}

    def onnx_nodes(self, graph: Any, x: str) -> str:
        """Add this layer's inference pass to an ONNX graph being built and return the name
        of its output. ``graph`` (``core.onnx_export.GraphBuilder``) has
        ``constant(name, array) -> name`` and ``node(op, inputs, **attributes) -> output``:
        layers never import onnx."""
        raise NotImplementedError(f"{type(self).__name__} has no ONNX export")

    def _buffer(self, key: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A reusable array of the training step, one per (key, shape): the training batch
        and its last partial batch each keep theirs instead of reallocating in turn.
        Inference never calls this (its arrays are its own)."""
        index = (key, shape, np.dtype(dtype))
        buffer = self._scratch.get(index)
        if buffer is None:
            if len(self._scratch) > 24:
                self._scratch.clear()
            buffer = self._scratch[index] = np.empty(shape, dtype)
        return buffer

    def release_buffers(self) -> None:
        """Drop the training step's reusable arrays (e.g. when training is over)."""
        self._scratch.clear()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.spec().items() if k != "kind")
        return f"{type(self).__name__}({args})"


LAYER_TYPES: dict[str, type[Layer]] = {}


def register_layer(cls: type[Layer]) -> type[Layer]:
    """Class decorator: make a layer type known by its ``kind`` (for specs and files)."""
    LAYER_TYPES[cls.kind] = cls
    return cls


def layer_from_spec(spec: dict[str, Any]) -> Layer:
    kind = spec.get("kind")
    if kind not in LAYER_TYPES:
        raise ConfigError(f"unknown layer kind {kind!r}; expected one of {', '.join(LAYER_TYPES)}")
    return LAYER_TYPES[kind](**{k: v for k, v in spec.items() if k != "kind"})

