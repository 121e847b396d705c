"""What batch and layer normalisation share: a scale ``gamma`` and a shift ``beta`` per unit,
learnt like any parameter, after a normalisation of the input.

Both keep the width of their input, start as the identity map of the normalised input
(gamma 1, beta 0) and put their parameters in the "norm" group, which weight decay skips
unless the settings ask for it (``TrainConfig.norm_weight_decay``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError
from .base import Layer

#: added to the variance before its square root (PyTorch's default, so runs compare)
DEFAULT_EPS = 1e-5


class Normalization(Layer):
    """gamma, beta: (size,). Subclasses give the normalisation itself."""

    def __init__(self, size: int, eps: float = DEFAULT_EPS) -> None:
        super().__init__()
        self.size = int(size)
        self.eps = float(eps)
        if self.size <= 0 or self.size != size:
            raise ConfigError(f"a normalisation layer needs a positive whole width, got {size}")
        if not 0 < self.eps < 1:
            raise ConfigError(f"a normalisation's eps must be in (0, 1), got {eps}")
        self.gamma: np.ndarray | None = None
        self.beta: np.ndarray | None = None
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    def output_size(self, input_size: int) -> int:
        if input_size != self.size:
            raise ConfigError(f"a {self.title} layer of {self.size} units cannot take {input_size}")
        return self.size

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"gamma": (self.size,), "beta": (self.size,)}

    def bind(self, values: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        super().bind(values, grads)
        self.gamma, self.beta = values["gamma"], values["beta"]
        self.dgamma, self.dbeta = grads["gamma"], grads["beta"]

    def group(self, name: str) -> str:
        return "norm"

    def initialize(self, rng: np.random.Generator, method: str, std: float, bias: str) -> None:
        """gamma 1, beta 0 (whatever the weight initialiser): the layer starts as the plain
        normalisation, as in Ioffe & Szegedy (2015) and PyTorch."""
        self.gamma[...] = 1
        self.beta[...] = 0
        self.reset_state()

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "size": self.size, "eps": self.eps}

    def _scale_shift(self, x_hat: np.ndarray) -> np.ndarray:
        """The training step's output gamma * x_hat + beta: (N, size), a reused buffer."""
        out = self._buffer("out", x_hat.shape, x_hat.dtype)
        np.multiply(x_hat, self.gamma, out=out)
        out += self.beta
        return out

    def _param_grads(self, dout: np.ndarray, x_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(dL/dgamma, dL/dbeta): (size,) each, as new arrays, for dout and x_hat: (N, size)."""
        # einsum sums the product without an (N, size) temporary
        return np.einsum("ij,ij->j", dout, x_hat), np.add.reduce(dout, axis=0)
