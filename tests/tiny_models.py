"""Small trained models for tests that need a network which has learnt something."""

from __future__ import annotations

from mnist_gui.core.data import prepare, test_set_for
from mnist_gui.core.network import MLP
from mnist_gui.core.presets import PRESETS
from mnist_gui.core.training import Trainer


def train_tiny(raw_mnist, **changes) -> MLP:  # noqa: ANN001
    """The fast preset for 1 epoch on 3,000 images, with ``changes`` (e.g. hidden=[64])."""
    config = PRESETS["fast"].config.updated(epochs=1, train_subset=3000, **changes)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    trainer.train()
    return trainer.model


def scaled_test_set(raw_mnist, model: MLP, limit: int | None = None):
    """The test digits of ``model``'s classes (the first ``limit``): X standardised as it
    expects, y class indices, and the pixels scaled to [0, 1]."""
    X, y, images = test_set_for(raw_mnist, model.classes, model.input_mean, model.input_std)
    images = images[:limit].astype("float32") / 255
    return X[:limit], y[:limit], images
