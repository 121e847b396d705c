"""Layer normalisation (Ba, Kiros & Hinton, 2016): each row standardised over its own units,
then scaled and shifted per unit. The same in training and at inference (no running
statistics), so it works for any batch size, one digit included.

out = gamma * x_hat + beta, x_hat = (x - mean(x)) / sqrt(var(x) + eps), mean and (biased)
variance over the units of each row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import register_layer
from .normalization import Normalization


@register_layer
class LayerNorm(Normalization):
    """x: (N, size) -> (N, size)."""

    kind = "layer_norm"
    title = "Layer norm"

    def __init__(self, size: int, eps: float = 1e-5) -> None:
        super().__init__(size, eps)
        self._x_hat: np.ndarray | None = None
        self._inv_std: np.ndarray | None = None  # (N, 1)

    def _normalize(self, x: np.ndarray, x_hat: np.ndarray) -> np.ndarray:
        """x_hat <- the rows of x standardised; returns 1/sqrt(var + eps): (N, 1)."""
        t = x.dtype.type
        mean = np.add.reduce(x, axis=1, keepdims=True) / t(x.shape[1])
        np.subtract(x, mean, out=x_hat)
        var = np.einsum("ij,ij->i", x_hat, x_hat)[:, None] / t(x.shape[1])
        inv_std = 1 / np.sqrt(var + t(self.eps))
        x_hat *= inv_std
        return inv_std

    def _input_grad(self, dout: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray,
                    dx: np.ndarray) -> np.ndarray:
        """dx <- inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), g = dout * gamma, the
        means over each row's units."""
        t = dout.dtype.type
        np.multiply(dout, self.gamma, out=dx)  # g
        mean_g = np.add.reduce(dx, axis=1, keepdims=True) / t(dx.shape[1])
        mean_gx = np.einsum("ij,ij->i", dx, x_hat)[:, None] / t(dx.shape[1])
        dx -= mean_g
        dx -= x_hat * mean_gx
        dx *= inv_std
        return dx

    # -- the training step
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x_hat = self._buffer("x_hat", x.shape, x.dtype)
        self._inv_std = self._normalize(x, x_hat)
        self._x_hat = x_hat
        return self._scale_shift(x_hat)

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        if param_grads:
            self.dgamma[...], self.dbeta[...] = self._param_grads(dout, self._x_hat)
        if not need_dx:
            return None
        dx = self._buffer("dx", dout.shape, dout.dtype)
        return self._input_grad(dout, self._x_hat, self._inv_std, dx)

    # -- inference
    def infer(self, x: np.ndarray, overwrite_x: bool = False) -> np.ndarray:
        out, _ = self.infer_with_cache(x)
        return out

    def infer_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Cache: (x_hat (N, size), 1/sqrt(var + eps) (N, 1))."""
        x_hat = np.empty_like(x)
        inv_std = self._normalize(x, x_hat)
        out = x_hat * self.gamma.astype(x.dtype, copy=False)
        out += self.beta.astype(x.dtype, copy=False)
        return out, (x_hat, inv_std)

    def input_backward(self, dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        x_hat, inv_std = cache
        return self._input_grad(dout, x_hat, inv_std, np.empty_like(dout))

    def onnx_nodes(self, graph: Any, x: str) -> str:
        return graph.node("LayerNormalization",
                          [x, graph.constant("gamma", self.gamma), graph.constant("beta", self.beta)],
                          axis=-1, epsilon=self.eps)
