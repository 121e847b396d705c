"""The multilayer perceptron: parameters, forward pass, loss and gradients.

All weights and biases live in one flat buffer ``params`` and are exposed as views
``W[l]`` (fan_in, fan_out) and ``b[l]`` (fan_out,); gradients likewise in ``grads``. That
lets an optimiser update the whole network in a few calls, lets a model be copied or checked
for NaN in one call, and keeps ``X @ W`` and ``A.T @ dZ`` free of transposed copies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .blas import gemm_update
from .errors import ConfigError
from .layers import (
    DEFAULT_LEAKY_SLOPE,
    HIDDEN_ACTIVATIONS,
    activate_,
    activation_grad_,
    check_activation,
)
from .losses import LOSS_FUNCTIONS, LOSS_OUTPUT, LOSSES, output_probabilities

INITIALIZERS = ("normal", "xavier", "lecun", "he")
INIT_TITLES = {
    "normal": "normal N(0, std^2)",
    "xavier": "Xavier/Glorot normal, std sqrt(2/(fan_in+fan_out))",
    "lecun": "LeCun normal, std sqrt(1/fan_in)",
    "he": "He normal, std sqrt(2/fan_in)",
}

#: The largest parameter count we accept (a 4-byte float each, ~2 GB); larger is surely a typo.
MAX_PARAMETERS = 500_000_000


def init_std(method: str, fan_in: int, fan_out: int, std: float = 0.01) -> float:
    """Standard deviation of the normal distribution an initialiser draws from."""
    if method == "normal":
        return std
    if method == "xavier":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    if method == "lecun":
        return float(np.sqrt(1.0 / fan_in))
    if method == "he":
        return float(np.sqrt(2.0 / fan_in))
    raise ConfigError(f"unknown initializer {method!r}; expected one of {', '.join(INITIALIZERS)}")


def parameter_count(layer_sizes: list[int]) -> int:
    return sum((a + 1) * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


@dataclass
class _Buffers:
    """Per-batch-size scratch arrays, allocated once and reused every batch."""

    acts: list[np.ndarray]  # post-activation output of each weight layer, (N, size[l+1])
    grads: list[np.ndarray]  # dL/dz of each weight layer, (N, size[l+1])
    masks: list[np.ndarray] = field(default_factory=list)  # dropout masks of hidden layers
    ones: np.ndarray | None = None  # (1, N): bias gradients as ones @ dZ, a GEMM like dW


@dataclass
class GradientSink:
    """Where a backward pass accumulates the gradient g instead of writing it to ``grads``:
    ``W[l] <- beta * W[l] + alpha * dW[l]`` and likewise for ``b[l]`` (views of a buffer laid
    out like ``params``, see ``MLP.unflatten``). With momentum's velocity as the buffer,
    beta = mu and alpha = -1 (lr folded into dL/dz) this is the velocity update, done by the
    GEMM itself (core/blas.py says why that matters).
    """

    W: list[np.ndarray]
    b: list[np.ndarray]
    alpha: float
    beta: float
    b_rows: list[np.ndarray] = field(init=False)  # b[l] as (1, fan_out), for the GEMM

    def __post_init__(self) -> None:
        self.b_rows = [b.reshape(1, -1) for b in self.b]


class MLP:
    """A fully connected network.

    layer_sizes: e.g. [784, 128, 10]; activations: one per weight layer, the hidden ones from
    sigmoid/tanh/relu/leaky_relu and the last "softmax" or "sigmoid". classes: the label each
    output stands for (for one sigmoid unit: [negative, positive]). Inputs are expected as
    (pixel/255 - input_mean) / input_std.
    """

    def __init__(
        self,
        layer_sizes: list[int],
        activations: list[str],
        *,
        classes: list[int] | None = None,
        leaky_relu_slope: float = DEFAULT_LEAKY_SLOPE,
        input_mean: float = 0.0,
        input_std: float = 1.0,
        dtype: type | np.dtype = np.float32,
    ) -> None:
        layer_sizes = [int(s) for s in layer_sizes]
        if len(layer_sizes) < 2:
            raise ConfigError("a network needs at least an input and an output layer")
        if any(s <= 0 for s in layer_sizes):
            raise ConfigError(f"layer sizes must be positive integers, got {layer_sizes}")
        if len(activations) != len(layer_sizes) - 1:
            raise ConfigError(
                f"{len(layer_sizes) - 1} weight layers need as many activations, "
                f"got {len(activations)}"
            )
        for name in activations[:-1]:
            check_activation(name, hidden=True)
        check_activation(activations[-1], hidden=False)
        if activations[-1] == "softmax" and layer_sizes[-1] < 2:
            raise ConfigError("a softmax output needs at least 2 units")
        n_params = parameter_count(layer_sizes)
        if n_params > MAX_PARAMETERS:
            raise ConfigError(
                f"{n_params:,} parameters is more than the {MAX_PARAMETERS:,} this app accepts"
            )
        if classes is None:
            classes = list(range(layer_sizes[-1])) if layer_sizes[-1] > 1 else [0, 1]
        expected_classes = layer_sizes[-1] if layer_sizes[-1] > 1 else 2
        if len(classes) != expected_classes:
            raise ConfigError(f"{layer_sizes[-1]} outputs need {expected_classes} classes")
        self.layer_sizes = layer_sizes
        self._is_binary = layer_sizes[-1] == 1
        self.activations = list(activations)
        self.classes = [int(c) for c in classes]
        self.leaky_relu_slope = float(leaky_relu_slope)
        self.input_mean = float(input_mean)
        self.input_std = float(input_std)
        self.dtype = np.dtype(dtype)
        self.params = np.zeros(n_params, self.dtype)
        self.grads = np.zeros(n_params, self.dtype)
        self.W: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        self.dW: list[np.ndarray] = []
        self.db: list[np.ndarray] = []
        offset = 0
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            for flat, store, shape in (
                (self.params, self.W, (fan_in, fan_out)),
                (self.grads, self.dW, (fan_in, fan_out)),
            ):
                store.append(flat[offset : offset + fan_in * fan_out].reshape(shape))
            offset += fan_in * fan_out
            self.b.append(self.params[offset : offset + fan_out])
            self.db.append(self.grads[offset : offset + fan_out])
            offset += fan_out
        self._buffers: dict[tuple[int, bool], _Buffers] = {}
        self._last_training_buffers: _Buffers | None = None

    # ---------------------------------------------------------------------------- basics

    @property
    def n_layers(self) -> int:
        """Number of weight layers."""
        return len(self.W)

    @property
    def n_parameters(self) -> int:
        return self.params.size

    @property
    def output_activation(self) -> str:
        return self.activations[-1]

    @property
    def is_binary(self) -> bool:
        return self._is_binary

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.layer_sizes))
        return (
            f"MLP({sizes}, activations={self.activations}, classes={self.classes}, "
            f"params={self.n_parameters:,}, dtype={self.dtype})"
        )

    def initialize(
        self,
        rng: np.random.Generator,
        method: str = "he",
        std: float = 0.01,
        bias: str = "zeros",
    ) -> MLP:
        """Draw weights from N(0, s^2), s given by ``method``; biases zero or N(0, s^2)."""
        if bias not in ("zeros", "normal"):
            raise ConfigError(f"unknown bias init {bias!r}; expected zeros or normal")
        for W, b in zip(self.W, self.b):
            s = init_std(method, W.shape[0], W.shape[1], std)
            W[...] = rng.standard_normal(W.shape, dtype=np.float64) * s
            if bias == "normal":
                b[...] = rng.standard_normal(b.shape, dtype=np.float64) * s
            else:
                b[...] = 0
        return self

    def copy_weights(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Independent copies of (W list, b list), safe to hand to another thread."""
        snapshot = self.params.copy()
        return self.unflatten(snapshot)

    def unflatten(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Views (W list, b list) into a flat vector laid out like ``params``."""
        Ws, bs, offset = [], [], 0
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            Ws.append(flat[offset : offset + fan_in * fan_out].reshape(fan_in, fan_out))
            offset += fan_in * fan_out
            bs.append(flat[offset : offset + fan_out])
            offset += fan_out
        return Ws, bs

    def clone(self, dtype: type | np.dtype | None = None) -> MLP:
        other = MLP(
            self.layer_sizes,
            self.activations,
            classes=self.classes,
            leaky_relu_slope=self.leaky_relu_slope,
            input_mean=self.input_mean,
            input_std=self.input_std,
            dtype=dtype or self.dtype,
        )
        other.params[...] = self.params
        return other

    # --------------------------------------------------------------------------- forward

    def _get_buffers(self, n: int, training: bool) -> _Buffers:
        key = (n, training)
        bufs = self._buffers.get(key)
        if bufs is None:
            if len(self._buffers) > 8:  # odd batch sizes (last batch, chunks) come and go
                self._buffers.clear()
            sizes = self.layer_sizes[1:]
            acts = [np.empty((n, s), self.dtype) for s in sizes]
            grads = [np.empty((n, s), self.dtype) for s in sizes] if training else []
            masks = [np.empty((n, s), self.dtype) for s in sizes[:-1]] if training else []
            ones = np.ones((1, n), self.dtype) if training else None
            bufs = self._buffers[key] = _Buffers(acts, grads, masks, ones)
        return bufs

    def _forward_into(
        self,
        X: np.ndarray,
        bufs: _Buffers,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        A = X
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            Z = bufs.acts[l]
            np.matmul(A, W, out=Z)
            Z += b
            if l < last:
                activate_(Z, self.activations[l], self.leaky_relu_slope)
                if dropout > 0.0 and rng is not None:
                    mask = bufs.masks[l]
                    keep = 1.0 - dropout
                    rng.random(dtype=mask.dtype, out=mask)
                    np.less(mask, keep, out=mask, casting="unsafe")  # 1.0 keeps, 0.0 drops
                    mask *= mask.dtype.type(1.0 / keep)
                    Z *= mask
            A = Z
        return A

    def logits(self, X: np.ndarray, chunk: int = 8192) -> np.ndarray:
        """Output pre-activations z: (N, K) for inputs X: (N, D) (a new array)."""
        X = np.asarray(X)
        out = np.empty((X.shape[0], self.layer_sizes[-1]), self.dtype)
        for start in range(0, X.shape[0], chunk):
            part = X[start : start + chunk]
            if part.dtype != self.dtype:
                part = part.astype(self.dtype)
            out[start : start + len(part)] = self._forward_into(
                part, self._get_buffers(len(part), False)
            )
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (N, n_classes), columns in the order of ``classes``.

        For a single sigmoid unit the two columns are [P(negative), P(positive)].
        """
        p = output_probabilities(self.logits(X), self.output_activation)
        if self.is_binary:
            return np.concatenate([1 - p, p], axis=1)
        return p

    def predict_index(self, X: np.ndarray) -> np.ndarray:
        """Index into ``classes`` of the most likely class for each row of X: (N,) int."""
        z = self.logits(X)
        return (z[:, 0] > 0).astype(np.int64) if self.is_binary else z.argmax(axis=1)

    # -------------------------------------------------------------------------- training

    def loss_and_grads(
        self,
        X: np.ndarray,
        y: np.ndarray,
        loss: str,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
        grad_scale: float = 1.0,
        into: GradientSink | None = None,
    ) -> tuple[float, np.ndarray]:
        """Mean loss on a batch and its gradient written into ``grads`` (dW, db views).

        ``grad_scale`` multiplies the gradient (not the returned loss) at no cost: backprop is
        linear in dL/dz, so scaling that (N, K) array scales every dW and db. SGD-type
        optimisers pass their learning rate here and save a pass over all parameters.
        ``into`` accumulates the (scaled) gradient into another buffer instead of ``grads``
        (which is then left as it was).

        X: (N, D) in the network's dtype, y: (N,) class indices. Returns (loss, z) where
        z: (N, K) are the batch's logits (a reused buffer: read it before the next call).
        Weight decay is not included here (the trainer adds it to dW).
        """
        if loss not in LOSSES:
            raise ConfigError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
        n = X.shape[0]
        bufs = self._last_training_buffers = self._get_buffers(n, True)
        z = self._forward_into(X, bufs, dropout, rng)
        loss_value, dZ = LOSS_FUNCTIONS[loss](z, y, bufs.grads[-1], grad_scale)
        for l in range(self.n_layers - 1, -1, -1):
            A_prev = X if l == 0 else bufs.acts[l - 1]
            if into is None:
                np.matmul(A_prev.T, dZ, out=self.dW[l])
                np.add.reduce(dZ, axis=0, out=self.db[l])
            else:
                gemm_update(into.alpha, A_prev, dZ, into.beta, into.W[l], transpose_a=True)
                gemm_update(into.alpha, bufs.ones, dZ, into.beta, into.b_rows[l])
            if l == 0:
                break
            dA = bufs.grads[l - 1]
            np.matmul(dZ, self.W[l].T, out=dA)
            if dropout > 0.0 and rng is not None:
                dA *= bufs.masks[l - 1]
            activation_grad_(dA, bufs.acts[l - 1], self.activations[l - 1], self.leaky_relu_slope)
            dZ = dA
        return loss_value, z

    def gradient_bound(self, X: np.ndarray, input_sq_bound: float | None = None) -> float:
        """After ``loss_and_grads(X, ...)``: a bound on |every entry| of the gradient it made
        (as scaled), from the small per-batch arrays only. dW = A.T @ dZ, so by
        Cauchy-Schwarz |dW_ij| <= ||A||_F ||dZ||_F (for db, A is a column of ones). NaN or
        inf in any of them gives inf or NaN, so "bound < limit" also proves finiteness.
        ``input_sq_bound``, if given, is a known bound on ||X||_F^2 (saves reading X).
        """
        bufs = self._last_training_buffers
        bound = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for l in range(self.n_layers):
                A_prev = X if l == 0 else bufs.acts[l - 1]
                dZ = bufs.grads[l]
                if l == 0 and input_sq_bound is not None:
                    a_sq = input_sq_bound
                else:
                    a_sq = float(np.vdot(A_prev, A_prev))
                dz_sq = float(np.vdot(dZ, dZ))
                if not (a_sq < math.inf and dz_sq < math.inf):  # inf or NaN
                    return math.inf
                bound = max(bound, math.sqrt(max(a_sq, len(dZ)) * dz_sq))
        return bound


def build_mlp(
    input_size: int,
    hidden_sizes: list[int],
    n_classes: int,
    *,
    activation: str = "relu",
    hidden_activations: list[str] | None = None,
    loss: str = "ce",
    classes: list[int] | None = None,
    leaky_relu_slope: float = DEFAULT_LEAKY_SLOPE,
    dtype: type | np.dtype = np.float32,
    input_mean: float = 0.0,
    input_std: float = 1.0,
) -> MLP:
    """An MLP for ``loss``: softmax outputs for "ce", sigmoid ones for "mse", and a single
    sigmoid unit for "bce" (which needs exactly 2 classes). ``hidden_activations`` (one per
    hidden layer) overrides ``activation``."""
    if loss not in LOSSES:
        raise ConfigError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
    if activation not in HIDDEN_ACTIVATIONS:
        check_activation(activation)
    if loss == "bce":
        if n_classes != 2:
            raise ConfigError(f"binary cross-entropy needs exactly 2 classes, got {n_classes}")
        outputs = 1
    else:
        outputs = n_classes
    sizes = [input_size, *hidden_sizes, outputs]
    hidden_acts = list(hidden_activations or [activation] * len(hidden_sizes))
    if len(hidden_acts) != len(hidden_sizes):
        raise ConfigError(f"{len(hidden_acts)} activations for {len(hidden_sizes)} hidden layers")
    acts = hidden_acts + [LOSS_OUTPUT[loss]]
    return MLP(
        sizes,
        acts,
        classes=classes,
        leaky_relu_slope=leaky_relu_slope,
        dtype=dtype,
        input_mean=input_mean,
        input_std=input_std,
    )
