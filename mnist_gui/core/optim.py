"""Optimisers and learning-rate schedules.

Optimisers update one flat parameter vector from one flat gradient vector in a few NumPy
calls, whatever the number of layers (the network keeps all W and b as views into one
buffer). Each keeps its state (velocity, moments) as arrays of the parameter's shape.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .blas import axpy
from .errors import ConfigError
from .network import GradientSink

#: unflatten(flat) -> (W views, b views) of a buffer laid out like the parameters
Unflatten = Callable[[np.ndarray], "tuple[list[np.ndarray], list[np.ndarray]]"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
MOMENTUM_FORMS = ("classic", "averaged")
SCHEDULES = ("constant", "step", "cosine")


class Optimizer:
    """Base class: ``step(params, grads, lr)`` updates ``params`` in place.

    Optimisers whose update is linear in lr*g (SGD, classic momentum, Nesterov) also offer
    ``step_scaled(params, scaled_grads)``, taking G = lr*g already multiplied in (the
    network can produce it for free); it is the same maths in one pass fewer.
    """

    name = "optimizer"
    takes_scaled_gradient = False
    #: whether the fused_* methods below exist: the backward pass then accumulates the
    #: scaled gradient G = lr*g straight into the optimiser's velocity (see GradientSink)
    fuses_with_backward = False

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def step_scaled(self, params: np.ndarray, scaled_grads: np.ndarray) -> None:
        raise NotImplementedError(f"{type(self).__name__} needs the unscaled gradient")

    # A fused step: sink = fused_sink(...); the backward pass writes into it (dL/dz scaled
    # by lr); the caller may add weight decay to sink.W, checks fused_state for finiteness,
    # then calls fused_apply(params) or, if it is not finite, fused_discard().

    def fused_sink(self, params: np.ndarray, unflatten: Unflatten) -> GradientSink:
        raise NotImplementedError(f"{type(self).__name__} cannot fuse with the backward pass")

    @property
    def fused_state(self) -> np.ndarray:
        """The flat buffer the backward pass accumulated into (like params)."""
        raise NotImplementedError

    def fused_apply(self, params: np.ndarray) -> None:
        raise NotImplementedError

    def fused_discard(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


def _scratch(owner: object, like: np.ndarray) -> np.ndarray:
    """A buffer shaped like ``like``, allocated once per optimiser.

    A temporary as large as the parameters on every step costs more than the update itself:
    above ~128 KB, malloc hands out fresh pages from the kernel each time.
    """
    buffer = getattr(owner, "_tmp", None)
    if buffer is None or buffer.shape != like.shape or buffer.dtype != like.dtype:
        buffer = np.empty_like(like)
        owner._tmp = buffer  # type: ignore[attr-defined]
    return buffer


class _Velocity:
    """The velocity ``_v`` of momentum and Nesterov, and the sink the backward pass writes
    v <- mu*v - G into (both made on first use)."""

    momentum: float
    _v: np.ndarray | None = None
    _sink: GradientSink | None = None

    def _velocity_sink(self, params: np.ndarray, unflatten: Unflatten) -> GradientSink:
        v = self._v
        if v is None or v.shape != params.shape or v.dtype != params.dtype:
            self._v = np.zeros_like(params)
            self._sink = None
        if self._sink is None:
            self._sink = GradientSink(*unflatten(self._v), alpha=-1.0, beta=self.momentum)
        return self._sink

    @property
    def fused_state(self) -> np.ndarray | None:
        return self._v

    def step_bound(self, v_old: float, v_new: float) -> float:
        """A bound on max|p' - p| from bounds on max|v| before and after a fused step."""
        return v_new


class SGD(Optimizer):
    """p <- p - lr * g."""

    name = "sgd"
    takes_scaled_gradient = True

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        tmp = _scratch(self, params)
        np.multiply(grads, params.dtype.type(lr), out=tmp)
        self.step_scaled(params, tmp)

    def step_scaled(self, params: np.ndarray, scaled_grads: np.ndarray) -> None:
        params -= scaled_grads


class Momentum(_Velocity, Optimizer):
    """Heavy-ball momentum in either of its two common forms.

    classic:  v <- mu*v - lr*g;        p <- p + v
    averaged: v <- beta*v + (1-beta)*g; p <- p - lr*v   (an exponential average of gradients,
              as in the momentum article; its effective step is 1/(1-beta) smaller)
    """

    name = "momentum"

    def __init__(self, momentum: float = 0.9, form: str = "classic") -> None:
        if form not in MOMENTUM_FORMS:
            raise ConfigError(f"unknown momentum form {form!r}; expected classic or averaged")
        self.momentum = momentum
        self.form = form
        self.takes_scaled_gradient = self.fuses_with_backward = form == "classic"
        self._v: np.ndarray | None = None

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        if self._v is None:
            self._v = np.zeros_like(params)
        v, t, tmp = self._v, params.dtype.type, _scratch(self, params)
        if self.form == "classic":
            np.multiply(grads, t(lr), out=tmp)
            self.step_scaled(params, tmp)
        else:
            v *= t(self.momentum)
            np.multiply(grads, t(1 - self.momentum), out=tmp)
            v += tmp
            np.multiply(v, t(lr), out=tmp)
            params -= tmp

    def step_scaled(self, params: np.ndarray, scaled_grads: np.ndarray) -> None:
        """Classic form only: v <- mu*v - G; p <- p + v, with G = lr*g."""
        if self.form != "classic":
            raise NotImplementedError("averaged momentum needs the unscaled gradient")
        if self._v is None:
            self._v = np.zeros_like(params)
        v = self._v
        v *= params.dtype.type(self.momentum)
        v -= scaled_grads
        params += v

    def fused_sink(self, params: np.ndarray, unflatten: Unflatten) -> GradientSink:
        """Classic form: the backward pass computes v <- mu*v - G itself."""
        if self.form != "classic":
            raise NotImplementedError("averaged momentum needs the unscaled gradient")
        return self._velocity_sink(params, unflatten)

    def fused_apply(self, params: np.ndarray) -> None:
        axpy(1.0, self._v, params, _scratch(self, params))

    def fused_discard(self) -> None:
        """The velocity may hold NaN: start it afresh (the parameters were not touched)."""
        self._v[...] = 0


class Nesterov(_Velocity, Optimizer):
    """Nesterov accelerated gradient (Sutskever's form, as PyTorch's nesterov=True):

    v <- mu*v - lr*g;  p <- p + mu*v - lr*g
    """

    name = "nesterov"
    takes_scaled_gradient = True
    fuses_with_backward = True

    def __init__(self, momentum: float = 0.9) -> None:
        self.momentum = momentum
        self._v: np.ndarray | None = None
        self._v_old: np.ndarray | None = None

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        scaled = np.multiply(grads, params.dtype.type(lr))
        self.step_scaled(params, scaled)

    def step_scaled(self, params: np.ndarray, scaled_grads: np.ndarray) -> None:
        if self._v is None:
            self._v = np.zeros_like(params)
        v, t, tmp = self._v, params.dtype.type, _scratch(self, params)
        v *= t(self.momentum)
        v -= scaled_grads
        params -= scaled_grads
        np.multiply(v, t(self.momentum), out=tmp)
        params += tmp

    def fused_sink(self, params: np.ndarray, unflatten: Unflatten) -> GradientSink:
        """The backward pass computes v' = mu*v - G; fused_apply then does
        p <- p + mu*v' - G, which is p + (1+mu)*v' - mu*v (so we keep v)."""
        sink = self._velocity_sink(params, unflatten)
        if self._v_old is None or self._v_old.shape != params.shape:  # step() made only v
            self._v_old = np.zeros_like(self._v)
        np.copyto(self._v_old, self._v)
        return sink

    def fused_apply(self, params: np.ndarray) -> None:
        axpy(1.0 + self.momentum, self._v, params, _scratch(self, params))
        axpy(-self.momentum, self._v_old, params, _scratch(self, params))

    def fused_discard(self) -> None:
        np.copyto(self._v, self._v_old)

    def step_bound(self, v_old: float, v_new: float) -> float:
        return (1 + self.momentum) * v_new + self.momentum * v_old


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    name = "adam"

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._m: np.ndarray | None = None
        self._v: np.ndarray | None = None
        self._t = 0

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        if self._m is None:
            self._m = np.zeros_like(params)
            self._v = np.zeros_like(params)
        m, v, tmp, t = self._m, self._v, _scratch(self, params), params.dtype.type
        self._t += 1
        m *= t(self.beta1)
        np.multiply(grads, t(1 - self.beta1), out=tmp)
        m += tmp
        v *= t(self.beta2)
        np.multiply(grads, grads, out=tmp)
        tmp *= t(1 - self.beta2)
        v += tmp
        # fold both bias corrections into the step size (one pass fewer over the buffers)
        step = lr * math.sqrt(1 - self.beta2**self._t) / (1 - self.beta1**self._t)
        eps_hat = self.eps * math.sqrt(1 - self.beta2**self._t)
        np.sqrt(v, out=tmp)
        tmp += t(eps_hat)
        np.divide(m, tmp, out=tmp)
        tmp *= t(step)
        params -= tmp


def make_optimizer(name: str, momentum: float = 0.9, momentum_form: str = "classic") -> Optimizer:
    if name == "sgd":
        return SGD()
    if name == "momentum":
        return Momentum(momentum, momentum_form)
    if name == "nesterov":
        return Nesterov(momentum)
    if name == "adam":
        return Adam()
    raise ConfigError(f"unknown optimizer {name!r}; expected one of {', '.join(OPTIMIZERS)}")


def scheduled_lr(
    base_lr: float,
    schedule: str,
    progress_epochs: float,
    total_epochs: int,
    step_size: int = 10,
    gamma: float = 0.1,
    warmup_epochs: float = 0.0,
) -> float:
    """Learning rate at a point in training.

    progress_epochs: epochs completed so far, fractional (e.g. 2.5 = half way through the
    third epoch). constant: base_lr; step: base_lr * gamma**floor(progress/step_size);
    cosine: half a cosine from base_lr down to 0 at total_epochs. An optional linear warm-up
    from 0 over ``warmup_epochs`` multiplies any of them.
    """
    if schedule == "constant":
        lr = base_lr
    elif schedule == "step":
        lr = base_lr * gamma ** math.floor(progress_epochs / max(step_size, 1))
    elif schedule == "cosine":
        frac = min(max(progress_epochs / max(total_epochs, 1), 0.0), 1.0)
        lr = 0.5 * base_lr * (1 + math.cos(math.pi * frac))
    else:
        raise ConfigError(f"unknown schedule {schedule!r}; expected one of {', '.join(SCHEDULES)}")
    if warmup_epochs > 0 and progress_epochs < warmup_epochs:
        lr *= progress_epochs / warmup_epochs
    return lr
