"""Losses fused with their output activation: each returns the mean loss and dL/dz.

``z`` is always the output layer's pre-activation (N, K); ``y`` holds class indices (N,)
(for the binary loss, 0 = negative, 1 = positive). The returned gradient is with respect to
``z`` and already divided by N, so dW = a_prev.T @ dz is the gradient of the *mean* loss;
an optional ``scale`` (the learning rate, for SGD-type optimisers) multiplies it at no cost.

Fusing the activation with the loss is what makes them stable: softmax CE is computed by
log-sum-exp and its gradient is simply p - onehot(y); binary CE on logits is
softplus(z) - y*z, never log(0).
"""

from __future__ import annotations

import numpy as np

from .layers import sigmoid_

LOSSES = ("ce", "mse", "bce")
LOSS_OUTPUT = {"ce": "softmax", "mse": "sigmoid", "bce": "sigmoid"}
LOSS_TITLES = {
    "ce": "softmax cross-entropy",
    "mse": "mean squared error on sigmoid outputs",
    "bce": "binary cross-entropy on one sigmoid unit",
}


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of z: (N, K) -> probabilities (N, K), stable for any finite z."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def sigmoid(z: np.ndarray) -> np.ndarray:
    return sigmoid_(np.array(z, copy=True))


def output_probabilities(z: np.ndarray, output_activation: str) -> np.ndarray:
    """Network outputs from logits: softmax rows, or elementwise sigmoid."""
    return softmax(z) if output_activation == "softmax" else sigmoid(z)


_ROW_STARTS: dict[tuple[int, int], np.ndarray] = {}


def _flat_indices(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Indices of the (row, y[row]) entries in a C-ordered (N, K) array, flattened.

    One 1-D gather/scatter costs a third of ``a[np.arange(n), y]``, which matters at a
    few microseconds per batch."""
    key = (len(y), n_classes)
    starts = _ROW_STARTS.get(key)
    if starts is None:
        if len(_ROW_STARTS) > 16:  # odd batch sizes come and go
            _ROW_STARTS.clear()
        starts = _ROW_STARTS[key] = np.arange(len(y)) * n_classes
    return starts + y


def softmax_cross_entropy(
    z: np.ndarray, y: np.ndarray, dz: np.ndarray | None = None, scale: float = 1.0
) -> tuple[float, np.ndarray]:
    """Mean of -log softmax(z)[y]. z: (N, K) logits, y: (N,) int. Returns (loss, dz (N, K)).

    ``dz`` may be a preallocated C-contiguous (N, K) buffer to write the gradient into;
    ``scale`` multiplies the gradient (not the loss) for free.
    """
    n, k = z.shape
    if dz is None:
        dz = np.empty_like(z)
    elif not dz.flags.c_contiguous:  # the flat view below would silently be a copy
        raise ValueError("softmax_cross_entropy: dz must be C-contiguous")
    # ufunc.reduce rather than .max()/.sum(): the methods' Python wrappers cost more than
    # the work on a (64, 10) batch
    np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=dz)
    flat = dz.reshape(-1)  # a view: dz is contiguous
    true = _flat_indices(y, k)
    shifted_true_sum = float(np.add.reduce(flat.take(true), dtype=np.float64))
    np.exp(dz, out=dz)
    sums = np.add.reduce(dz, axis=1, keepdims=True)
    loss = (float(np.add.reduce(np.log(sums), axis=None, dtype=np.float64)) - shifted_true_sum) / n
    if scale == 0:  # a learning rate of 0 (start of a warm-up, end of a cosine)
        dz.fill(0)
        return loss, dz
    sums *= n / scale  # dz <- (softmax - onehot) * scale / n
    dz /= sums
    flat[true] -= scale / n
    return loss, dz


def mse_sigmoid(
    z: np.ndarray, y: np.ndarray, dz: np.ndarray | None = None, scale: float = 1.0
) -> tuple[float, np.ndarray]:
    """Quadratic cost of the L2-cost article: mean over samples of 0.5*||sigmoid(z) - onehot(y)||^2.

    z: (N, K) logits, y: (N,) int in [0, K). Returns (loss, dz) with
    dz = (a - t) * a * (1 - a) / N.
    """
    n = z.shape[0]
    if dz is None:
        dz = np.empty_like(z)
    np.copyto(dz, z)
    a = sigmoid_(dz)  # dz holds a = sigmoid(z) for now
    a[np.arange(n), y] -= 1  # a - t
    loss = 0.5 * float(np.einsum("ij,ij->", a, a, dtype=np.float64)) / n
    sig = a.copy()
    sig[np.arange(n), y] += 1  # back to sigmoid(z)
    a *= sig
    a *= 1 - sig
    a *= scale / n
    return loss, a


def binary_cross_entropy(
    z: np.ndarray, y: np.ndarray, dz: np.ndarray | None = None, scale: float = 1.0
) -> tuple[float, np.ndarray]:
    """Binary CE of one sigmoid unit on logits. z: (N, 1), y: (N,) in {0, 1}.

    loss = mean(softplus(z) - y*z) (never log 0); dz = (sigmoid(z) - y) / N.
    """
    n = z.shape[0]
    if dz is None:
        dz = np.empty_like(z)
    zz = z[:, 0].astype(np.float64)
    yy = y.astype(np.float64)
    loss = float(np.mean(np.logaddexp(0.0, zz) - yy * zz))
    np.copyto(dz, z)
    sigmoid_(dz)
    dz[:, 0] -= y.astype(dz.dtype)
    dz *= scale / n
    return loss, dz


LOSS_FUNCTIONS = {"ce": softmax_cross_entropy, "mse": mse_sigmoid, "bce": binary_cross_entropy}


def loss_value(z: np.ndarray, y: np.ndarray, loss: str) -> float:
    """Mean loss of logits z (N, K) against y (N,), without keeping the gradient."""
    return LOSS_FUNCTIONS[loss](z, y)[0]
