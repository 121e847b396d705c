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
