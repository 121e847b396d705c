"""Batch normalisation (Ioffe & Szegedy, 2015): each unit standardised over the batch in
training, over running statistics at inference, then scaled and shifted.

Training: mu, var = the batch's mean and (biased) variance per unit, x_hat = (x - mu) /
sqrt(var + eps), out = gamma * x_hat + beta; the running statistics move towards the batch's
by ``momentum`` (with the unbiased variance, as PyTorch does). Inference: a fixed affine map
per unit, out = x * s + t with s = gamma / sqrt(running_var + eps), t = beta - running_mean *
s, which ONNX export folds into the dense layer before it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError
from .base import register_layer
from .normalization import DEFAULT_EPS, Normalization

#: weight of the newest batch in the running statistics (PyTorch's default)
DEFAULT_MOMENTUM = 0.1


@register_layer
class BatchNorm(Normalization):
    """x: (N, size) -> (N, size). State: ``running_mean``, ``running_var`` (size,)."""

    kind = "batch_norm"
    title = "Batch norm"

    def __init__(self, size: int, momentum: float = DEFAULT_MOMENTUM,
                 eps: float = DEFAULT_EPS) -> None:
        super().__init__(size, eps)
        self.momentum = float(momentum)
        if not 0 < self.momentum <= 1:
            raise ConfigError(f"batch norm momentum must be in (0, 1], got {momentum}")
        self._x_hat: np.ndarray | None = None
        self._inv_std: np.ndarray | None = None  # (size,) of the last forward
        self._batch_stats = True  # whether the last forward normalised with the batch's

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"running_mean": (self.size,), "running_var": (self.size,)}

    def reset_state(self) -> None:
        self.state["running_mean"][...] = 0
        self.state["running_var"][...] = 1

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "momentum": self.momentum}

    def inference_affine(self) -> tuple[np.ndarray, np.ndarray]:
        """(s, t): (size,) each, out = x * s + t at inference (new arrays)."""
        s = self.gamma / np.sqrt(self.state["running_var"] + self.eps)
        return s, self.beta - self.state["running_mean"] * s

    # -- the training step
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        n = x.shape[0]
        x_hat = self._buffer("x_hat", x.shape, x.dtype)
        if training:
            mean = np.add.reduce(x, axis=0) / x.dtype.type(n)
            np.subtract(x, mean, out=x_hat)
            var = np.einsum("ij,ij->j", x_hat, x_hat) / x.dtype.type(n)
            inv_std = 1 / np.sqrt(var + x.dtype.type(self.eps))
            x_hat *= inv_std
            m = self.momentum
            running_mean, running_var = self.state["running_mean"], self.state["running_var"]
            running_mean += m * (mean - running_mean)
            # the unbiased variance, as PyTorch keeps it (a batch of 1 has none: kept as is)
            unbiased = var * (n / (n - 1)) if n > 1 else running_var
            running_var += m * (unbiased - running_var)
        else:
            inv_std = 1 / np.sqrt(self.state["running_var"] + self.eps).astype(x.dtype)
            np.subtract(x, self.state["running_mean"].astype(x.dtype), out=x_hat)
            x_hat *= inv_std
        self._x_hat, self._inv_std, self._batch_stats = x_hat, inv_std, training
        return self._scale_shift(x_hat)

    def backward(
        self, dout: np.ndarray, need_dx: bool = True, param_grads: bool = True
    ) -> np.ndarray | None:
        x_hat, inv_std = self._x_hat, self._inv_std
        dgamma, dbeta = self._param_grads(dout, x_hat)
        if param_grads:
            self.dgamma[...] = dgamma
            self.dbeta[...] = dbeta
        if not need_dx:
            return None
        dx = self._buffer("dx", dout.shape, dout.dtype)
        if not self._batch_stats:  # running statistics are constants: a per-unit scaling
            return np.multiply(dout, self.gamma * inv_std, out=dx)
        # dx = gamma / sqrt(var + eps) * (dout - mean(dout) - x_hat * mean(dout * x_hat)),
        # the means over the batch; in place in one buffer
        n = dout.dtype.type(dout.shape[0])
        np.multiply(x_hat, dgamma / n, out=dx)
        np.subtract(dout, dx, out=dx)
        dx -= dbeta / n
        dx *= self.gamma * inv_std
        return dx

    # -- inference
    def infer(self, x: np.ndarray, overwrite_x: bool = False) -> np.ndarray:
        s, t = self.inference_affine()
        out = np.multiply(x, s.astype(x.dtype, copy=False), out=x if overwrite_x else None)
        out += t.astype(x.dtype, copy=False)
        return out

    def infer_with_cache(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cache: s (size,), the per-unit factor the input was multiplied by."""
        s, t = self.inference_affine()
        s = s.astype(x.dtype, copy=False)
        out = x * s
        out += t.astype(x.dtype, copy=False)
        return out, s

    def input_backward(self, dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
        return dout * cache

    def onnx_nodes(self, graph: Any, x: str) -> str:
        # the exporter folds this map into the dense layer before it when there is one
        s, t = self.inference_affine()
        scaled = graph.node("Mul", [x, graph.constant("scale", s)])
        return graph.node("Add", [scaled, graph.constant("shift", t)])
