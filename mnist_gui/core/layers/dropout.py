"""Inverted dropout: a training-time layer, the identity at inference."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError
from .base import Layer, register_layer

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
    role = "dropout"
    title = "Dropout"

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


    def onnx_nodes(self, graph: Any, x: str) -> str:
        return x  # the identity at inference
