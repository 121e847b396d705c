"""Explanations (core/explain.py) checked against their definitions: finite differences,
completeness, a plain NumPy forward pass, brute-force neighbours, the training digits."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from mnist_gui.core import explain as ex
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.network import build_mlp
from mnist_gui.core.preprocess import mnist_preprocess, mnist_preprocess_steps

from ..tiny_models import train_tiny


@pytest.fixture(scope="module")
def ten_class(raw_mnist):
    """784-64-10 ReLU softmax, 1 epoch on 3,000 images."""
    return train_tiny(raw_mnist, hidden=[64])


@pytest.fixture(scope="module")
def binary(raw_mnist):
    """One sigmoid unit for 8 (negative) vs 7 (positive), like the seed-003 preset."""
    return train_tiny(raw_mnist, hidden=[32], digits=[8, 7], loss="bce")


def random_model(kind: str) -> object:
    """Small float64 networks of every output kind and several activations."""
    rng = np.random.default_rng(7)
    if kind == "softmax-tanh":
        model = build_mlp(784, [24, 16], 10, activation="tanh", dtype=np.float64)
    elif kind == "sigmoid10-leaky":  # the MSE article's output: 10 independent sigmoids
        model = build_mlp(784, [24], 10, activation="leaky_relu", loss="mse", dtype=np.float64)
    else:  # one sigmoid unit
        model = build_mlp(784, [20, 12], 2, activation="sigmoid", loss="bce",
                          classes=[8, 7], dtype=np.float64)
    model.initialize(rng, "xavier")
    model.input_mean, model.input_std = 0.13, 0.31
    return model


def digit(raw_mnist, label: int, nth: int = 0) -> np.ndarray:
    return raw_mnist.test_images[np.flatnonzero(raw_mnist.test_labels == label)[nth]] / 255.0


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-12))


# ------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("kind", ["softmax-tanh", "sigmoid10-leaky", "binary-sigmoid"])
@pytest.mark.parametrize("output", ex.OUTPUTS)
@pytest.mark.parametrize("versus", [False, True])
def test_gradient_equals_central_differences(raw_mnist, kind, output, versus):
    model = random_model(kind)
    image = digit(raw_mnist, 7).reshape(-1)
    target, other = (7, 8) if kind == "binary-sigmoid" else (3, 5)
    got = ex.attribute(model, image, "gradient", target=target, versus=other if versus else None,
                       output=output)
    h = 1e-5
    steps = np.eye(784) * h
    t, v = ex.class_index(model, target), ex.class_index(model, other) if versus else None
    up = ex.output_value(model, image + steps, t, v, output)
    down = ex.output_value(model, image - steps, t, v, output)
    numeric = ((up - down) / (2 * h)).reshape(28, 28)
    assert np.abs(numeric).max() > 0
    assert relative_error(got.attributions, numeric) < 1e-6
    assert got.value == pytest.approx(float(ex.output_value(model, image[None], t, v, output)[0]))


def test_gradient_of_a_trained_relu_model_equals_central_differences(raw_mnist, ten_class):
    model = ten_class.clone(dtype=np.float64)
    image = digit(raw_mnist, 4).reshape(-1)
    got = ex.attribute(model, image, "gradient", output="probability")
    assert got.target == 4  # the predicted class by default
    t = ex.class_index(model, 4)
    h = 1e-6
    steps = np.eye(784) * h
    numeric = (ex.output_value(model, image + steps, t, None, "probability")
               - ex.output_value(model, image - steps, t, None, "probability")) / (2 * h)
    assert relative_error(got.attributions.reshape(-1), numeric) < 1e-4


def test_binary_logit_of_the_negative_class_is_the_negated_positive_one(raw_mnist, binary):
    image = digit(raw_mnist, 8)
    positive = ex.attribute(binary, image, target=7)
    negative = ex.attribute(binary, image, target=8)
    assert negative.value == pytest.approx(-positive.value)
    np.testing.assert_allclose(negative.attributions, -positive.attributions)
    assert ex.forward(binary, image).predicted == 8
    assert (negative.value > 0) and (positive.value < 0)


@pytest.mark.parametrize("output", ex.OUTPUTS)
def test_versus_is_the_difference_of_the_two_attributions(raw_mnist, ten_class, output):
    image = digit(raw_mnist, 9)
    both = ex.attribute(ten_class, image, target=4, versus=9, output=output)
    four = ex.attribute(ten_class, image, target=4, output=output)
    nine = ex.attribute(ten_class, image, target=9, output=output)
    np.testing.assert_allclose(both.attributions, four.attributions - nine.attributions,
                               rtol=1e-5, atol=1e-6 * np.abs(four.attributions).max())
    assert both.value == pytest.approx(four.value - nine.value, rel=1e-5)


# ---------------------------------------------------------------------- attributions


@pytest.mark.parametrize(
    "which, target, versus, output",
    [("ten", None, None, "logit"), ("ten", 1, None, "logit"), ("ten", None, None, "probability"),
     ("ten", 3, 8, "logit"), ("binary", 7, None, "logit"), ("binary", 8, None, "probability")],
)
def test_integrated_gradients_are_complete(raw_mnist, ten_class, binary, which, target, versus,
                                           output):
    model = ten_class if which == "ten" else binary
    image = digit(raw_mnist, 8 if which == "binary" else 3, nth=2)
    got = ex.attribute(model, image, "integrated-gradients", target=target, versus=versus,
                       output=output, steps=256)
    change = got.value - got.baseline_value
    assert abs(change) > 0.05  # a change worth explaining
    assert got.attributions.sum() == pytest.approx(change, rel=0.01)
    assert got.steps == 256


def test_gradient_x_input_is_the_product(raw_mnist, ten_class):
    image = digit(raw_mnist, 2)
    gradient = ex.attribute(ten_class, image, "gradient", target=2)
    product = ex.attribute(ten_class, image, "gradient-x-input", target=2)
    np.testing.assert_array_equal(product.attributions, gradient.attributions * image.reshape(28, 28))
    assert np.abs(product.attributions).max() > 0


def test_smoothgrad_without_noise_is_the_gradient_and_with_noise_differs(raw_mnist, ten_class):
    image = digit(raw_mnist, 6)
    exact = ten_class.clone(dtype=np.float64)  # float32 BLAS rounds a batch and a row apart
    gradient = ex.attribute(exact, image, "gradient", target=6)
    quiet = ex.attribute(exact, image, "smoothgrad", target=6, noise=0.0, samples=16)
    np.testing.assert_allclose(quiet.attributions, gradient.attributions, rtol=1e-9, atol=0)
    assert quiet.value == gradient.value
    gradient = ex.attribute(ten_class, image, "gradient", target=6)
    noisy = ex.attribute(ten_class, image, "smoothgrad", target=6, noise=0.2, samples=16)
    assert not np.allclose(noisy.attributions, gradient.attributions)
    again = ex.attribute(ten_class, image, "smoothgrad", target=6, noise=0.2, samples=16)
    np.testing.assert_array_equal(noisy.attributions, again.attributions)  # seeded


# ----------------------------------------------------------------------- activations


def plain_forward(model, image: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The textbook forward pass, written out with NumPy only."""
    functions = {
        "relu": lambda z: np.maximum(z, 0),
        "leaky_relu": lambda z: np.where(z > 0, z, model.leaky_relu_slope * z),
        "tanh": np.tanh,
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    }
    a = (image.reshape(-1).astype(np.float64) - model.input_mean) / model.input_std
    hidden = []
    for W, b, name in zip(model.W[:-1], model.b[:-1], model.activations[:-1]):
        a = functions[name](a @ W.astype(np.float64) + b)
        hidden.append(a)
    z = a @ model.W[-1].astype(np.float64) + model.b[-1]
    if model.output_activation == "softmax":
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    else:
        p = 1 / (1 + np.exp(-z))
        if model.is_binary:
            p = np.array([1 - p[0], p[0]])
    return hidden, z, p


@pytest.mark.parametrize("kind", ["softmax-tanh", "sigmoid10-leaky", "binary-sigmoid", "trained"])
def test_activations_equal_a_plain_numpy_forward_pass(raw_mnist, ten_class, kind):
    model = ten_class if kind == "trained" else random_model(kind)
    image = digit(raw_mnist, 5)
    seen = ex.forward(model, image)
    hidden, z, p = plain_forward(model, image)
    tol = 1e-5 if model.dtype == np.float32 else 1e-10
    assert [len(a) for a in seen.activations] == model.layer_sizes[1:-1]
    for mine, reference in zip(seen.activations, hidden):
        np.testing.assert_allclose(mine, reference, rtol=tol, atol=tol)
    np.testing.assert_allclose(seen.logits, z, rtol=tol, atol=tol)
    np.testing.assert_allclose(seen.probabilities, p, rtol=tol, atol=tol)
    assert seen.predicted == model.classes[int(p.argmax())]


# -------------------------------------------------------------------- counterfactual


@pytest.mark.parametrize("which, label, target", [
    ("ten", 7, 9), ("ten", 7, 1), ("ten", 3, 8), ("ten", 4, 9), ("ten", 0, 6),
    ("binary", 8, 7), ("binary", 7, 8),
])
def test_counterfactual_is_answered_as_k_in_range_and_smaller_than_any_training_k(
        raw_mnist, ten_class, binary, which, label, target):
    model = ten_class if which == "ten" else binary
    image = digit(raw_mnist, label, nth=1)
    assert ex.forward(model, image).predicted == label
    found = ex.counterfactual(model, image, target)
    assert found.reached and found.predicted == target and found.steps >= 1
    again = ex.forward(model, found.image)
    assert again.predicted == target
    np.testing.assert_allclose(again.probabilities, found.probabilities, rtol=1e-5)
    assert found.image.min() >= 0.0 and found.image.max() <= 1.0
    np.testing.assert_allclose(found.image - image.reshape(28, 28), found.delta)
    k_digits = raw_mnist.train_images[raw_mnist.train_labels == target] / 255.0
    nearest = np.sqrt(((k_digits - image.reshape(-1)) ** 2).sum(axis=1)).min()
    assert found.l2 < nearest


def test_counterfactual_of_the_class_already_answered_changes_nothing(raw_mnist, ten_class):
    image = digit(raw_mnist, 1)
    found = ex.counterfactual(ten_class, image, 1)
    assert found.reached and found.steps == 0 and found.l2 == 0.0


# ---------------------------------------------------------------------- neighbours


def brute_force_neighbours(model, images, labels, image, k=8):
    keep = np.flatnonzero(np.isin(labels, model.classes))
    features = model.layer_outputs(ex.standardise(model, images[keep] / 255.0))[-2]
    query = model.layer_outputs(ex.standardise(model, image))[-2]
    d = np.sqrt(((features.astype(np.float64) - query) ** 2).sum(axis=1))
    order = np.argsort(d, kind="stable")[:k]
    return keep[order], d[order]


def test_exact_index_finds_the_brute_force_neighbours(raw_mnist, ten_class):
    images, labels = raw_mnist.train_images[:4000], raw_mnist.train_labels[:4000]
    index = ex.NeighbourIndex.build(ten_class, images, labels)
    assert index.projection is None  # 64 units: stored exactly
    image = digit(raw_mnist, 3)
    found = index.query(image)
    rows, distances = brute_force_neighbours(ten_class, images, labels, image)
    assert [n.index for n in found] == list(rows)
    np.testing.assert_allclose([n.distance for n in found], distances, rtol=1e-4)
    assert [n.label for n in found] == list(labels[rows])


def test_projected_index_reranks_exactly_and_keeps_to_the_model_classes(raw_mnist, binary):
    images, labels = raw_mnist.train_images[:4000], raw_mnist.train_labels[:4000]
    index = ex.NeighbourIndex.build(binary, images, labels, max_dims=8)
    assert index.projection is not None and index.features.shape[1] == 8
    some_seven = int(np.flatnonzero(labels == 7)[3])
    found = index.query(images[some_seven] / 255.0)
    assert found[0].index == some_seven and found[0].distance < 1e-3
    assert {n.label for n in found} <= {7, 8}
    rows, distances = brute_force_neighbours(binary, images, labels, images[some_seven] / 255.0)
    assert found[0].distance == pytest.approx(distances[0], abs=1e-3)
    assert all(n.distance >= d - 1e-4 for n, d in zip(found, distances))  # never closer than exact


def test_index_of_the_largest_preset_holds_at_most_100_mb(raw_mnist):
    model = build_mlp(784, [800, 800], 10)
    model.initialize(np.random.default_rng(0))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index = ex.NeighbourIndex.build(model, raw_mnist.train_images, raw_mnist.train_labels)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(index.rows) == len(raw_mnist.train_images)
    assert index.nbytes <= held <= 100e6
    assert len(index.query(digit(raw_mnist, 2))) == 8


# ---------------------------------------------------------------------- preprocessing


def test_preprocess_steps_end_in_what_the_network_gets():
    canvas = np.zeros((280, 280))
    canvas[20:120, 200:230] = 1.0  # a bar in a corner
    steps = mnist_preprocess_steps(canvas)
    np.testing.assert_array_equal(steps.final, mnist_preprocess(canvas))
    assert steps.box == (20, 119, 200, 229) and steps.crop.shape == (100, 30)
    rows = np.flatnonzero(steps.scaled.max(axis=1) > 0.5)
    assert len(rows) == 20
    assert [title for title, _ in steps.images()][0] == "ink"
    assert all(image.max() <= 1.0 for _, image in steps.images())


# ------------------------------------------------------------------------ bad input


def test_bad_input_is_refused_with_a_clear_message(raw_mnist, ten_class, binary):
    image = digit(raw_mnist, 7)
    with pytest.raises(ConfigError, match="class 3 is not one of this model's classes"):
        ex.attribute(binary, image, target=3)
    with pytest.raises(ConfigError, match="class 12"):
        ex.counterfactual(ten_class, image, 12)
    with pytest.raises(ConfigError, match="blank"):
        ex.forward(ten_class, np.zeros((28, 28)))
    with pytest.raises(ConfigError, match="28x28"):
        ex.attribute(ten_class, np.ones((20, 20)) * 0.5)
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        ex.forward(ten_class, image * 255)
    with pytest.raises(ConfigError, match="NaN"):
        ex.forward(ten_class, np.full((28, 28), np.nan))
    with pytest.raises(ConfigError, match="unknown method"):
        ex.attribute(ten_class, image, "saliency")
    with pytest.raises(ConfigError, match="unknown output"):
        ex.attribute(ten_class, image, output="softmax")
    with pytest.raises(ConfigError, match="same class"):
        ex.attribute(ten_class, image, target=7, versus=7)
    with pytest.raises(ConfigError, match="steps"):
        ex.attribute(ten_class, image, "integrated-gradients", steps=0)
    other_size = build_mlp(100, [8], 10)
    with pytest.raises(ConfigError, match="takes 100 inputs"):
        ex.forward(other_size, np.full(100, 0.5))
    with pytest.raises(ConfigError, match="takes 100 inputs"):
        ex.NeighbourIndex.build(other_size, raw_mnist.train_images[:10], raw_mnist.train_labels[:10])
