"""Robustness curves: unperturbed equals plain accuracy, seeded, perturbations do what they say."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import robustness as rb
from mnist_gui.core.errors import Cancelled, ConfigError
from mnist_gui.core.evaluation import evaluate_model

from ..tiny_models import scaled_test_set, train_tiny

SHAPE = (28, 28)


@pytest.fixture(scope="module")
def model(raw_mnist):
    return train_tiny(raw_mnist, hidden=[32])


def dot(row: int, col: int) -> np.ndarray:
    image = np.zeros((1, 784), np.float32)
    image[0, row * 28 + col] = 1.0
    return image


def test_every_curve_starts_at_the_plain_accuracy_and_repeats_by_seed(model, raw_mnist):
    small = {"limit": 1500, "sigmas": (0, 0.5), "degrees": (0, 30), "shifts": (0, 3),
             "patches": (0, 10), "thickness": (0, 2, -1), "thresholds": (0, 0.9)}
    first = rb.robustness_report(model, raw_mnist, seed=7, **small).as_dict()
    again = rb.robustness_report(model, raw_mnist, seed=7, **small).as_dict()
    other = rb.robustness_report(model, raw_mnist, seed=8, **small).as_dict()
    assert first == again
    assert first != other  # the random perturbations depend on the seed
    X, y, _ = scaled_test_set(raw_mnist, model, 1500)
    plain = evaluate_model(model, X, y).accuracy
    assert first["accuracy"] == plain
    for name, key in rb.LEVEL_KEYS.items():
        assert first[name][0] == {key: 0, "accuracy": plain}
        # strong perturbations hurt a network that never saw them
        assert first[name][1]["accuracy"] < plain
    assert first["coverage"][0] == {"threshold": 0.0, "coverage": 1.0, "accuracy": plain}
    assert first["coverage"][1]["coverage"] < 1 and first["coverage"][1]["accuracy"] > plain


def test_a_level_does_not_depend_on_the_other_levels_asked_for(model, raw_mnist):
    one = rb.robustness_report(model, raw_mnist, limit=500, degrees=(0, 20), shifts=(0, 2))
    two = rb.robustness_report(model, raw_mnist, limit=500, degrees=(20,), shifts=(5, 2))
    assert one.curves["rotation"][1] == two.curves["rotation"][0]
    assert one.curves["shift"][1] == two.curves["shift"][1]


def test_shift_moves_a_pixel_exactly_in_one_of_four_directions():
    out = rb.shift(np.repeat(dot(10, 10), 40, axis=0), SHAPE, 3, np.random.default_rng(0))
    moved = {tuple(np.argwhere(image.reshape(28, 28) == 1.0)[0]) for image in out}
    assert (out.sum(axis=1) == 1).all()
    assert moved == {(10, 13), (10, 7), (13, 10), (7, 10)}


def test_rotation_by_90_degrees_turns_a_pixel_about_the_centre():
    turned = rb.rotate(dot(4, 13), SHAPE, 90, np.random.default_rng(0)).reshape(28, 28)
    (row, col), = np.argwhere(turned > 0.5)
    assert row in (13, 14) and col in (4, 23)  # centre 13.5: (4, 13) -> (13/14, 4 or 23)
    assert turned.sum() == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(rb.affine_matrix(SHAPE, 0.0, 0, 0), np.eye(784, dtype=np.float32))


def test_occlusion_erases_a_square_inside_the_central_box(raw_mnist):
    images = np.ones((50, 784), np.float32)
    out = rb.occlude(images, SHAPE, 6, np.random.default_rng(0)).reshape(50, 28, 28)
    for image in out:
        rows, cols = np.nonzero(image == 0)
        assert len(rows) == 36
        assert rows.max() - rows.min() == 5 and cols.max() - cols.min() == 5
        assert rows.min() >= 4 and rows.max() < 24 and cols.min() >= 4 and cols.max() < 24


def test_thickness_dilates_and_erodes_with_a_cross():
    image = dot(10, 10)
    thick = rb.change_thickness(image, SHAPE, 1).reshape(28, 28)
    assert {tuple(p) for p in np.argwhere(thick == 1)} == {
        (10, 10), (9, 10), (11, 10), (10, 9), (10, 11)}
    assert np.array_equal(rb.change_thickness(thick.reshape(1, 784), SHAPE, -1), image)


def test_noise_at_sigma_zero_is_the_image_and_stays_in_range(raw_mnist):
    pixels = raw_mnist.test_images[:100].astype(np.float32) / 255
    noise = np.random.default_rng(0).standard_normal(pixels.shape, dtype=np.float32)
    assert np.array_equal(rb.add_noise(pixels, 0.0, noise), pixels)
    noisy = rb.add_noise(pixels, 0.8, noise)
    assert noisy.min() == 0 and noisy.max() == 1 and not np.array_equal(noisy, pixels)


def test_coverage_counts_confident_digits():
    p = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.45, 0.55]])
    rows = rb.coverage_curve(p, np.array([0, 1, 1, 0]), (0.0, 0.7, 0.95))
    assert rows == [
        {"threshold": 0.0, "coverage": 1.0, "accuracy": 0.5},
        {"threshold": 0.7, "coverage": 0.5, "accuracy": 1.0},
        {"threshold": 0.95, "coverage": 0.0, "accuracy": None},
    ]


def test_progress_can_cancel_and_bad_levels_are_refused(model, raw_mnist):
    calls = []

    def stop_after_two(done, total):
        calls.append((done, total))
        return done < 2

    with pytest.raises(Cancelled):
        rb.robustness_report(model, raw_mnist, limit=200, progress=stop_after_two)
    assert calls[-1][0] == 2
    with pytest.raises(ConfigError, match="thresholds"):
        rb.robustness_report(model, raw_mnist, limit=10, thresholds=(1.5,))
    with pytest.raises(ConfigError, match="sigmas"):
        rb.robustness_report(model, raw_mnist, limit=10, sigmas=())
