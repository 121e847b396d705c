"""Layers: objects with a forward and a backward pass, in the CS231n spirit.

Every layer has

* ``forward(x, training) -> out``: x: (N, in_size) -> out: (N, out_size). It keeps what its
  backward needs (its input, its output, its dropout mask) in the layer itself;
* ``backward(dout) -> dx``: dout: (N, out_size) -> dx: (N, in_size); it writes the gradients of
  its parameters into their ``grad`` arrays (views into the network's flat gradient buffer)
  and never modifies ``dout``;
* ``parameters``: a list of ``Parameter`` (value and gradient as views into flat buffers the
  network owns, so an optimiser updates the whole network in a few calls).

Outputs and gradients are written into arrays the layer reuses from batch to batch
(allocating per batch costs more than the maths at small batch sizes): read a layer's output
before its next forward, or copy it.

A new layer type is one class here (or anywhere) plus ``@register_layer``: the network, the
model file, the trainer and the panels only use the interface below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .errors import ConfigError

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

    name: str  # "W", "b"
    value: np.ndarray
    grad: np.ndarray
    decay: bool


class Layer:
    """The interface every layer implements (see the module docstring)."""

    #: the name a layer type is registered under (``LAYER_TYPES``)
    kind: ClassVar[str] = "layer"

    def __init__(self) -> None:
        self.parameters: list[Parameter] = []
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
            Parameter(name, values[name], grads[name], self.decays(name)) for name in values
        ]

    def decays(self, name: str) -> bool:
        """Whether weight decay applies to parameter ``name``."""
        return False

    @property
    def n_parameters(self) -> int:
        return sum(int(np.prod(shape)) for shape in self.parameter_shapes().values())

    # -- passes
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        """Gradient with respect to the input (None if not ``need_dx``); fills the
        parameters' ``grad`` arrays unless ``param_grads`` is False (input attributions)."""
        raise NotImplementedError

    def initialize(self, rng: np.random.Generator, method: str, std: float, bias: str) -> None:
        """Draw initial parameter values (layers without parameters have nothing to do)."""

    def spec(self) -> dict[str, Any]:
        """What rebuilds this layer (its kind and constructor arguments), JSON-safe."""
        return {"kind": self.kind}

    def _buffer(self, key: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A reusable array, one per (key, shape): the training batch, its last partial batch
        and evaluation chunks each keep theirs instead of reallocating in turn."""
        index = (key, shape, np.dtype(dtype))
        buffer = self._scratch.get(index)
        if buffer is None:
            if len(self._scratch) > 24:
                self._scratch.clear()
            buffer = self._scratch[index] = np.empty(shape, dtype)
        return buffer

    def release_buffers(self) -> None:
        """Drop the reusable arrays (e.g. before handing a copy of the model to a thread)."""
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


# ------------------------------------------------------------------------------ dense


@register_layer
class Dense(Layer):
    """Affine layer ``out = x @ W + b``; W: (fan_in, fan_out), b: (fan_out,).

    W is stored (fan_in, fan_out) so that ``x @ W`` and ``x.T @ dout`` need no transposed
    copies. Backward: dx = dout @ W.T, dW = x.T @ dout, db = sum of dout over the batch.
    """

    kind = "dense"

    def __init__(self, fan_in: int, fan_out: int) -> None:
        super().__init__()
        self.fan_in, self.fan_out = int(fan_in), int(fan_out)
        if self.fan_in <= 0 or self.fan_out <= 0:
            raise ConfigError(f"a dense layer needs positive sizes, got {fan_in}x{fan_out}")
        self.W: np.ndarray | None = None
        self.b: np.ndarray | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self._x: np.ndarray | None = None

    def output_size(self, input_size: int) -> int:
        if input_size != self.fan_in:
            raise ConfigError(f"a dense layer of {self.fan_in} inputs cannot take {input_size}")
        return self.fan_out

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W": (self.fan_in, self.fan_out), "b": (self.fan_out,)}

    def bind(self, values: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        super().bind(values, grads)
        self.W, self.b, self.dW, self.db = values["W"], values["b"], grads["W"], grads["b"]

    def decays(self, name: str) -> bool:
        return name == "W"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = self._buffer("out", (x.shape[0], self.fan_out), self.W.dtype)
        np.matmul(x, self.W, out=out)
        out += self.b
        self._x = x
        return out

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        x = self._x
        if param_grads:
            np.matmul(x.T, dout, out=self.dW)
            # ufunc.reduce, not .sum(): the method's wrapper costs more than a (64, 10) sum
            np.add.reduce(dout, axis=0, out=self.db)
        if not need_dx:
            return None
        dx = self._buffer("dx", x.shape, self.W.dtype)
        np.matmul(dout, self.W.T, out=dx)
        return dx

    def initialize(self, rng: np.random.Generator, method: str, std: float, bias: str) -> None:
        """W ~ N(0, s^2) with s from ``method`` (see ``init_std``); b zero or N(0, s^2)."""
        s = init_std(method, self.fan_in, self.fan_out, std)
        self.W[...] = rng.standard_normal(self.W.shape, dtype=np.float64) * s
        if bias == "normal":
            self.b[...] = rng.standard_normal(self.b.shape, dtype=np.float64) * s
        elif bias == "zeros":
            self.b[...] = 0
        else:
            raise ConfigError(f"unknown bias init {bias!r}; expected zeros or normal")

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "fan_in": self.fan_in, "fan_out": self.fan_out}


# ------------------------------------------------------------------------ activations


def sigmoid_(z: np.ndarray) -> np.ndarray:
    """In place: z <- 1/(1+exp(-z)); returns z.

    Written as 0.5*(1+tanh(z/2)), which is exact and never overflows (exp(-z) does for
    z < -88 in float32 and warns).
    """
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


class Activation(Layer):
    """An elementwise function a = f(z). Subclasses give ``apply`` and
    ``derivative_`` (dz = da * f'(z) from the *output* a, which is all the layer keeps).

    ``unit_scale`` (None, or one factor per unit) multiplies the output: 0 switches a unit
    off, at inference and in training, without copying the model (see ``set_unit_scale``).
    """

    kind = "activation"
    #: a label for people
    title: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self._a: np.ndarray | None = None  # f(z), before any unit scaling
        self.unit_scale: np.ndarray | None = None

    def apply(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- f(z) (out may be z)."""
        raise NotImplementedError

    def derivative_(self, da: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- da * f'(z), with f' written in terms of a = f(z); out may be da."""
        raise NotImplementedError

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        a = self._buffer("out", x.shape, x.dtype)
        self.apply(x, a)
        self._a = a
        if self.unit_scale is None:
            return a
        scaled = self._buffer("scaled", x.shape, x.dtype)
        np.multiply(a, self.unit_scale.astype(x.dtype, copy=False), out=scaled)
        return scaled

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        if not need_dx:
            return None
        dx = self._buffer("dx", dout.shape, dout.dtype)
        if self.unit_scale is not None:
            np.multiply(dout, self.unit_scale.astype(dout.dtype, copy=False), out=dx)
            return self.derivative_(dx, self._a, dx)
        return self.derivative_(dout, self._a, dx)

    def set_unit_scale(self, units: int, unit: int | None, scale: float = 0.0) -> None:
        """Scale the output of ``unit`` (0 switches it off; 1 restores it); ``unit=None``
        restores every unit. ``units`` is the layer's width."""
        if unit is None:
            self.unit_scale = None
            return
        if not 0 <= unit < units:
            raise ConfigError(f"unit {unit} does not exist (this layer has {units} units)")
        if self.unit_scale is None:
            self.unit_scale = np.ones(units, np.float64)
        self.unit_scale[unit] = float(scale)
        if np.all(self.unit_scale == 1.0):
            self.unit_scale = None


ACTIVATION_TYPES: dict[str, type[Activation]] = {}


def register_activation(cls: type[Activation]) -> type[Activation]:
    """Class decorator: a hidden activation, known to settings, files and the GUI by kind."""
    ACTIVATION_TYPES[cls.kind] = cls
    return register_layer(cls)


@register_activation
class ReLU(Activation):
    kind = "relu"
    title = "ReLU"

    def apply(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0, out=out)

    def derivative_(self, da: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.multiply(da, a > 0, out=out)


@register_activation
class LeakyReLU(Activation):
    """max(z, slope*z) for 0 <= slope <= 1."""

    kind = "leaky_relu"
    title = "Leaky ReLU"

    def __init__(self, slope: float = DEFAULT_LEAKY_SLOPE) -> None:
        super().__init__()
        self.slope = float(slope)
        if not 0.0 <= self.slope <= 1.0:
            raise ConfigError(f"leaky ReLU slope must be in [0, 1], got {slope}")

    def apply(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.maximum(z, z * z.dtype.type(self.slope), out=out)

    def derivative_(self, da: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        t = a.dtype.type
        return np.multiply(da, np.where(a > 0, t(1), t(self.slope)), out=out)

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "slope": self.slope}


@register_activation
class Sigmoid(Activation):
    kind = "sigmoid"
    title = "Sigmoid"

    def apply(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.multiply(z, z.dtype.type(0.5), out=out)  # sigmoid_ written out of place
        np.tanh(out, out=out)
        out *= 0.5
        out += 0.5
        return out

    def derivative_(self, da: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        np.multiply(da, a, out=out)
        out *= 1 - a
        return out


@register_activation
class Tanh(Activation):
    kind = "tanh"
    title = "Tanh"

    def apply(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.tanh(z, out=out)

    def derivative_(self, da: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        slope = self._buffer("slope", a.shape, a.dtype)  # out may be da: keep da intact
        np.multiply(a, a, out=slope)
        np.subtract(1, slope, out=slope)
        return np.multiply(da, slope, out=out)


def make_activation(name: str, leaky_relu_slope: float = DEFAULT_LEAKY_SLOPE) -> Activation:
    cls = ACTIVATION_TYPES.get(name)
    if cls is None:
        raise ConfigError(
            f"unknown hidden activation {name!r}; expected one of {', '.join(ACTIVATION_TYPES)}"
        )
    return cls(leaky_relu_slope) if cls is LeakyReLU else cls()


# ---------------------------------------------------------------------------- dropout


@register_layer
class Dropout(Layer):
    """Inverted dropout: in training, zero a fraction ``rate`` of units and scale the rest by
    1/(1-rate), so inference needs no change. Identity outside training.

    Keeps its own mask and output, so the activation before it keeps its output intact for
    its derivative. ``rng`` must be set before training; ``fixed_mask`` (tests) replaces the
    random draw.
    """

    kind = "dropout"

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = float(rate)
        if not 0.0 <= self.rate < 1.0:
            raise ConfigError(f"dropout rate must be in [0, 1), got {rate}")
        self.rng: np.random.Generator | None = None
        self.fixed_mask: np.ndarray | None = None
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        if self.fixed_mask is not None:
            mask = self.fixed_mask.astype(x.dtype, copy=False)
        else:
            if self.rng is None:
                raise RuntimeError("Dropout.rng must be set before training")
            mask = self._buffer("mask", x.shape, x.dtype)
            keep = 1.0 - self.rate
            self.rng.random(dtype=mask.dtype, out=mask)
            np.less(mask, keep, out=mask, casting="unsafe")  # 1.0 keeps, 0.0 drops
            mask *= mask.dtype.type(1.0 / keep)
        self._mask = mask
        out = self._buffer("out", x.shape, x.dtype)
        return np.multiply(x, mask, out=out)

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        if not need_dx:
            return None
        if self._mask is None:
            return dout
        dx = self._buffer("dx", dout.shape, dout.dtype)
        return np.multiply(dout, self._mask, out=dx)

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "rate": self.rate}


#: the built-in hidden activations (ACTIVATION_TYPES also has any registered later)
HIDDEN_ACTIVATIONS = tuple(ACTIVATION_TYPES)
OUTPUT_ACTIVATIONS = ("softmax", "sigmoid")


def check_activation(name: str, *, hidden: bool = True) -> str:
    allowed = tuple(ACTIVATION_TYPES) if hidden else OUTPUT_ACTIVATIONS
    if name not in allowed:
        where = "hidden" if hidden else "output"
        raise ConfigError(f"unknown {where} activation {name!r}; expected one of {', '.join(allowed)}")
    return name
