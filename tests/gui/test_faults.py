"""The window under faults: bad data folders and images, divergence, random control presses."""

from __future__ import annotations

import gzip
import random

import numpy as np
from PySide6.QtCore import QThread
from PySide6.QtGui import QColor, QImage

from ..core.test_data import write_mnist_folder
from .helpers import quick_settings


def test_bad_data_folder_gives_a_message_and_keeps_the_data_it_had(window, qtbot, tmp_path):
    folder = write_mnist_folder(tmp_path / "broken", n_train=100, n_test=20)
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01garbage"))
    window.open_data_folder(str(folder))
    qtbot.waitUntil(lambda: window.last_message is not None, timeout=10_000)
    assert "train-labels-idx1-ubyte" in window.last_message.text()
    assert window.data_folder is None  # still the bundled MNIST
    quick_settings(window, epochs=1, subset=1000)
    with qtbot.waitSignal(window.training_finished, timeout=120_000) as finished:
        window.start_training()
    assert finished.args[0].reason == "completed"
    assert len(window.state.evaluation.report.y_true) == 10_000


def test_a_good_data_folder_is_used_for_the_next_run(window, qtbot, tmp_path):
    folder = write_mnist_folder(tmp_path / "other", n_train=300, n_test=40)
    window.open_data_folder(str(folder))
    qtbot.waitUntil(lambda: window.data_folder == str(folder), timeout=10_000)
    quick_settings(window, epochs=1, subset=0)
    window.config_panel.batch_spin.setValue(50)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as finished:
        window.start_training()
    assert finished.args[0].reason == "completed"
    assert len(window.state.evaluation.report.y_true) == 40


def test_divergence_shows_a_message_naming_epoch_and_batch(window, qtbot):
    panel = window.config_panel
    quick_settings(window, epochs=3, subset=2000)
    panel.layers_table.cellWidget(0, 1).setCurrentIndex(3)  # leaky_relu
    panel.add_layer_button.click()
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("sgd"))
    panel.schedule_combo.setCurrentIndex(panel.schedule_combo.findData("constant"))
    panel.lr_edit.setText("100")
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as finished:
        window.start_training()
    assert finished.args[0].reason == "diverged"
    text = window.last_message.text()
    assert "diverged at epoch 1, batch" in text and "lower learning rate" in text
    assert window.train_button.isEnabled()


def test_batch_larger_than_the_subset_is_refused_at_the_field(window):
    quick_settings(window, epochs=1, subset=2000)
    window.config_panel.batch_spin.setValue(5000)
    assert "5000 is larger than the 2,000" in window.config_panel.error_label.text()
    assert not window.train_button.isEnabled()
    # the reason is also in sight above the tabs, however the settings are scrolled
    assert "Cannot train" in window.settings_label.text()
    assert "5000 is larger than the 2,000" in window.settings_label.text()


def test_a_failing_run_reports_and_the_window_recovers(window, qtbot):
    quick_settings(window, epochs=1, subset=0)
    # only the data can tell: 13,000 sevens and eights cannot spare 20,000 for validation
    window.config_panel.digits_edit.setText("7,8")
    window.config_panel.validation_spin.setValue(20_000)
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as finished:
        window.start_training()
    assert finished.args[0].reason == "failed"
    assert "leaves no training data" in window.last_message.text()
    assert window.train_button.isEnabled() and not window.is_training


def test_classify_an_image_file(window, qtbot, tmp_path, trained_model_file, raw_mnist):
    with qtbot.waitSignal(window.model_loaded, timeout=60_000):
        window.open_model(str(trained_model_file))
    digit = 255 - raw_mnist.test_images[1].reshape(28, 28)  # a 2, dark ink on white paper
    big = np.ascontiguousarray(np.kron(digit, np.ones((5, 5), np.uint8)))
    path = tmp_path / "two.png"
    QImage(big.data, 140, 140, 140, QImage.Format.Format_Grayscale8).save(str(path))
    assert window.classify_image(str(path))
    assert window.prediction_label.text()[0] == "2"
    blank = tmp_path / "blank.png"
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    image.save(str(blank))
    assert not window.classify_image(str(blank))
    assert "draw a digit" in window.last_message.text()
    junk = tmp_path / "junk.png"
    junk.write_text("no")
    assert not window.classify_image(str(junk))
    assert "junk.png" in window.last_message.text()


def test_random_control_sequences_never_crash_or_hang(window, qtbot):
    """Bounded random presses of train/pause/resume/stop while runs start and end."""
    rng = random.Random(1234)
    quick_settings(window, epochs=50, subset=2000)
    actions = ["train", "pause", "stop", "train", "pause", "stop", "lr"]
    for step in range(40):
        action = rng.choice(actions)
        if action == "train":
            window.start_training()
        elif action == "pause":
            window.toggle_pause()
        elif action == "stop":
            window.stop_training()
        else:
            window.live_lr_edit.setText(rng.choice(["0.01", "abc", "-1", "0.2"]))
            window.live_lr_edit.returnPressed.emit()
        qtbot.wait(rng.choice([0, 1, 5, 20]))  # let queued signals run between presses
    if window.is_training:
        with qtbot.waitSignal(window.training_finished, timeout=30_000):
            if window.is_paused:
                window.toggle_pause()
            window.stop_training()
    assert not window.is_training
    # the run store is re-read when a run ends: wait for that, then no thread may be left
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=30_000)
    threads = [t for t in window.findChildren(QThread) if t.isRunning()]
    assert threads == []
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as finished:
        quick_settings(window, epochs=1, subset=1000)
        window.start_training()
    assert finished.args[0].reason == "completed"
