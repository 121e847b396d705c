"""The affine layer ``out = x @ W + b``: the only layer whose products are GEMMs."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError
from .base import Layer, init_std, register_layer

@register_layer
class Dense(Layer):
    """Affine layer ``out = x @ W + b``; W: (fan_in, fan_out), b: (fan_out,).

    W is stored (fan_in, fan_out) so that ``x @ W`` and ``x.T @ dout`` need no transposed
    copies. Backward: dx = dout @ W.T, dW = x.T @ dout, db = sum of dout over the batch.
    """

    kind = "dense"
    role = "dense"
    title = "Dense"

    def __init__(self, fan_in: int, fan_out: int) -> None:
        super().__init__()
        self.fan_in, self.fan_out = int(fan_in), int(fan_out)
        if self.fan_in <= 0 or self.fan_out <= 0 or (self.fan_in, self.fan_out) != (fan_in, fan_out):
            raise ConfigError(f"a dense layer needs positive whole sizes, got {fan_in}x{fan_out}")
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

    def group(self, name: str) -> str:
        return "weight" if name == "W" else "bias"

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


    def onnx_nodes(self, graph: Any, x: str) -> str:
        W = graph.constant("W", self.W)
        b = graph.constant("b", self.b)
        return graph.node("Add", [graph.node("MatMul", [x, W]), b])
