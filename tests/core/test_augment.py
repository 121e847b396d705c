"""Batched augmentation: shapes, determinism, level 0 = identity, digits stay digits."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.augment import Augmenter
from mnist_gui.core.errors import ConfigError


@pytest.fixture
def digits(raw_mnist):
    return (raw_mnist.train_images[:256].astype(np.float32) / 255).copy()


@pytest.mark.parametrize("kind", ["affine", "elastic"])
def test_distorts_every_image_in_place_and_keeps_the_range(digits, kind):
    batch = digits.copy()
    Augmenter(kind, (28, 28), 1.0, np.random.default_rng(0)).apply_(batch)
    assert batch.shape == digits.shape and batch.dtype == np.float32
    assert 0.0 <= batch.min() and batch.max() <= 1.0 + 1e-6
    changed = np.abs(batch - digits).reshape(len(batch), -1).max(axis=1)
    assert np.all(changed > 0.05)  # every image moved
    # ink is moved, not created or destroyed wholesale
    ratio = batch.sum(axis=1) / digits.sum(axis=1)
    assert 0.6 < np.median(ratio) < 1.4


def test_same_seed_same_distortions(digits):
    a, b = digits.copy(), digits.copy()
    Augmenter("elastic", (28, 28), 1.0, np.random.default_rng(5)).apply_(a)
    Augmenter("elastic", (28, 28), 1.0, np.random.default_rng(5)).apply_(b)
    np.testing.assert_array_equal(a, b)


def test_level_zero_and_none_leave_images_alone(digits):
    batch = digits.copy()
    augmenter = Augmenter("elastic", (28, 28), 1.0, np.random.default_rng(0))
    augmenter.level = 0.0
    augmenter.apply_(batch)
    np.testing.assert_array_equal(batch, digits)
    Augmenter("none", (28, 28), 1.0, np.random.default_rng(0)).apply_(batch)
    np.testing.assert_array_equal(batch, digits)


def test_background_fill_for_standardised_inputs():
    blank = np.full((4, 784), -0.42, np.float32)  # standardised zero pixels
    Augmenter("affine", (28, 28), 1.0, np.random.default_rng(0), fill=-0.42).apply_(blank)
    np.testing.assert_allclose(blank, -0.42, atol=1e-5)


def test_unknown_kind():
    with pytest.raises(ConfigError, match="augment: unknown 'blur'"):
        Augmenter("blur", (28, 28), 1.0, np.random.default_rng(0))


def test_a_trained_net_still_reads_augmented_digits(raw_mnist, digits):
    """Distortions must keep the digit's identity: a net trained on clean digits (which is
    not shift-invariant, so full-strength distortions cost it a lot) still reads mildly
    distorted digits almost as well, and full-strength ones far above chance."""
    from mnist_gui.core.data import DataSpec, prepare
    from mnist_gui.core.training import TrainConfig, Trainer

    config = TrainConfig(hidden=[128], epochs=2, train_subset=20_000, optimizer="nesterov")
    trainer = Trainer(config, prepare(raw_mnist, DataSpec(train_subset=20_000)))
    trainer.train()
    labels = raw_mnist.train_labels[:256]
    accuracy = {}
    for level in (0.3, 1.0):
        batch = digits.copy()
        augmenter = Augmenter("elastic", (28, 28), 1.0, np.random.default_rng(1))
        augmenter.level = level
        augmenter.apply_(batch)
        accuracy[level] = np.mean(trainer.model.predict_index(batch) == labels)
    assert accuracy[0.3] > 0.85 and accuracy[1.0] > 0.4


def _bilinear_reference(image, x, y, fill):
    """One pixel sampled the slow, obvious way: (H, W) image at column x, row y."""
    H, W = image.shape

    def pixel(r, c):
        return image[r, c] if 0 <= r < H and 0 <= c < W else fill

    x = min(max(x, -1.0), W - 0.001)
    y = min(max(y, -1.0), H - 0.001)
    c0, r0 = int(np.floor(x)), int(np.floor(y))
    fx, fy = x - c0, y - r0
    top = pixel(r0, c0) * (1 - fx) + pixel(r0, c0 + 1) * fx
    bottom = pixel(r0 + 1, c0) * (1 - fx) + pixel(r0 + 1, c0 + 1) * fx
    return top * (1 - fy) + bottom * fy


@pytest.mark.parametrize("fill", [0.0, -0.42])
def test_bilinear_sampling_matches_a_pixel_by_pixel_reference(rng, fill):
    from mnist_gui.core.augment import sample_bilinear_

    H, W, m = 5, 7, 3
    images = rng.random((m, H * W)).astype(np.float32)
    sx = rng.uniform(-3, W + 2, (m, H * W)).astype(np.float32)  # some far outside
    sy = rng.uniform(-3, H + 2, (m, H * W)).astype(np.float32)
    sx[0, :W], sy[0, :W] = np.arange(W), 0  # exact pixel centres give the pixels back
    expected = np.array([[_bilinear_reference(images[i].reshape(H, W), sx[i, j], sy[i, j], fill)
                          for j in range(H * W)] for i in range(m)])
    out = sample_bilinear_(images.copy(), sx.copy(), sy.copy(), H, W, fill)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    np.testing.assert_allclose(out[0, :W], images[0, :W], atol=1e-6)


def test_affine_coordinates_are_an_affine_map_and_elastic_ones_are_not():
    affine = Augmenter("affine", (28, 28), 1.0, np.random.default_rng(0))
    sx, _ = affine.source_coordinates(16)
    grid = sx.reshape(16, 28, 28).astype(np.float64)
    # an affine map has zero second differences along rows and columns
    assert np.abs(np.diff(grid, 2, axis=1)).max() < 1e-3
    assert np.abs(np.diff(grid, 2, axis=2)).max() < 1e-3
    # and moves no pixel further than shift + rotation/scale/shear at the corners allow
    columns = np.tile(np.arange(28), 28)
    assert np.abs(sx - columns).max() < 2 + 19.1 * (0.175 + 0.1 + 0.1)
    elastic = Augmenter("elastic", (28, 28), 1.0, np.random.default_rng(0))
    sx, _ = elastic.source_coordinates(16)
    assert np.abs(np.diff(sx.reshape(16, 28, 28), 2, axis=2)).max() > 0.01


def test_float64_batches_are_distorted_too(digits):
    batch = digits[:8].astype(np.float64)
    Augmenter("elastic", (28, 28), 1.0, np.random.default_rng(0)).apply_(batch)
    assert batch.dtype == np.float64 and not np.allclose(batch, digits[:8])
