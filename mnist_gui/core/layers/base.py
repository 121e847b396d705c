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

    def infer(self, x: np.ndarray, overwrite_x: bool = False) -> np.ndarray:
        # out has another width than x: it cannot go into x, so it is always new
        out = np.matmul(x, self.W)
        out += self.b
        return out

    def infer_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, None]:
        return self.infer(x), None  # dx needs only W; x is not kept (no dW here)

    def input_backward(self, dout: np.ndarray, cache: None) -> np.ndarray:
        return np.matmul(dout, self.W.T)

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
        self._a: np.ndarray | None = None  # training step: f(z), before any unit scaling
        self._scale: np.ndarray | None = None  # training step: the unit scales it used
        self.unit_scale: np.ndarray | None = None

    def apply(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- f(z) (out may be z)."""
        raise NotImplementedError

    def derivative_(self, da: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out <- da * f'(z), with f' written in terms of a = f(z). out may be da (this
        module never passes it so, but a caller may). Must store nothing on the layer: the
        inference passes call it from several threads at once."""
        raise NotImplementedError

    # the training step
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        scale = self.unit_scale  # read once: another thread may set a new one meanwhile
        a = self._buffer("out", x.shape, x.dtype)
        self.apply(x, a)
        self._a, self._scale = a, scale
        if scale is None:
            return a
        scaled = self._buffer("scaled", x.shape, x.dtype)
        np.multiply(a, scale.astype(x.dtype, copy=False), out=scaled)
        return scaled

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        if not need_dx:
            return None
        dx = self._buffer("dx", dout.shape, dout.dtype)
        scale = self._scale  # the one the forward pass used
        if scale is not None:
            da = self._buffer("dscaled", dout.shape, dout.dtype)
            np.multiply(dout, scale.astype(dout.dtype, copy=False), out=da)
            return self.derivative_(da, self._a, dx)
        return self.derivative_(dout, self._a, dx)

    # inference
    def infer(self, x: np.ndarray, overwrite_x: bool = False) -> np.ndarray:
        scale = self.unit_scale  # read once: another thread may set a new one meanwhile
        a = self.apply(x, x if overwrite_x else np.empty_like(x))
        if scale is not None:
            a *= scale.astype(a.dtype, copy=False)
        return a

    def infer_with_cache(
        self, x: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray | None]]:
        """Cache: (a = f(x) before scaling, the unit scales used or None)."""
        scale = self.unit_scale
        a = self.apply(x, np.empty_like(x))
        out = a if scale is None else a * scale.astype(a.dtype, copy=False)
        return out, (a, scale)

    def input_backward(
        self, dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray | None]
    ) -> np.ndarray:
        a, scale = cache
        da = dout if scale is None else dout * scale.astype(dout.dtype, copy=False)
        return self.derivative_(da, a, np.empty_like(dout))

    def set_unit_scale(self, units: int, unit: int | None, scale: float = 0.0) -> None:
        """Scale the output of ``unit`` (0 switches it off; 1 restores it); ``unit=None``
        restores every unit. ``units`` is the layer's width."""
        if unit is None:
            self.unit_scale = None
            return
        if not 0 <= unit < units:
            raise ConfigError(f"unit {unit} does not exist (this layer has {units} units)")
        # a new array, never a change in place: a pass on another thread keeps the scales
        # it read, all old or all new
        scales = np.ones(units, np.float64) if self.unit_scale is None else self.unit_scale.copy()
        scales[unit] = float(scale)
        self.unit_scale = None if np.all(scales == 1.0) else scales


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
        if np.may_share_memory(out, da):  # da must survive until the product: a temporary
            return np.multiply(da, 1 - a * a, out=out)
        np.multiply(a, a, out=out)  # the slope 1 - a^2 built in out, then times da
        np.subtract(1, out, out=out)
        return np.multiply(da, out, out=out)


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
    1/(1-rate), so inference needs no change. Identity outside training: ``infer`` and a
    forward with ``training=False`` draw no mask.

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

    def infer(self, x: np.ndarray, overwrite_x: bool = False) -> np.ndarray:
        return x  # inverted dropout: nothing to do outside training (no mask, no draw)

    def infer_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, None]:
        return x, None

    def input_backward(self, dout: np.ndarray, cache: None) -> np.ndarray:
        return dout

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
