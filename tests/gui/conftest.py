"""GUI fixtures: a fresh MainWindow with its own settings file, shut down after each test;
small models of every output kind, trained headless once per session."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from mnist_gui.core.data import prepare
from mnist_gui.core.model_file import save_model
from mnist_gui.core.presets import PRESETS
from mnist_gui.core.training import Trainer


@pytest.fixture(scope="session", autouse=True)
def english(qapp):
    """The window's texts in English with its plural forms and number format, as the app
    starts when the system is English (``language.install_language``)."""
    from mnist_gui.gui.language import Translation

    translation = Translation("en").install()
    yield translation
    translation.remove()


@pytest.fixture(autouse=True)
def destroy_widgets_when_the_test_ends():
    """Each test's windows and panels are destroyed when it ends, once its threads have
    stopped (this fixture is torn down after every other). Left to Python's cyclic garbage
    collector, an old window was destroyed at a random later moment, inside another test's
    event loop while that test's training thread ran: a QObject destructor then waited for a
    Qt lock held by a thread that was waiting for the GIL, and the suite hung (seen in a
    full run, in test_closing_during_training_asks_then_stops_within_a_second)."""
    yield
    gc.collect()


@pytest.fixture
def window(qtbot, tmp_path):
    from mnist_gui.core.runs import RunStore
    from mnist_gui.gui import MainWindow

    # its own settings file and run store: no test sees another's runs or settings
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, run_store=RunStore(tmp_path / "store"))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    yield win
    assert win.shutdown(timeout_ms=10_000), "training thread did not stop"
    # a guarded slot turns an exception into a status message: a test must still see it
    assert win.unexpected_errors == []


def _train_and_save(folder, name, config, raw_mnist):
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    trainer.train()
    assert np.isfinite(trainer.model.params).all()
    path = folder / f"{name}.npz"
    save_model(path, trainer.model, config.to_dict(), trainer.history[-1].metrics())
    return path


@pytest.fixture(scope="session")
def model_files(tmp_path_factory, raw_mnist):
    """Small models saved to disk: "ten" (784-512-10 softmax, 1 epoch on 3,000 images),
    "binary" (seed-003's 784-10-5-1 sigmoid, 7 vs 8, a few full-batch epochs) and "two"
    (784-32-2 softmax, 3 vs 5)."""
    folder = tmp_path_factory.mktemp("models")
    fast = PRESETS["fast"].config
    return {
        "ten": _train_and_save(folder, "ten", fast.updated(epochs=1, train_subset=3000), raw_mnist),
        "binary": _train_and_save(
            folder, "binary", PRESETS["seed-003"].config.updated(epochs=30), raw_mnist),
        "two": _train_and_save(
            folder, "two", fast.updated(epochs=1, hidden=[32], digits=[3, 5], train_subset=3000),
            raw_mnist),
    }


@pytest.fixture(scope="session")
def trained_model_file(model_files):
    return model_files["ten"]
