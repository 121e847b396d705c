"""The window with the run store: recorded runs, their overlay, the timeline, continuing,
stepping, runs of the CLI; and Inspect / personal digits wired to Mistakes and Draw."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from mnist_gui.core.runs import RunStore

from .helpers import draw_stroke, line, open_model, quick_settings

TINY = {"epochs": 1, "subset": 1000, "hidden": [16]}


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def win(qtbot, tmp_path, home):
    """A window with a run store of its own (empty at first)."""
    from mnist_gui.gui import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, run_store=RunStore(home))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    yield window
    assert window.shutdown(timeout_ms=10_000)
    assert window.unexpected_errors == []


def train(window, qtbot, timeout=120_000):
    with qtbot.waitSignal(window.training_finished, timeout=timeout) as finished:
        window.start_training()
    assert finished.args[0].reason == "completed", finished.args[0].message
    return window.live_run_id


def wait_listed(window, qtbot, n):
    qtbot.waitUntil(lambda: len(window.runs_panel.runs()) == n and not window.runs_panel.is_busy(),
                    timeout=20_000)


def test_two_recorded_runs_overlay_on_the_curves(win, qtbot, tmp_path):
    quick_settings(win, **TINY)
    first = train(win, qtbot)
    quick_settings(win, **TINY, lr=0.02)
    second = train(win, qtbot)
    assert first and second and first != second
    wait_listed(win, qtbot, 2)
    with qtbot.waitSignal(win.runs_panel.overlay_changed):
        win.runs_panel.set_checked([first, second])
    assert {overlay.run_id for overlay in win.curves_panel.overlay_runs()} == {first, second}
    png, table = win.export_curves(str(tmp_path / "curves.png"))
    assert table.read_text().startswith("epoch,train_loss")
    shown = (tmp_path / "curves-shown.csv").read_text()
    assert first[-4:] in shown and second[-4:] in shown  # both overlaid runs, as drawn
    with qtbot.waitSignal(win.runs_panel.overlay_changed):
        win.runs_panel.set_checked([])
    assert win.curves_panel.overlay_runs() == []


def test_timeline_changes_weights_and_mistakes_and_back_to_live_restores(win, qtbot):
    quick_settings(win, **{**TINY, "epochs": 2})
    run_id = train(win, qtbot)
    wait_listed(win, qtbot, 1)
    win.show_view(win.weights_panel)
    live_weights = [W.copy() for W in win.weights_panel.shown_layers()]
    win.show_view(win.mistakes_panel)
    live_evaluation = win.mistakes_panel.evaluation
    assert live_evaluation is not None

    win.show_view(win.runs_panel)
    win.runs_panel.select_run(run_id)
    slider = win.runs_panel.timeline_slider
    assert slider.isEnabled() and slider.maximum() >= 2
    with qtbot.waitSignal(win.moment_shown, timeout=20_000) as shown:
        slider.setValue(0)  # the first snapshot, early in epoch 1
    assert "of run" in shown.args[0] and win.banner.isVisible()
    assert "Viewing epoch" in win.moment_banner.text()

    win.show_view(win.mistakes_panel)
    qtbot.waitUntil(lambda: win.mistakes_panel.evaluation is not None
                    and win.mistakes_panel.evaluation is not live_evaluation, timeout=30_000)
    assert "of run" in win.mistakes_panel.summary.text()
    assert (win.mistakes_panel.evaluation.report.accuracy
            != live_evaluation.report.accuracy)
    win.show_view(win.weights_panel)
    moment_weights = win.weights_panel.shown_layers()
    assert not np.allclose(moment_weights[0], live_weights[0])
    assert "of run" in win.draw_panel.model_label.text()
    # early in epoch 1: no whole epoch of changes yet (the live run has 2 per layer)
    assert all(changes == [] for changes in win.weights_panel.relative_changes())

    with qtbot.waitSignal(win.moment_shown) as back:
        win.banner_live_button.click()
    assert back.args == [""] and not win.banner.isVisible()
    assert np.array_equal(win.weights_panel.shown_layers()[0], live_weights[0])
    assert [len(changes) for changes in win.weights_panel.relative_changes()] == [2, 2]
    win.show_view(win.mistakes_panel)
    assert win.mistakes_panel.evaluation is live_evaluation


def test_runs_of_the_cli_appear_in_the_window(qtbot, tmp_path, home):
    from mnist_gui.gui import MainWindow

    env = {**os.environ, "MNIST_GUI_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "mnist_gui", "train", "--hidden", "16", "--epochs", "1",
                    "--train-subset", "1000", "--quiet", "--name", "from-the-cli"],
                   check=True, env=env, timeout=300, capture_output=True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, run_store=RunStore(home))
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: [run.name for run in window.runs_panel.runs()] == ["from-the-cli"],
                        timeout=20_000)
        run = window.runs_panel.runs()[0]
        assert run.outcome == "completed" and len(run.epochs) == 1
    finally:
        assert window.shutdown(10_000)
    assert window.unexpected_errors == []


def test_train_more_continues_the_run(win, qtbot):
    quick_settings(win, **TINY)
    first = train(win, qtbot)
    assert win.more_button.isEnabled()
    win.more_spin.setValue(1)
    epochs = []
    win.epoch_finished.connect(lambda report: epochs.append(report.epoch))
    with qtbot.waitSignal(win.training_finished, timeout=120_000) as finished:
        win.more_button.click()
    assert finished.args[0].reason == "completed"
    assert epochs == [2]  # the epoch numbers go on
    second = win.live_run_id
    assert second != first
    run = win.run_store.get(second)
    assert run.parent == first and run.parent_epoch == 1


def test_continue_from_the_runs_panel_starts_a_branch(win, qtbot):
    quick_settings(win, **TINY)
    first = train(win, qtbot)
    wait_listed(win, qtbot, 1)
    epochs = []
    win.epoch_finished.connect(lambda report: epochs.append(report.epoch))
    with qtbot.waitSignal(win.training_finished, timeout=120_000):
        win.runs_panel.continue_requested.emit(first, 1)  # form says 1 epoch: raised
    assert epochs and epochs[0] == 2
    assert win.run_store.get(win.live_run_id).parent == first


def test_step_advances_exactly_one_batch_while_paused(win, qtbot):
    quick_settings(win, **TINY)
    win.start_training()
    win.toggle_pause()  # paused before the first batch (the data is still being read)
    qtbot.waitUntil(lambda: win.runs_panel.step_button.isEnabled(), timeout=30_000)
    # the run is recorded once the trainer exists; it then waits before its first batch
    qtbot.waitUntil(lambda: win.live_run_id is not None, timeout=30_000)
    with qtbot.waitSignal(win.progress_shown, timeout=30_000) as shown:
        win.runs_panel.step_button.click()
    progress = shown.args[0]
    assert (progress.epoch, progress.batch) == (1, 1) and len(progress.steps) == 1
    qtbot.waitUntil(lambda: win.state.epoch_progress == pytest.approx(1 / progress.n_batches),
                    timeout=10_000)  # the views got the model after that batch
    assert win.is_paused
    with qtbot.waitSignal(win.training_finished, timeout=60_000):
        win.stop_training()


def test_selected_mistake_is_inspected(win, qtbot, trained_model_file):
    open_model(win, qtbot, trained_model_file)
    win.show_view(win.inspect_panel)  # Inspect gets the model
    win.show_view(win.mistakes_panel)
    view = win.errors_view
    assert view.model().rowCount() > 0
    with qtbot.waitSignal(win.inspect_panel.digit_inspected, timeout=10_000) as inspected:
        view.setCurrentIndex(view.model().index(0, 0))
    forward = inspected.args[0]
    true = win.mistakes_panel.model.classes[win.mistakes_panel.model.true[0]]
    predicted = win.mistakes_panel.model.classes[win.mistakes_panel.model.predicted[0]]
    assert forward.predicted == predicted
    assert f"the label is {true} (wrong)" in win.inspect_panel.caption.text()


def test_drawing_updates_inspect_and_this_is_a_k_keeps_the_digit(win, qtbot, trained_model_file):
    open_model(win, qtbot, trained_model_file)
    win.show_view(win.inspect_panel)
    win.show_view(win.draw_panel)
    with qtbot.waitSignal(win.inspect_panel.digit_inspected, timeout=10_000,
                          check_params_cb=lambda forward: forward is not None) as inspected:
        draw_stroke(win.draw_canvas, line((0.5, 0.15), (0.5, 0.85)))
    assert inspected.args[0].probabilities.shape == (10,)
    before = len(win.personal_panel.digits)
    win.this_is_combo.setCurrentIndex(win.this_is_combo.findData(1))
    with qtbot.waitSignal(win.personal_panel.digits_changed):
        win.keep_digit_button.click()
    digits = win.personal_panel.digits
    assert len(digits) == before + 1 and int(digits.labels[-1]) == 1
    assert digits.images[-1].shape == (28, 28) and digits.images[-1].max() > 100

    with qtbot.waitSignal(win.finetuned, timeout=120_000) as tuned:
        win.personal_panel.finetune_requested.emit()
    before_acc, after_acc = tuned.args
    assert 0 <= before_acc <= 1 and 0 <= after_acc <= 1
    assert "before" in win.personal_panel.result_label.text()
    assert win.state.kind == "tuned"
    win.show_view(win.mistakes_panel)
    assert win.mistakes_panel.evaluation is win.state.evaluation is not None
    win.show_view(win.draw_panel)

    with qtbot.waitSignal(win.inspect_panel.digit_inspected, timeout=10_000,
                          check_params_cb=lambda forward: forward is None):
        win.draw_panel.clear_button.click()
