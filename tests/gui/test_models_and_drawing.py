"""Opening and saving models, drawing digits on the canvas, messages for bad files."""

from __future__ import annotations

import numpy as np

from mnist_gui.core.model_file import load_model

from .helpers import draw_stroke, line, open_model


def test_open_model_shows_weights_and_mistakes(window, qtbot, trained_model_file):
    open_model(window, qtbot, trained_model_file)
    evaluation = window.state.evaluation
    assert evaluation is not None and 0.8 < evaluation.report.accuracy < 1
    window.tabs.setCurrentWidget(window.mistakes_panel)
    assert window.errors_view.model().rowCount() == len(evaluation.report.mistakes)
    assert window.weights_panel.shown_layers() == []  # drawn when its tab is shown
    window.tabs.setCurrentWidget(window.weights_panel)
    assert [im.shape for im in window.weights_panel.shown_layers()] == [(512, 784), (10, 512)]
    assert "Loaded model ten.npz" in window.draw_panel.model_label.text()


def test_save_model_round_trip(window, qtbot, trained_model_file, tmp_path):
    open_model(window, qtbot, trained_model_file)
    saved = window.save_model(str(tmp_path / "copy.npz"))
    original, _ = load_model(trained_model_file)
    copy, meta = load_model(saved)
    np.testing.assert_array_equal(copy.params, original.params)
    assert meta["config"]["hidden"] == [512]


def test_save_after_training_saves_the_trained_model(window, qtbot, tmp_path):
    from .helpers import quick_settings

    quick_settings(window, epochs=1, subset=2000)
    with qtbot.waitSignal(window.training_finished, timeout=120_000):
        window.start_training()
    saved = window.save_model(str(tmp_path / "trained"))
    _, meta = load_model(saved)
    assert saved.name == "trained.npz" and meta["metrics"]["epoch"] == 1
    assert meta["config"]["train_subset"] == 2000


def test_bad_model_file_gives_a_message_and_the_app_stays_usable(window, qtbot, tmp_path, trained_model_file):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 definitely not a zip")
    window.open_model(str(bad))
    qtbot.waitUntil(lambda: window.last_message is not None, timeout=10_000)
    assert "not a valid mnist-gui model" in window.last_message.text()
    open_model(window, qtbot, trained_model_file)  # still works afterwards


def test_saving_without_a_model_or_to_a_bad_path(window, tmp_path, qtbot, trained_model_file):
    assert window.save_model(str(tmp_path / "x.npz")) is None
    assert "Train or open a model first" in window.last_message.text()
    open_model(window, qtbot, trained_model_file)
    assert window.save_model(str(tmp_path / "missing" / "x.npz")) is None
    assert "does not exist" in window.last_message.text()


def test_drawing_a_one_and_a_zero(window, qtbot, trained_model_file):
    open_model(window, qtbot, trained_model_file)
    window.tabs.setCurrentWidget(window.draw_panel)
    canvas = window.draw_canvas
    assert window.prediction_label.text() == "draw a digit"
    with qtbot.waitSignal(window.draw_panel.prediction_changed):
        draw_stroke(canvas, line((0.5, 0.15), (0.48, 0.85)))
    assert window.prediction_label.text()[0] == "1"
    assert window.draw_panel.last_latency_ms < 100
    window.findChild(type(window.train_button), "clearButton").click()
    assert window.prediction_label.text() == "draw a digit"
    ring = [(0.5 + 0.22 * np.sin(t), 0.5 - 0.32 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)]
    draw_stroke(canvas, ring)
    assert window.prediction_label.text()[0] == "0"


def test_small_off_centre_digit_is_still_recognised(window, qtbot, trained_model_file):
    open_model(window, qtbot, trained_model_file)
    window.tabs.setCurrentWidget(window.draw_panel)
    draw_stroke(window.draw_canvas, line((0.82, 0.08), (0.81, 0.3), n=8))  # a tiny 1, top right
    assert window.prediction_label.text()[0] == "1"


def test_draw_with_the_live_model_during_training(window, qtbot):
    from .helpers import quick_settings

    quick_settings(window, epochs=100, subset=5000)
    with qtbot.waitSignal(window.epoch_finished, timeout=120_000):
        window.start_training()
    window.tabs.setCurrentWidget(window.draw_panel)
    assert window.draw_panel.model_label.text().startswith("Live model")
    draw_stroke(window.draw_canvas, line((0.5, 0.15), (0.5, 0.85)))
    assert window.prediction_label.text()[0].isdigit()
    with qtbot.waitSignal(window.training_finished, timeout=10_000):
        window.stop_training()


def test_settings_persist_between_windows(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from mnist_gui.gui import MainWindow

    path = str(tmp_path / "s.ini")
    first = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.config_panel.epochs_spin.setValue(17)
    first.config_panel.lr_edit.setText("0.033")
    first.close()
    second = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.config_panel.epochs_spin.value() == 17
    assert second.config_panel.config().lr == 0.033
    second.close()


def test_export_curves(window, qtbot, tmp_path):
    from .helpers import quick_settings

    quick_settings(window, epochs=2, subset=2000)
    with qtbot.waitSignal(window.training_finished, timeout=120_000):
        window.start_training()
    png, csv = window.export_curves(str(tmp_path / "curves.png"))
    assert png.stat().st_size > 5000
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("epoch,train_loss") and len(rows) == 3
    # the saved model keeps its epochs: opened again, its curves draw and export the same
    from .helpers import open_model

    saved = window.files.save_model(str(tmp_path / "model.npz"))
    open_model(window, qtbot, saved)
    assert window.state.kind == "file"
    png, csv = window.export_curves(str(tmp_path / "opened.png"))
    assert csv.read_text().splitlines() == rows
