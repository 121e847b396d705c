"""Dense layers and activations: forward and backward passes.

Two forms of the same maths:

* pure functions in the CS231n style, ``forward(x, ...) -> (out, cache)`` and
  ``backward(dout, cache) -> grads``, which never modify their inputs (used by tests and by
  anyone reading the code to learn backprop);
* in-place kernels (``activate_``, ``activation_grad_``) that the network's training loop uses
  on preallocated buffers, because allocating per batch costs more than the maths at small
  batch sizes.

Every activation's derivative is written in terms of its *output* ``a`` (sigmoid' = a(1-a),
tanh' = 1-a^2, relu' = [a>0]), so the training loop keeps only post-activation buffers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ConfigError

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
OUTPUT_ACTIVATIONS = ("softmax", "sigmoid")
DEFAULT_LEAKY_SLOPE = 0.01


def check_activation(name: str, *, hidden: bool = True) -> str:
    allowed = HIDDEN_ACTIVATIONS if hidden else OUTPUT_ACTIVATIONS
    if name not in allowed:
        where = "hidden" if hidden else "output"
        raise ConfigError(f"unknown {where} activation {name!r}; expected one of {', '.join(allowed)}")
    return name


# --------------------------------------------------------------------------------------------
# Pure functions (CS231n style)
# --------------------------------------------------------------------------------------------


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
    """Affine layer ``out = x @ W + b``.

    x: (N, D) inputs, W: (D, M) weights stored (fan_in, fan_out), b: (M,) biases.
    Returns out: (N, M) and the cache ``(x, W)`` for the backward pass.
    """
    return x @ W + b, (x, W)


def dense_backward(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of an affine layer.

    dout: (N, M) upstream gradient. Returns dx: (N, D), dW: (D, M), db: (M,).
    """
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def activation_forward(
    z: np.ndarray, name: str, slope: float = DEFAULT_LEAKY_SLOPE
) -> tuple[np.ndarray, Any]:
    """Elementwise activation ``a = f(z)`` for a hidden layer; z: (N, M) -> a: (N, M)."""
    a = z.copy()
    activate_(a, name, slope)
    return a, (a, name, slope)


def activation_backward(da: np.ndarray, cache: Any) -> np.ndarray:
    """dz = da * f'(z), with f' computed from the cached output a; shapes (N, M)."""
    a, name, slope = cache
    dz = da.copy()
    activation_grad_(dz, a, name, slope)
    return dz


def dropout_forward(
    x: np.ndarray, rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout: zero a fraction ``rate`` of units, scale survivors by 1/(1-rate).

    Scaling at train time means inference needs no change. Returns (out, mask); x: (N, M).
    """
    keep = 1.0 - rate
    mask = (rng.random(x.shape, dtype=np.float32) < keep).astype(x.dtype) / x.dtype.type(keep)
    return x * mask, mask


def dropout_backward(dout: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return dout * mask


# --------------------------------------------------------------------------------------------
# In-place kernels (the training loop's hot path)
# --------------------------------------------------------------------------------------------


def sigmoid_(z: np.ndarray) -> np.ndarray:
    """In place: z <- 1/(1+exp(-z)).

    Written as 0.5*(1+tanh(z/2)), which is exact and never overflows (exp(-z) does for
    z < -88 in float32 and warns).
    """
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def activate_(z: np.ndarray, name: str, slope: float = DEFAULT_LEAKY_SLOPE) -> np.ndarray:
    """In place: z <- f(z) for a hidden activation."""
    if name == "relu":
        np.maximum(z, 0, out=z)
    elif name == "sigmoid":
        sigmoid_(z)
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "leaky_relu":
        # max(z, slope*z) equals leaky ReLU for 0 <= slope <= 1
        np.maximum(z, z * z.dtype.type(slope), out=z)
    else:
        check_activation(name)
    return z


def activation_grad_(
    da: np.ndarray, a: np.ndarray, name: str, slope: float = DEFAULT_LEAKY_SLOPE
) -> np.ndarray:
    """In place: da <- da * f'(z), where f' is computed from the activation output a."""
    if name == "relu":
        np.multiply(da, a > 0, out=da)
    elif name == "sigmoid":
        da *= a
        da *= 1 - a
    elif name == "tanh":
        da *= 1 - a * a
    elif name == "leaky_relu":
        np.multiply(da, np.where(a > 0, a.dtype.type(1), a.dtype.type(slope)), out=da)
    else:
        check_activation(name)
    return da
