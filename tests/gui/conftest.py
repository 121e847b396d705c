"""GUI fixtures: a fresh MainWindow with its own settings file, shut down after each test."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from mnist_gui.core.data import prepare
from mnist_gui.core.model_file import save_model
from mnist_gui.core.presets import PRESETS
from mnist_gui.core.training import Trainer


@pytest.fixture
def window(qtbot, tmp_path):
    from mnist_gui.gui import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    yield win
    assert win.shutdown(timeout_ms=10_000), "training thread did not stop"


@pytest.fixture(scope="session")
def trained_model_file(tmp_path_factory, raw_mnist):
    """A model trained headless (fast preset, 1 epoch on 20,000 images), saved to disk."""
    config = PRESETS["fast"].config.updated(epochs=1, train_subset=20_000)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    trainer.train()
    path = tmp_path_factory.mktemp("models") / "fast.npz"
    save_model(path, trainer.model, config.to_dict(), {"test_accuracy": trainer.history[-1].test_accuracy})
    assert np.isfinite(trainer.model.params).all()
    return path
