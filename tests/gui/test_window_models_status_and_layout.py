"""Issue 9: one current model that every view follows. One regression test per defect (each
fails on the window as it was before), then random sequences of everything a user can do."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QThread
from PySide6.QtGui import QImage

from mnist_gui.core.presets import PRESETS
from mnist_gui.gui.state import CurrentModel

from .helpers import choose_preset, draw_stroke, line, open_model, quick_settings, right_click

TRAIN_TIMEOUT = 120_000
SEVEN = line((0.2, 0.2), (0.8, 0.2)) + line((0.8, 0.2), (0.4, 0.85))
BINARY = {"preset": "seed-003", "epochs": 40, "subset": 0}  # full-batch 7 vs 8: a second or two


def train(window, qtbot, **settings) -> object:
    quick_settings(window, **settings)
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT) as finished:
        window.start_training()
    return finished.args[0]


# ---------------------------------------------------------------------- defects 1 and 2


def test_crash_sequence_binary_then_ten_classes_with_tab_switches(window, qtbot):
    """#1: seed-003, Train, draw, Stop, clear, fast, Train, Train again, switch Curves/Draw.
    Before: ValueError from the bars (2 vs 10) in a slot on every snapshot, then a segfault."""
    quick_settings(window, **{**BINARY, "epochs": 100_000})
    with qtbot.waitSignal(window.epoch_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()
    window.tabs.setCurrentWidget(window.draw_panel)
    draw_stroke(window.draw_canvas, SEVEN)
    with qtbot.waitSignal(window.training_finished, timeout=10_000):
        window.stop_training()
    right_click(window.draw_canvas)
    assert window.prediction_label.text() == "draw a digit"
    assert window.draw_panel.bar_labels() == ["8", "7"]
    quick_settings(window, epochs=1, subset=2000)
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT) as finished:
        window.start_training()
        window.start_training()  # "Train again" while running: ignored
        for _ in range(20):
            window.tabs.setCurrentWidget(window.curves_panel)
            qtbot.wait(5)
            window.tabs.setCurrentWidget(window.draw_panel)
            qtbot.wait(5)
    assert finished.args[0].reason == "completed"
    assert window.draw_panel.bar_labels() == [str(d) for d in range(10)]
    draw_stroke(window.draw_canvas, SEVEN)
    probabilities = window.draw_panel.probabilities
    assert probabilities is not None and probabilities.shape == (10,)
    assert window.prediction_label.text()[0] == str(int(np.argmax(probabilities)))


def test_binary_run_with_an_empty_canvas_raises_nothing(window, qtbot):
    """#2: every epoch of seed-003 with an empty canvas raised (3,432 tracebacks in 30 s)."""
    window.tabs.setCurrentWidget(window.draw_panel)
    final = train(window, qtbot, **BINARY)
    assert final.reason == "completed" and final.epochs_completed == 40
    assert window.prediction_label.text() == "draw a digit"
    assert window.draw_panel.probabilities is None
    assert window.draw_panel.bar_texts() == ["", ""]
    draw_stroke(window.draw_canvas, SEVEN)
    assert window.draw_panel.probabilities.shape == (2,)
    texts = [text for text in window.draw_panel.bar_texts() if text]
    assert texts and all(text.endswith("%") for text in texts)


# ------------------------------------------------------------------------- defect 3


@pytest.mark.parametrize("kind, classes", [("binary", [8, 7]), ("two", [3, 5])])
def test_opening_a_two_class_model_updates_every_view(window, qtbot, model_files, kind, classes):
    """#3: opening a seed-003 model left "Working…" forever, Mistakes empty, settings old."""
    open_model(window, qtbot, model_files[kind])
    assert window.status_text().startswith(f"Opened {kind}.npz")
    assert window.config_panel.config().digits == classes
    window.tabs.setCurrentWidget(window.mistakes_panel)
    evaluation = window.mistakes_panel.evaluation
    assert evaluation.report.classes == classes and evaluation.report.confusion.shape == (2, 2)
    assert window.mistakes_panel.summary.text().startswith(f"{kind}.npz:")
    window.tabs.setCurrentWidget(window.weights_panel)
    assert window.weights_panel.shown_layers()[-1].shape[0] == (1 if kind == "binary" else 2)
    window.tabs.setCurrentWidget(window.draw_panel)
    assert window.draw_panel.bar_labels() == [str(c) for c in classes]
    assert window.draw_panel.model_label.text() == f"Loaded model {kind}.npz"


def test_after_a_run_an_opened_model_replaces_it_in_every_view(window, qtbot, model_files):
    """#3: after training, Draw said the file was loaded while Mistakes/Weights kept the run."""
    train(window, qtbot, epochs=1, subset=2000, hidden=[64])
    open_model(window, qtbot, model_files["binary"])
    for panel in (window.weights_panel, window.mistakes_panel, window.draw_panel):
        window.tabs.setCurrentWidget(panel)
    assert [W.shape for W in window.state.model.W] == [(784, 10), (10, 5), (5, 1)]
    assert [im.shape for im in window.weights_panel.shown_layers()] == [(10, 784), (5, 10), (1, 5)]
    assert window.weights_panel.layer_titles()[-1] == "W3: 1 unit × 5 inputs"
    assert window.mistakes_panel.evaluation is window.state.evaluation
    assert window.mistakes_panel.evaluation.report.classes == [8, 7]


# ------------------------------------------------------------------------- defect 4


def test_nothing_of_the_previous_run_outlives_file_open(window, qtbot, model_files):
    """#4: after File > Open, Weights showed a snapshot queued during training, and curves,
    progress, the learning rate now / live field and the hover readout showed the old run."""
    quick_settings(window, epochs=100, subset=2000, hidden=[48])
    with qtbot.waitSignal(window.epoch_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()  # Weights hidden: its snapshots are not drawn
    window.live_lr_edit.setText("0.05")
    window.live_lr_edit.returnPressed.emit()
    curves = window.curves_panel
    centre = curves.loss_plot.plotItem.vb.mapViewToScene(QPointF(1, 1))
    curves.loss_plot.scene().sigMouseMoved.emit(centre)
    qtbot.waitUntil(lambda: curves.hover_text().startswith("epoch 1"), timeout=5000)
    with qtbot.waitSignal(window.training_finished, timeout=10_000):
        window.stop_training()
    assert window.lr_now_label.text() != "-"
    open_model(window, qtbot, model_files["ten"])
    assert window.state.kind == "file" and curves.history == []
    assert curves.hover_text() == ""
    x, _ = curves.loss_curves["test"].getData()
    assert x is None or len(x) == 0
    assert window.lr_now_label.text() == "-" and window.live_lr_edit.text() == ""
    assert window.progress_bar.format() == "idle" and window.speed_label.text() == ""
    window.tabs.setCurrentWidget(window.weights_panel)
    assert [im.shape for im in window.weights_panel.shown_layers()] == [(512, 784), (10, 512)]
    assert "of ten.npz" in window.weights_panel.caption.text()
    window.tabs.setCurrentWidget(window.mistakes_panel)
    assert window.mistakes_panel.summary.text().startswith("ten.npz:")  # not "Epoch 0"


def test_invalid_settings_status_ends_when_the_settings_are_fixed(window):
    """#4: "Invalid settings" stayed in the status bar after the field was corrected."""
    quick_settings(window, epochs=1)
    window.config_panel.set_config(PRESETS["fast"].config.updated(epochs=1, train_subset=100,
                                                                  batch_size=64), "custom")
    window.config_panel.set_config(PRESETS["fast"].config.updated(batch_size=128, train_subset=100), "custom")
    assert not window.train_button.isEnabled()
    window.start_training()
    assert window.status_text().startswith("Invalid settings")
    quick_settings(window, epochs=1)
    assert window.train_button.isEnabled()
    assert "Invalid settings" not in window.status_text()


def test_classifying_status_ends_with_the_drawing(window, qtbot, model_files, raw_mnist, tmp_path):
    """#4: after "Classify an image" the status said "Classifying <file>" forever."""
    open_model(window, qtbot, model_files["ten"])
    digit = np.ascontiguousarray(255 - raw_mnist.test_images[1].reshape(28, 28))
    path = tmp_path / "two.png"
    QImage(digit.data, 28, 28, 28, QImage.Format.Format_Grayscale8).save(str(path))
    assert window.classify_image(str(path))
    assert window.status_text().startswith("Classifying two.png: 2")
    window.draw_panel.clear_button.click()
    assert "Classifying" not in window.status_text()


def test_a_stale_snapshot_or_evaluation_is_refused(qtbot, model_files):
    """Snapshots/evaluations of an older run or file never reach the views."""
    from mnist_gui.core.model_file import load_model

    state = CurrentModel()
    model, _ = load_model(model_files["ten"])
    old = state.begin("live")
    new = state.begin("file", path=model_files["ten"])
    with qtbot.assertNotEmitted(state.changed):
        assert not state.set_model(old, model, 1.0)
    assert state.model is None
    with qtbot.waitSignal(state.changed) as changed:
        assert state.set_model(new, model)
    assert changed.args == ["model"] and state.source == "Loaded model ten.npz"


# ------------------------------------------------------------------------- defect 7


def test_diagonal_cell_shows_that_class_correct_digits(window, qtbot, model_files):
    """#7: a diagonal confusion cell showed an empty list with no explanation."""
    open_model(window, qtbot, model_files["ten"])
    panel = window.mistakes_panel
    window.tabs.setCurrentWidget(panel)
    cm = panel.evaluation.report.confusion
    panel.confusion_table.cellClicked.emit(3, 3)
    assert panel.model.rowCount() == cm[3, 3] > 0
    assert set(panel.model.true) == {3} and set(panel.model.predicted) == {3}
    assert panel.kind_combo.currentText() == "correctly classified"
    # the same cell asked for among mistakes: empty, and it says why
    panel.kind_combo.setCurrentIndex(0)
    assert panel.model.rowCount() == 0
    assert "not a mistake" in panel.list_hint.text()


def test_cell_highlight_ends_when_the_filters_are_reset(window, qtbot, model_files):
    """#7: the clicked confusion cell stayed highlighted after the filters were reset."""
    open_model(window, qtbot, model_files["ten"])
    panel = window.mistakes_panel
    window.tabs.setCurrentWidget(panel)
    cm = panel.evaluation.report.confusion
    i, j = np.unravel_index(np.argmax(cm - np.diag(np.diag(cm))), cm.shape)
    panel.confusion_table.cellClicked.emit(int(i), int(j))
    assert [(ix.row(), ix.column()) for ix in panel.confusion_table.selectedIndexes()] == [(i, j)]
    panel.true_combo.setCurrentIndex(0)  # "all"
    assert panel.confusion_table.selectedIndexes() == []
    assert panel.model.rowCount() == int(cm[:, j].sum() - cm[j, j])


def test_export_before_training_says_there_is_nothing(window, tmp_path):
    """#7: export before any training wrote empty files silently."""
    assert window.export_curves(str(tmp_path / "curves.png")) is None
    assert "Nothing to export" in window.last_message.windowTitle() + window.status_text()
    assert list(tmp_path.iterdir()) == [p for p in tmp_path.iterdir() if p.name == "settings.ini"]


# --------------------------------------------------------------- guarded slots, layout


def test_an_error_in_a_slot_is_reported_once_and_training_goes_on(window, qtbot, monkeypatch):
    """No slot may raise: an unexpected error is shown in the status bar and logged once."""
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ValueError("broken on purpose")

    # a view that fails on every change it follows (the shown Weights view renders per
    # snapshot and per epoch)
    window.show_view(window.weights_panel)
    monkeypatch.setattr(window.weights_panel, "render", broken)
    final = train(window, qtbot, epochs=3, subset=1000)
    assert final.reason == "completed" and len(calls) >= 3
    assert len(window.unexpected_errors) == 1 and "broken on purpose" in window.unexpected_errors[0]
    assert "broken on purpose" in window.status_text()
    window.unexpected_errors.clear()  # seen: the fixture checks for others


def test_window_fits_1024x640_and_status_never_covers_the_speed_label(window, qtbot):
    """A newcomer's 1024x640 screen; a long status text is shortened, not cut into others."""
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 640
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    window.speed_label.setText("123,456 images/s")
    with qtbot.waitSignal(window.model_open_failed):  # a message as long as a path can make it
        window.open_model("/nowhere/" + "a-very-long-folder-name/" * 20 + "model.npz")
    assert len(window.status_text()) > 400
    qtbot.wait(10)
    status = window.status_label.geometry()
    assert status.right() < window.speed_label.geometry().left()
    assert window.settings_label.isVisible() and "parameters" in window.settings_label.text()


def test_one_batch_and_one_unit_are_singular(window, qtbot):
    quick_settings(window, epochs=1, subset=1000, batch_size=0, hidden=[1])
    texts = []
    window.epoch_finished.connect(lambda _report: texts.append(window.status_text()))
    train(window, qtbot, epochs=1, subset=1000, batch_size=0, hidden=[1])
    assert ", 1 batch of 1,000 per epoch" in texts[0]
    assert window.progress_bar.format() == "completed: 1 epoch"
    window.tabs.setCurrentWidget(window.weights_panel)
    assert window.weights_panel.layer_titles() == ["W1: 1 unit × 784 inputs", "W2: 10 units × 1 input"]


def test_a_close_whose_shutdown_timed_out_waits_for_the_run_then_quits(window, qtbot, monkeypatch):
    """closeEvent used to go on after a shutdown that timed out (a running QThread destroyed)."""
    quick_settings(window, epochs=200, subset=2000)
    with qtbot.waitSignal(window.epoch_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()

    def timed_out(timeout_ms: int = 0) -> bool:
        window.stop_training()  # asked to stop, but the batch "does not end in time"
        return False

    monkeypatch.setattr(window, "shutdown", timed_out)
    window.close()
    next(b for b in window.close_question.buttons() if b.text() == "Stop and quit").click()
    assert window.isVisible() and "Waiting for the current batch" in window.status_text()
    monkeypatch.undo()
    with qtbot.waitSignal(window.training_finished, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert not window.is_training


# ------------------------------------------------------------------------- draw panel


def test_brush_scales_with_the_canvas(window, qtbot, model_files):
    open_model(window, qtbot, model_files["ten"])
    window.tabs.setCurrentWidget(window.draw_panel)
    canvas = window.draw_canvas
    fractions = []
    for size in (1400, 1050):
        window.resize(size, int(size * 0.65))
        qtbot.waitUntil(lambda size=size: window.width() == size)
        window.draw_panel.clear_button.click()
        draw_stroke(canvas, line((0.5, 0.15), (0.5, 0.85), n=30))
        pixels = canvas.pixels()
        assert pixels.shape[0] == min(canvas.width(), canvas.height())
        fractions.append((pixels > 127).mean())
    assert abs(fractions[0] - fractions[1]) < 0.2 * fractions[0]
    assert window.prediction_label.text()[0] == "1"
    assert sum(float(t.rstrip("%")) for t in window.draw_panel.bar_texts() if t) > 95


def test_the_draw_panel_does_not_predict_while_hidden(window, qtbot, model_files):
    open_model(window, qtbot, model_files["ten"])
    window.tabs.setCurrentWidget(window.draw_panel)
    draw_stroke(window.draw_canvas, SEVEN)
    window.tabs.setCurrentWidget(window.curves_panel)
    with qtbot.assertNotEmitted(window.draw_panel.prediction_changed):
        open_model(window, qtbot, model_files["binary"])
    with qtbot.waitSignal(window.draw_panel.prediction_changed):
        window.tabs.setCurrentWidget(window.draw_panel)
    assert window.draw_panel.probabilities.shape == (2,)


# ---------------------------------------------------------------- random sequences


def _random_step(window, qtbot, rng: random.Random, model_files) -> None:
    action = rng.choice(["preset", "preset", "train", "train", "pause", "stop", "tab", "tab",
                         "open", "draw", "clear", "lr"])
    if action == "preset" and not window.is_training:
        choice = rng.choice(["fast", "binary", "two", "seed-003"])
        if choice == "fast":
            quick_settings(window, epochs=rng.choice([1, 2]), subset=2000)
        elif choice == "binary":
            quick_settings(window, **{**BINARY, "epochs": rng.choice([5, 200])})
        elif choice == "two":
            quick_settings(window, epochs=1, subset=1500, hidden=[16], digits=[3, 5])
        else:
            choose_preset(window, "seed-003")  # the real preset: stopped below
    elif action == "train":
        window.start_training()
    elif action == "pause":
        window.toggle_pause()
    elif action == "stop":
        window.stop_training()
    elif action == "tab":
        window.tabs.setCurrentIndex(rng.randrange(window.tabs.count()))
    elif action == "open":
        window.open_model(str(model_files[rng.choice(["binary", "ten", "two"])]))
    elif action == "draw":
        window.tabs.setCurrentWidget(window.draw_panel)
        x = rng.uniform(0.2, 0.8)
        draw_stroke(window.draw_canvas, line((x, 0.15), (rng.uniform(0.2, 0.8), 0.85), n=8))
    elif action == "clear":
        right_click(window.draw_canvas)
    else:
        window.live_lr_edit.setText(rng.choice(["0.01", "abc", "-1"]))
        window.live_lr_edit.returnPressed.emit()
    qtbot.wait(rng.choice([0, 2, 10, 40]))


def test_thirty_random_sequences_never_raise_or_crash(window, qtbot, model_files):
    for sequence in range(30):
        rng = random.Random(sequence)
        for _ in range(10):
            _random_step(window, qtbot, rng, model_files)
        if window.is_training:
            with qtbot.waitSignal(window.training_finished, timeout=30_000):
                window.stop_training()
        qtbot.waitUntil(lambda: not window.findChildren(QThread) or all(
            not t.isRunning() for t in window.findChildren(QThread)), timeout=30_000)
        # whatever happened, the views agree on the current model
        model = window.state.model
        window.tabs.setCurrentWidget(window.draw_panel)
        expected = [str(c) for c in model.classes] if model is not None else [str(d) for d in range(10)]
        assert window.draw_panel.bar_labels() == expected, f"sequence {sequence}"
        window.tabs.setCurrentWidget(window.weights_panel)
        if model is not None:
            assert [im.shape for im in window.weights_panel.shown_layers()] == [W.T.shape for W in model.W]
    assert not window.is_training
