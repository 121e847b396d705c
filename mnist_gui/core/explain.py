"""Look inside a prediction: activations, attributions, counterfactuals, nearest training digits.

Everything here is with respect to the 28x28 input in [0, 1] *before* the model's
standardisation ((pixel - input_mean) / input_std): an attribution of +0.3 on a pixel means
"more ink here pushes the chosen output up". The forward and backward passes are the
network's own re-entrant inference passes (``MLP.forward_with_cache`` /
``MLP.backward_from_cache``: no parameter gradient, nothing stored on the model, so a model
may be explained on several threads, also while it trains); this module only chooses what to
differentiate and where.

The explained output is a class's

* ``"logit"`` (default): its pre-softmax score; for a binary model (one sigmoid unit standing
  for [negative, positive]) the unit's logit for the positive class and its negation for the
  negative one, so "more of class c" always means "up";
* ``"probability"``: its probability as ``MLP.predict_proba`` gives it.

With ``versus`` the output is the difference (target - versus), which is what explains a
confusion between two classes.

Numpy only; never imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .errors import ConfigError
from .network import MLP

METHODS = ("gradient", "gradient-x-input", "integrated-gradients", "smoothgrad")
OUTPUTS = ("logit", "probability")
IMAGE_SIDE = 28
#: Attribution batches are cut into chunks of this many images (memory stays small).
CHUNK = 256


# ---------------------------------------------------------------------------- checks


def check_model(model: MLP) -> None:
    """Refuse a model that does not take 28x28 images."""
    if model.layer_sizes[0] != IMAGE_SIDE * IMAGE_SIDE:
        raise ConfigError(
            f"the model takes {model.layer_sizes[0]} inputs, not 28x28 images "
            f"({IMAGE_SIDE * IMAGE_SIDE}): it cannot be explained on digits"
        )


def check_image(model: MLP, image: np.ndarray) -> np.ndarray:
    """The image as a flat float64 (784,) in [0, 1]; ConfigError names what is wrong.

    A blank image (no ink) is refused: the network would answer something for it, but there
    is nothing to explain; the message says what to do instead."""
    check_model(model)
    image = np.asarray(image)
    if image.dtype.kind not in "biuf":
        raise ConfigError(f"expected a numeric 28x28 image, got dtype {image.dtype}")
    if image.size != IMAGE_SIDE * IMAGE_SIDE:
        raise ConfigError(f"expected a 28x28 image, got shape {image.shape}")
    flat = image.astype(np.float64).reshape(-1)
    if not np.isfinite(flat).all():
        raise ConfigError("the image holds NaN or infinite pixels")
    if flat.min() < 0.0 or flat.max() > 1.0:
        raise ConfigError(
            f"pixels must lie in [0, 1], got [{flat.min():g}, {flat.max():g}] "
            "(divide 8-bit images by 255)"
        )
    if flat.max() <= 1e-6:
        raise ConfigError("the image is blank: no prediction to explain; draw a digit or pick one")
    return flat


def class_index(model: MLP, digit: int) -> int:
    """Index into ``model.classes`` of ``digit``; ConfigError if the model has no such class."""
    try:
        digit = int(digit)
    except (TypeError, ValueError):
        raise ConfigError(f"a class must be a whole number, got {digit!r}") from None
    if digit not in model.classes:
        raise ConfigError(
            f"class {digit} is not one of this model's classes "
            f"({', '.join(map(str, model.classes))})"
        )
    return model.classes.index(digit)


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"unknown {name} {value!r}; expected one of {', '.join(choices)}")
    return value


# ---------------------------------------------------------------------------- outputs


def standardise(model: MLP, images: np.ndarray) -> np.ndarray:
    """(N, 784) images in [0, 1] -> the model's input rows, in its dtype."""
    X = np.asarray(images, model.dtype).reshape(-1, model.layer_sizes[0])
    return (X - model.dtype.type(model.input_mean)) / model.dtype.type(model.input_std)


def class_output(
    model: MLP, z: np.ndarray, index: int, output: str = "logit"
) -> tuple[np.ndarray, np.ndarray]:
    """The output of class ``index`` (into ``classes``) for logits z: (N, K), and its
    derivative with respect to z: (values (N,), dvalue/dz (N, K)), in float64."""
    z = np.asarray(z, np.float64)
    n, k = z.shape
    dz = np.zeros((n, k))
    if model.is_binary:
        sign = 1.0 if index == 1 else -1.0
        if output == "logit":
            dz[:, 0] = sign
            return sign * z[:, 0], dz
        p = model.probabilities_from_logits(z)  # [P(neg), P(pos)]
        dz[:, 0] = sign * p[:, 1] * p[:, 0]
        return p[:, index], dz
    if output == "logit":
        dz[:, index] = 1.0
        return z[:, index].copy(), dz
    p = model.probabilities_from_logits(z)
    if model.output_activation == "softmax":
        dz[...] = -p * p[:, index : index + 1]  # dp_i/dz = p_i (e_i - p)
        dz[:, index] += p[:, index]
    else:  # independent sigmoids (the MSE article's model)
        dz[:, index] = p[:, index] * (1 - p[:, index])
    return p[:, index].copy(), dz


def target_output(
    model: MLP, z: np.ndarray, target: int, versus: int | None, output: str
) -> tuple[np.ndarray, np.ndarray]:
    """``class_output`` of index ``target``, minus that of ``versus`` if given."""
    value, dz = class_output(model, z, target, output)
    if versus is not None:
        other, dz_other = class_output(model, z, versus, output)
        value, dz = value - other, dz - dz_other
    return value, dz


def output_and_gradient(
    model: MLP,
    images: np.ndarray,
    target: int,
    versus: int | None = None,
    output: str = "logit",
) -> tuple[np.ndarray, np.ndarray]:
    """For images (N, 784) in [0, 1]: the chosen output (N,) and its gradient with respect to
    the images (N, 784), float64. ``target``/``versus`` are indices into ``classes``.

    One forward and one backward pass per chunk, no parameter gradient touched; re-entrant."""
    images = np.asarray(images, np.float64).reshape(-1, model.layer_sizes[0])
    values = np.empty(len(images))
    grads = np.empty(images.shape)
    scale = 1.0 / model.input_std  # d(standardised)/d(pixel)
    for start in range(0, len(images), CHUNK):
        X = standardise(model, images[start : start + CHUNK])
        z, tape = model.forward_with_cache(X)
        value, dz = target_output(model, z, target, versus, output)
        dX = model.backward_from_cache(dz, tape)
        values[start : start + len(X)] = value
        grads[start : start + len(X)] = np.asarray(dX, np.float64) * scale
    return values, grads


def output_value(
    model: MLP, images: np.ndarray, target: int, versus: int | None = None, output: str = "logit"
) -> np.ndarray:
    """The chosen output (N,) for images (N, 784) in [0, 1] (no backward pass)."""
    z = model.logits(standardise(model, images))
    return target_output(model, z, target, versus, output)[0]


# -------------------------------------------------------------------------- forward


@dataclass
class Forward:
    """What the network does with one image: hidden activations, logits, probabilities."""

    activations: list[np.ndarray]  # one (units,) array per hidden layer
    logits: np.ndarray  # (K,)
    probabilities: np.ndarray  # (n_classes,) in the order of model.classes
    predicted: int  # the digit (a member of model.classes)
    predicted_index: int


def forward(model: MLP, image: np.ndarray) -> Forward:
    """Activations layer by layer, logits and probabilities for one image in [0, 1]."""
    flat = check_image(model, image)
    outputs = model.layer_outputs(standardise(model, flat))
    z = outputs[-1]
    index = int(model.predicted_index(z)[0])
    return Forward(
        activations=[np.asarray(a[0], np.float64) for a in outputs[:-1]],
        logits=np.asarray(z[0], np.float64),
        probabilities=np.asarray(model.probabilities_from_logits(z)[0], np.float64),
        predicted=model.classes[index],
        predicted_index=index,
    )


# --------------------------------------------------------------------- attributions


@dataclass
class Attribution:
    """Per-pixel attributions (28, 28) of one output at one image."""

    method: str
    target: int  # the digit explained
    versus: int | None
    output: str
    value: float  # the output at the image
    attributions: np.ndarray = field(repr=False)  # (28, 28) float64, w.r.t. the image in [0, 1]
    baseline_value: float | None = None  # integrated gradients: the output at the baseline
    steps: int | None = None  # integrated gradients: path steps; smoothgrad: samples


def attribute(
    model: MLP,
    image: np.ndarray,
    method: str = "gradient",
    target: int | None = None,
    versus: int | None = None,
    output: str = "logit",
    steps: int = 64,
    samples: int = 32,
    noise: float = 0.15,
    seed: int = 0,
) -> Attribution:
    """Which pixels push the output of class ``target`` (a digit; default the predicted one)
    up or down, by ``method``:

    * ``gradient``: d output / d pixel;
    * ``gradient-x-input``: the gradient times the pixel (an attribution relative to black);
    * ``integrated-gradients``: (x - baseline) times the mean gradient along the straight
      path from a black baseline to x, at ``steps`` midpoints (Sundararajan et al. 2017); the
      attributions sum to value - baseline_value up to the quadrature error;
    * ``smoothgrad``: the mean gradient over ``samples`` copies of x plus N(0, noise^2) noise
      (Smilkov et al. 2017); noise 0 gives the plain gradient.
    """
    check_choice("method", method, METHODS)
    check_choice("output", output, OUTPUTS)
    flat = check_image(model, image)
    if target is None:
        target_index = int(model.predict_index(standardise(model, flat))[0])
    else:
        target_index = class_index(model, target)
    versus_index = None if versus is None else class_index(model, versus)
    if versus_index is not None and versus_index == target_index:
        raise ConfigError(f"target and versus are the same class ({model.classes[target_index]})")
    if method == "integrated-gradients" and not 1 <= int(steps) <= 100_000:
        raise ConfigError(f"integrated gradients need 1 to 100,000 steps, got {steps}")
    if method == "smoothgrad":
        if not 1 <= int(samples) <= 100_000:
            raise ConfigError(f"SmoothGrad needs 1 to 100,000 samples, got {samples}")
        if not (np.isfinite(noise) and noise >= 0):
            raise ConfigError(f"SmoothGrad noise must be a number >= 0, got {noise}")

    def gradient_at(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return output_and_gradient(model, images, target_index, versus_index, output)

    def mean_gradient(rows_at, n: int) -> np.ndarray:  # noqa: ANN001 - (start, stop) -> rows
        """The mean gradient over n input rows, made and differentiated a chunk at a time:
        100,000 steps through a wide layer would otherwise hold gigabytes at once."""
        chunk = max(1, model.inference_rows() // 2)  # the backward pass keeps as much again
        total = np.zeros(flat.size)
        for start in range(0, n, chunk):
            _, grads = gradient_at(rows_at(start, min(n, start + chunk)))
            total += grads.sum(axis=0)
        return total / n

    baseline_value = None
    used_steps = None
    if method in ("gradient", "gradient-x-input"):
        values, grads = gradient_at(flat[None])
        value, attributions = float(values[0]), grads[0]
        if method == "gradient-x-input":
            attributions = attributions * flat
    elif method == "integrated-gradients":
        used_steps = int(steps)
        baseline = np.zeros_like(flat)
        alphas = (np.arange(used_steps) + 0.5) / used_steps  # midpoint rule
        mean = mean_gradient(lambda a, b: baseline + alphas[a:b, None] * (flat - baseline),
                             used_steps)
        attributions = (flat - baseline) * mean
        ends = output_value(model, np.stack([flat, baseline]), target_index, versus_index, output)
        value, baseline_value = float(ends[0]), float(ends[1])
    else:  # smoothgrad
        used_steps = int(samples)
        rng = np.random.default_rng(seed)
        # drawn chunk by chunk, in order: the same noise as one draw of (samples, pixels)
        attributions = mean_gradient(
            lambda a, b: flat + float(noise) * rng.standard_normal((b - a, flat.size)), used_steps)
        value = float(output_value(model, flat[None], target_index, versus_index, output)[0])
    return Attribution(
        method=method,
        target=model.classes[target_index],
        versus=None if versus_index is None else model.classes[versus_index],
        output=output,
        value=value,
        attributions=attributions.reshape(IMAGE_SIDE, IMAGE_SIDE),
        baseline_value=baseline_value,
        steps=used_steps,
    )


# ------------------------------------------------------------------- counterfactual


@dataclass
class Counterfactual:
    """The smallest change found that makes the network answer ``target``."""

    target: int
    image: np.ndarray = field(repr=False)  # (28, 28) in [0, 1]
    delta: np.ndarray = field(repr=False)  # (28, 28) image - original: ink to add (> 0) or remove (< 0)
    probabilities: np.ndarray = field(repr=False)  # of ``image``, in the order of model.classes
    predicted: int  # the network's answer for ``image``
    reached: bool  # predicted == target
    steps: int  # gradient steps taken

    @property
    def l2(self) -> float:
        return float(np.sqrt((self.delta**2).sum()))


def _margin(model: MLP, z: np.ndarray, index: int) -> tuple[float, np.ndarray]:
    """How far class ``index`` is from being the answer, in logits (> 0: it is), and the
    derivative of that margin with respect to z (1, K)."""
    z = np.asarray(z, np.float64)
    dz = np.zeros_like(z)
    if model.is_binary:
        sign = 1.0 if index == 1 else -1.0
        dz[0, 0] = sign
        return sign * float(z[0, 0]), dz
    others = z[0].copy()
    others[index] = -np.inf
    rival = int(others.argmax())
    dz[0, index], dz[0, rival] = 1.0, -1.0
    return float(z[0, index] - z[0, rival]), dz


def counterfactual(
    model: MLP,
    image: np.ndarray,
    target: int,
    max_steps: int = 50,
    overshoot: float = 0.02,
) -> Counterfactual:
    """What would make it a ``target``: a small change to the image, pixels kept in [0, 1],
    after which the network answers ``target``.

    Projected DeepFool-style steps (Moosavi-Dezfooli et al. 2016): linearise the margin
    m = z_target - max_other z at the current image and jump to where the linearisation
    crosses zero (plus ``overshoot``), moving only pixels that can still move in the
    gradient's direction, then clip to [0, 1]; stop as soon as the network answers
    ``target``. Finally the change is shrunk along its own direction (bisection) to the
    smallest fraction still answered ``target``."""
    flat = check_image(model, image)
    index = class_index(model, target)
    if not 1 <= int(max_steps) <= 10_000:
        raise ConfigError(f"max_steps must be 1 to 10,000, got {max_steps}")

    def answer(x: np.ndarray) -> int:
        return int(model.predict_index(standardise(model, x))[0])

    x = flat.copy()
    steps = 0
    scale = 1.0 / model.input_std
    while answer(x) != index and steps < max_steps:
        X = standardise(model, x)
        z, tape = model.forward_with_cache(X)
        margin, dz = _margin(model, z, index)
        g = np.asarray(model.backward_from_cache(dz, tape), np.float64)[0] * scale
        free = ~(((x >= 1.0) & (g > 0)) | ((x <= 0.0) & (g < 0)))
        g = g * free
        norm2 = float(g @ g)
        if norm2 <= 1e-20:
            break  # nothing left to move: the change is stuck at the box's walls
        x = np.clip(x + (abs(margin) * (1 + overshoot) + 1e-4) / norm2 * g, 0.0, 1.0)
        steps += 1
    reached = answer(x) == index
    if reached and steps:
        lo, hi = 0.0, 1.0  # fraction of the change: lo fails, hi succeeds
        delta = x - flat
        for _ in range(12):
            mid = 0.5 * (lo + hi)
            if answer(flat + mid * delta) == index:
                hi = mid
            else:
                lo = mid
        x = np.clip(flat + hi * delta, 0.0, 1.0)
    probabilities = model.predict_proba(standardise(model, x))[0].astype(np.float64)
    predicted_index = answer(x)
    return Counterfactual(
        target=model.classes[index],
        image=x.reshape(IMAGE_SIDE, IMAGE_SIDE),
        delta=(x - flat).reshape(IMAGE_SIDE, IMAGE_SIDE),
        probabilities=probabilities,
        predicted=model.classes[predicted_index],
        reached=predicted_index == index,
        steps=steps,
    )


# ---------------------------------------------------------------- nearest neighbours


@dataclass
class Neighbour:
    index: int  # row in the training images the index was built from
    label: int  # its digit
    distance: float  # Euclidean, in the last hidden layer's space


def _features(model: MLP, X: np.ndarray) -> np.ndarray:
    """The last hidden layer's activations for standardised rows X (the input itself for a
    network without hidden layers), float32."""
    if not model.hidden:
        return np.asarray(X, np.float32)
    return np.asarray(model.layer_output(X, len(model.hidden) - 1), np.float32)


@dataclass
class NeighbourIndex:
    """The training digits nearest to a digit in the last hidden layer's space.

    Built once per model (one forward pass over the training images, in chunks). Memory: the
    features are kept as float32 when the layer has at most ``max_dims`` units; wider layers
    are stored through a fixed Gaussian random projection to ``max_dims`` dimensions
    (Johnson-Lindenstrauss: distances kept to within about 10-20%), and a query re-ranks its
    ``rerank`` best candidates by their exact hidden-layer distances (recomputed for those few
    images). For 784-800-800-10 on the 60,000 MNIST training digits that is 60,000 x 128
    float32 = 31 MB, plus a private copy of the model (10 MB with its
    gradient buffer); the training images themselves are referenced, not copied.
    """

    model: MLP
    images: np.ndarray  # (N, 784) uint8 (referenced)
    labels: np.ndarray  # (N,) digits
    rows: np.ndarray  # rows of ``images`` whose label is one of the model's classes
    features: np.ndarray  # (len(rows), d) float32
    sq_norms: np.ndarray  # (len(rows),) float32
    projection: np.ndarray | None  # (units, d) float32, or None when exact
    rerank: int = 64

    @classmethod
    def build(
        cls,
        model: MLP,
        images: np.ndarray,
        labels: np.ndarray,
        max_dims: int = 128,
        chunk: int = 1024,
        seed: int = 0,
        should_stop: Callable[[], bool] | None = None,
    ) -> NeighbourIndex:
        """Index ``images`` (N, 784) uint8 with their ``labels`` (N,) for a copy of
        ``model`` (the caller's model is not used afterwards). ``should_stop()`` is checked
        between chunks; if it says so, ConfigError("stopped") is raised."""
        check_model(model)
        images = np.asarray(images)
        labels = np.asarray(labels)
        if images.ndim != 2 or images.shape[1] != model.layer_sizes[0] or len(images) != len(labels):
            raise ConfigError(
                f"expected (N, {model.layer_sizes[0]}) images and N labels, "
                f"got {images.shape} and {labels.shape}"
            )
        mine = model.clone()
        rows = np.flatnonzero(np.isin(labels, mine.classes))
        if len(rows) == 0:
            raise ConfigError("no training digit of this model's classes to compare with")
        units = mine.layer_sizes[-2] if mine.hidden else mine.layer_sizes[0]
        projection = None
        dims = units
        if units > max_dims:
            rng = np.random.default_rng(seed)
            projection = (rng.standard_normal((units, max_dims)) / np.sqrt(max_dims)).astype(
                np.float32)
            dims = max_dims
        features = np.empty((len(rows), dims), np.float32)
        for start in range(0, len(rows), chunk):
            if should_stop is not None and should_stop():
                raise ConfigError("stopped")
            part = rows[start : start + chunk]
            h = _features(mine, standardise(mine, images[part].astype(np.float32) / 255.0))
            features[start : start + len(part)] = h if projection is None else h @ projection
        sq_norms = np.einsum("ij,ij->i", features, features)
        return cls(mine, images, labels, rows, features, sq_norms, projection)

    @property
    def nbytes(self) -> int:
        """Memory this index holds of its own (features, norms, projection, model copy)."""
        own = self.features.nbytes + self.sq_norms.nbytes + self.rows.nbytes
        own += 0 if self.projection is None else self.projection.nbytes
        return own + self.model.params.nbytes + self.model.grads.nbytes

    def query(self, image: np.ndarray, k: int = 8) -> list[Neighbour]:
        """The ``k`` training digits nearest to ``image`` (28x28 in [0, 1]), nearest first."""
        flat = check_image(self.model, image)
        model = self.model
        h = _features(model, standardise(model, flat))[0]
        q = h if self.projection is None else h @ self.projection
        d2 = self.sq_norms - 2.0 * (self.features @ q) + float(q @ q)
        want = min(len(d2), max(k, self.rerank if self.projection is not None else k))
        candidates = np.argpartition(d2, want - 1)[:want] if want < len(d2) else np.arange(len(d2))
        if self.projection is not None:  # exact distances for the few candidates
            rows = self.rows[candidates]
            exact = _features(model, standardise(model, self.images[rows].astype(np.float32) / 255.0))
            d2_exact = ((exact.astype(np.float64) - h) ** 2).sum(axis=1)
        else:
            d2_exact = d2[candidates].astype(np.float64)
        order = np.argsort(d2_exact, kind="stable")[:k]
        result = []
        for i in order:
            row = int(self.rows[candidates[i]])
            result.append(Neighbour(row, int(self.labels[row]), float(np.sqrt(max(d2_exact[i], 0.0)))))
        return result
