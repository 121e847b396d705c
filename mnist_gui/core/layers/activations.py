"""Elementwise activations a = f(z), each a class and a registration (``register_activation``).

Hidden activations are known to settings, files and the GUI by ``kind``; the output
activation (softmax or sigmoid) is fused with the loss (``core/losses.py``) and is no layer.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError
from .base import DEFAULT_LEAKY_SLOPE, Layer, register_layer

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
    role = "activation"
    #: the ONNX operator computing f (unit scales are folded into the next layer before
    #: export, ``core.lab.baked``)
    onnx_op: ClassVar[str] = ""

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

    def onnx_nodes(self, graph: Any, x: str) -> str:
        if not self.onnx_op:
            raise NotImplementedError(f"the activation {self.kind!r} has no ONNX export")
        return graph.node(self.onnx_op, [x], **self.onnx_attributes())

    def onnx_attributes(self) -> dict[str, Any]:
        return {}

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
    onnx_op = "Relu"
    title = "ReLU"

    def apply(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0, out=out)

    def derivative_(self, da: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.multiply(da, a > 0, out=out)


@register_activation
class LeakyReLU(Activation):
    """max(z, slope*z) for 0 <= slope <= 1."""

    kind = "leaky_relu"
    onnx_op = "LeakyRelu"
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

    def onnx_attributes(self) -> dict[str, Any]:
        return {"alpha": self.slope}


@register_activation
class Sigmoid(Activation):
    kind = "sigmoid"
    onnx_op = "Sigmoid"
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
    onnx_op = "Tanh"
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



#: the built-in hidden activations (ACTIVATION_TYPES also has any registered later)
HIDDEN_ACTIVATIONS = tuple(ACTIVATION_TYPES)
OUTPUT_ACTIVATIONS = ("softmax", "sigmoid")


def check_activation(name: str, *, hidden: bool = True) -> str:
    allowed = tuple(ACTIVATION_TYPES) if hidden else OUTPUT_ACTIVATIONS
    if name not in allowed:
        where = "hidden" if hidden else "output"
        raise ConfigError(f"unknown {where} activation {name!r}; expected one of {', '.join(allowed)}")
    return name
