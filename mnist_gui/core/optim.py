"""Optimisers and learning-rate schedules.

One contract: ``Optimizer.step(params, grads, lr)`` updates the flat parameter vector in
place from the flat gradient vector (the network keeps every W and b as views into one
buffer, so a step is a few NumPy calls whatever the number of layers). A new optimiser is a
subclass plus ``@register_optimizer``.

Optimisers whose update depends on lr and g only through lr*g (SGD, classic momentum,
Nesterov) say so with ``folds_learning_rate``: the trainer then has the network produce
lr*g directly (free, see ``MLP.loss_and_grads``) and calls ``step(params, lr*g, 1.0)``,
which is the same maths with one pass fewer over the parameters.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .errors import ConfigError

MOMENTUM_FORMS = ("classic", "averaged")
SCHEDULES = ("constant", "step", "cosine")


class Optimizer:
    """Base class. Subclasses set ``name`` and implement ``step``; state arrays are made
    on first use, shaped like the parameters."""

    name: ClassVar[str] = "optimizer"
    title: ClassVar[str] = ""
    #: how many arrays as large as the parameters it keeps (for memory estimates)
    state_copies: ClassVar[int] = 0
    #: the update depends on (lr, g) only through lr*g (see the module docstring)
    folds_learning_rate: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> Optimizer:
        """Build from a TrainConfig (or anything with the same attributes)."""
        return cls()

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """Arrays and counters to resume from (copies)."""
        return {
            k: (v.copy() if isinstance(v, np.ndarray) else v)
            for k, v in vars(self).items()
            if k.startswith("_") and k != "_tmp" and v is not None
        }

    def load_state(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            setattr(self, key, value.copy() if isinstance(value, np.ndarray) else value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"

    def _scratch(self, like: np.ndarray) -> np.ndarray:
        """A buffer shaped like the parameters, allocated once. A temporary that large on
        every step costs more than the update: above ~128 KB malloc takes fresh pages from
        the kernel each time."""
        buffer = getattr(self, "_tmp", None)
        if buffer is None or buffer.shape != like.shape or buffer.dtype != like.dtype:
            buffer = self._tmp = np.empty_like(like)
        return buffer

    def _state_array(self, name: str, like: np.ndarray) -> np.ndarray:
        array = getattr(self, name, None)
        if array is None or array.shape != like.shape or array.dtype != like.dtype:
            array = np.zeros_like(like)
            setattr(self, name, array)
        return array


OPTIMIZER_TYPES: dict[str, type[Optimizer]] = {}


def register_optimizer(cls: type[Optimizer]) -> type[Optimizer]:
    OPTIMIZER_TYPES[cls.name] = cls
    return cls


@register_optimizer
class SGD(Optimizer):
    """p <- p - lr * g."""

    name = "sgd"
    title = "Plain SGD"
    folds_learning_rate = True

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        if lr == 1.0:
            params -= grads
            return
        tmp = self._scratch(params)
        np.multiply(grads, params.dtype.type(lr), out=tmp)
        params -= tmp


@register_optimizer
class Momentum(Optimizer):
    """Heavy-ball momentum in either of its two common forms.

    classic:  v <- mu*v - lr*g;        p <- p + v
    averaged: v <- beta*v + (1-beta)*g; p <- p - lr*v   (an exponential average of gradients,
              as in the momentum article; its effective step is 1/(1-beta) smaller)
    """

    name = "momentum"
    title = "Momentum"
    state_copies = 1

    def __init__(self, momentum: float = 0.9, form: str = "classic") -> None:
        if form not in MOMENTUM_FORMS:
            raise ConfigError(f"unknown momentum form {form!r}; expected classic or averaged")
        self.momentum = momentum
        self.form = form
        self.folds_learning_rate = form == "classic"
        self._v: np.ndarray | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> Optimizer:
        return cls(settings.momentum, settings.momentum_form)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        v, t = self._state_array("_v", params), params.dtype.type
        v *= t(self.momentum)
        tmp = self._scratch(params)
        if self.form == "classic":
            if lr == 1.0:
                v -= grads
            else:
                np.multiply(grads, t(lr), out=tmp)
                v -= tmp
            params += v
        else:
            np.multiply(grads, t(1 - self.momentum), out=tmp)
            v += tmp
            np.multiply(v, t(lr), out=tmp)
            params -= tmp


@register_optimizer
class Nesterov(Optimizer):
    """Nesterov accelerated gradient (Sutskever's form, as PyTorch's nesterov=True):

    v <- mu*v - lr*g;  p <- p + mu*v - lr*g

    It keeps u = mu*v instead of v: then u <- mu*(u - lr*g) and p <- p + u - lr*g are four
    in-place passes over the parameters and no temporary (five and one with v); the
    update is memory-bound, so a pass is a fifth of its cost.
    """

    name = "nesterov"
    title = "Nesterov momentum"
    state_copies = 1
    folds_learning_rate = True

    def __init__(self, momentum: float = 0.9) -> None:
        self.momentum = momentum
        self._u: np.ndarray | None = None  # mu * velocity

    @classmethod
    def from_settings(cls, settings: Any) -> Optimizer:
        return cls(settings.momentum)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        u = self._state_array("_u", params)
        scaled = grads if lr == 1.0 else np.multiply(
            grads, params.dtype.type(lr), out=self._scratch(params))
        u -= scaled
        u *= params.dtype.type(self.momentum)
        params += u
        params -= scaled


@register_optimizer
class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    name = "adam"
    title = "Adam"
    state_copies = 2

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._m: np.ndarray | None = None
        self._v: np.ndarray | None = None
        self._t = 0

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        m, v = self._state_array("_m", params), self._state_array("_v", params)
        tmp, t = self._scratch(params), params.dtype.type
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


OPTIMIZERS = tuple(OPTIMIZER_TYPES)


def make_optimizer(settings: Any) -> Optimizer:
    """The optimiser a TrainConfig (``settings.optimizer`` and its options) asks for."""
    cls = OPTIMIZER_TYPES.get(settings.optimizer)
    if cls is None:
        raise ConfigError(
            f"unknown optimizer {settings.optimizer!r}; expected one of {', '.join(OPTIMIZER_TYPES)}"
        )
    return cls.from_settings(settings)


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
