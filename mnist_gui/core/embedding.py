"""A 2-D map of the test digits as one layer of the network sees them.

``representation(model, X, layer)`` gives the layer's view: 0 the (standardised) input,
1..H the hidden layers' activations, H + 1 the output logits. Two maps of it:

* ``pca_map``: principal components in NumPy (the covariance's eigenvectors; ~0.1 s for
  10,000 x 800), instant enough to refresh every epoch; pass the previous map's axes to
  keep the picture from flipping between epochs;
* ``tsne_map``: t-SNE by openTSNE (the optional ``map`` extra): PCA to 50 dimensions,
  exact-perplexity affinities on approximate nearest neighbours, FFT-accelerated gradients
  with a coarser interpolation grid than openTSNE's default (``ints_in_interval=3``: 10,000
  digits in ~13 s on 2 cores instead of ~55 s, the same picture at screen resolution). It
  reports progress and can be cancelled between iterations through a callback; the same
  seed gives the same coordinates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import Cancelled, ConfigError
from .network import MLP

#: Progress callback: fraction done in [0, 1] -> False to cancel (anything else goes on)
Progress = Callable[[float], object]

TSNE_EXAGGERATION_ITERS = 250
TSNE_ITERS = 500


@dataclass
class Map:
    """coords: (N, 2) float32; axes: (D, 2) for PCA (None for t-SNE); explained: the share
    of variance each PCA axis holds."""

    coords: np.ndarray
    method: str
    layer: int
    seconds: float
    axes: np.ndarray | None = None
    mean: np.ndarray | None = None
    explained: tuple[float, float] | None = None


def layer_names(model: MLP) -> list[str]:
    """What each ``layer`` index of ``representation`` means, for a menu."""
    hidden = [f"hidden layer {i} ({n} units)" for i, n in enumerate(model.layer_sizes[1:-1], 1)]
    return ["input (pixels)", *hidden, "output (logits)"]


def representation(model: MLP, X: np.ndarray, layer: int) -> np.ndarray:
    """(N, width) view of X: (N, D) at ``layer`` (0 input, 1..H hidden, H + 1 logits)."""
    if not 0 <= layer <= len(model.hidden) + 1:
        raise ConfigError(f"layer {layer} does not exist: 0 is the input, 1 to "
                          f"{len(model.hidden)} the hidden layers, {len(model.hidden) + 1} the output")
    if layer == 0:
        return np.asarray(X, np.float32)
    return model.layer_output(X, layer - 1)  # only that layer's activations are kept


def pca_map(R: np.ndarray, previous: Map | None = None, layer: int = 0) -> Map:
    """The first two principal components of R: (N, D). With ``previous`` (a map of the same
    width), each axis's sign is chosen to agree with the previous one; otherwise the
    largest loading of each axis is positive."""
    if R.ndim != 2 or len(R) < 2:
        raise ConfigError("a map needs at least 2 digits")
    t0 = time.perf_counter()
    R = np.asarray(R, np.float32)
    mean = R.mean(axis=0, dtype=np.float64)
    centred = R - mean.astype(np.float32)
    # the (D, D) product in float32 (half the time of float64; plenty for a picture), the
    # small eigenproblem in float64
    covariance = (centred.T @ centred).astype(np.float64) / (len(R) - 1)
    values, vectors = np.linalg.eigh(covariance)  # ascending
    k = min(2, R.shape[1])
    axes = vectors[:, ::-1][:, :k]
    top = values[::-1][:k]
    if k < 2:  # a one-unit layer: the second coordinate is 0
        axes = np.hstack([axes, np.zeros((R.shape[1], 1))])
        top = np.append(top, 0.0)
    for j in range(2):
        if previous is not None and previous.axes is not None and previous.axes.shape == axes.shape:
            sign = np.sign(axes[:, j] @ previous.axes[:, j]) or 1.0
        else:
            sign = np.sign(axes[np.argmax(np.abs(axes[:, j])), j]) or 1.0
        axes[:, j] *= sign
    total = float(values.sum())
    explained = tuple(float(v / total) if total > 0 else 0.0 for v in top)
    coords = (centred @ axes.astype(np.float32)).astype(np.float32)
    return Map(coords, "pca", layer, time.perf_counter() - t0, axes, mean, explained)  # type: ignore[arg-type]


def tsne_available() -> bool:
    """Whether openTSNE is installed, without importing it: the import pulls in
    scikit-learn and SciPy (1.8 s and ~100 MB here), which the window must not pay at start
    for a button that may never be pressed."""
    import importlib.util

    return importlib.util.find_spec("openTSNE") is not None


def tsne_map(R: np.ndarray, seed: int = 0, *, layer: int = 0, perplexity: float = 30.0,
             n_jobs: int = 2, progress: Progress | None = None,
             iterations: tuple[int, int] = (TSNE_EXAGGERATION_ITERS, TSNE_ITERS)) -> Map:
    """t-SNE coordinates (N, 2) of R: (N, D). ``progress(fraction)`` is called about every
    10 iterations; returning False raises Cancelled. ``iterations``: early exaggeration,
    then normal ones. Raises ConfigError without openTSNE."""
    try:
        from openTSNE import TSNEEmbedding, affinity, initialization
        from openTSNE.tsne import OptimizationInterrupt
    except ImportError:
        raise ConfigError("t-SNE maps need the openTSNE package: pip install "
                          "'mnist-gui[map]' (or pip install openTSNE)") from None
    if R.ndim != 2 or len(R) < 10:
        raise ConfigError("a t-SNE map needs at least 10 digits")
    perplexity = min(perplexity, (len(R) - 1) / 3)
    t0 = time.perf_counter()
    data = np.asarray(R, np.float64)
    if data.shape[1] > 50:  # the usual first step: t-SNE on the top 50 principal components
        centred = data - data.mean(axis=0)
        _, vectors = np.linalg.eigh(centred.T @ centred)
        data = centred @ vectors[:, ::-1][:, :50]
    exaggeration_iters, normal_iters = (int(n) for n in iterations)
    if exaggeration_iters < 0 or normal_iters < 1:
        raise ConfigError(f"t-SNE iterations must be >= 0 and >= 1, got {iterations}")
    total = exaggeration_iters + normal_iters

    def report(fraction: float) -> None:
        if progress is not None and progress(fraction) is False:
            raise Cancelled("t-SNE map cancelled")

    report(0.0)
    affinities = affinity.PerplexityBasedNN(data, perplexity=perplexity, n_jobs=n_jobs,
                                            random_state=seed, method="annoy")
    report(0.15)
    done = [0]

    def callback(iteration: int, error: float, embedding: np.ndarray) -> bool:
        # True stops openTSNE (it raises OptimizationInterrupt, turned into Cancelled)
        return progress is not None and progress(
            0.15 + 0.85 * (done[0] + iteration) / total) is False

    start = initialization.pca(data, random_state=seed)
    embedding = TSNEEmbedding(start, affinities, n_jobs=n_jobs, random_state=seed,
                              negative_gradient_method="fft", ints_in_interval=3,
                              callbacks=callback, callbacks_every_iters=10)
    try:
        if exaggeration_iters:
            embedding = embedding.optimize(n_iter=exaggeration_iters, exaggeration=12,
                                           momentum=0.5, propagate_exception=True)
        done[0] = exaggeration_iters
        embedding = embedding.optimize(n_iter=normal_iters, momentum=0.8,
                                       propagate_exception=True)
    except OptimizationInterrupt:
        raise Cancelled("t-SNE map cancelled") from None
    report(1.0)
    coords = np.asarray(embedding, np.float32)
    return Map(coords, "tsne", layer, time.perf_counter() - t0)
