"""Every view follows the one shown state: data folders, moments, fine-tuning, stopped runs,
and the side doors that used to show or write another model than the views."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.digit_history import DigitHistory
from mnist_gui.core.model_file import load_model
from mnist_gui.gui.training_bar import EtaDisplay

from ..core.test_data import write_mnist_folder
from .helpers import draw_stroke, line, open_model, quick_settings

TRAIN_TIMEOUT = 120_000


def train(window, qtbot, **settings):
    quick_settings(window, **settings)
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT) as finished:
        window.start_training()
    return finished.args[0]


def test_opening_a_data_folder_rescored_the_shown_model_and_every_data_view_follows(
        window, qtbot, tmp_path, model_files):
    window.show_view(window.mistakes_panel)
    open_model(window, qtbot, model_files["ten"])
    assert len(window.mistakes_panel.evaluation.report.y_true) == 10_000
    window.show_view(window.weights_panel)  # a hidden view catches up when shown
    folder = write_mnist_folder(tmp_path / "other", n_train=300, n_test=40)
    with qtbot.waitSignal(window.evaluation_shown, timeout=30_000):
        window.open_data_folder(str(folder))
    assert window.data_folder == str(folder)
    window.show_view(window.mistakes_panel)
    assert len(window.mistakes_panel.evaluation.report.y_true) == 40
    window.show_view(window.map_panel)
    qtbot.waitUntil(lambda: len(window.map_panel.coordinates()) == 40, timeout=30_000)


def test_save_and_export_write_the_viewed_moment_and_its_settings(window, qtbot, tmp_path):
    train(window, qtbot, epochs=2, subset=1000, hidden=[16])
    run_id = window.live_run_id
    window.runs_panel.refresh()
    qtbot.waitUntil(lambda: any(r.id == run_id for r in window.runs_panel.runs()), timeout=10_000)
    window.show_view(window.runs_panel)
    window.runs_panel.select_run(run_id)
    with qtbot.waitSignal(window.moment_shown, timeout=20_000):
        window.runs_panel.timeline_slider.setValue(1)  # a snapshot early in epoch 1
    moment = window.state.shown_model
    assert moment is not window.state.model
    saved = window.save_model(str(tmp_path / "moment.npz"))
    model, meta = load_model(saved)
    np.testing.assert_array_equal(model.W[0], moment.W[0])
    assert not np.array_equal(model.W[0], window.state.model.W[0])
    assert meta["config"]["hidden"] == [16]
    with qtbot.waitSignal(window.onnx_exported, timeout=30_000) as exported:
        window.export_onnx(str(tmp_path / "moment.onnx"))
    assert exported.args[0].endswith("moment.onnx")
    # Curves shows that it is a moment: a line at its epoch
    window.show_view(window.curves_panel)
    epoch = window.curves_panel.moment_epoch()
    assert epoch is not None and epoch == pytest.approx(window.state.shown_epoch) and epoch < 1


def test_continuing_a_run_uses_its_own_settings_whatever_the_form_holds(window, qtbot):
    first = train(window, qtbot, epochs=1, subset=1000, hidden=[16])
    assert first.reason == "completed"
    run_id = window.live_run_id
    quick_settings(window, epochs=1, subset=2000, hidden=[32], batch_size=50)  # another form
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT) as finished:
        window.continue_run(run_id, -1, 1)
    assert finished.args[0].reason == "completed", finished.args[0].message
    assert window.state.model.layer_sizes == [784, 16, 10]
    assert window.state.config["hidden"] == [16]
    # the continued run counts from its parent's epoch, in the bar and the run list
    assert "2" in window.progress_bar.format()
    # and the views show the whole way from epoch 1: the epoch, curves, learning history
    assert window.state.shown_epoch == 2
    assert [row["epoch"] for row in window.curves_panel.history] == [1, 2]
    window.show_view(window.history_view)
    qtbot.waitUntil(lambda: window.history_view.history is not None)
    assert window.history_view.history.epochs.tolist() == [1, 2]


def test_a_moment_that_cannot_be_scored_says_why_instead_of_scoring_for_ever(window, qtbot,
                                                                             model_files):
    open_model(window, qtbot, model_files["ten"])
    state = window.state
    token = state.view_moment("epoch 1 of run x", state.model.clone())
    window.show_view(window.mistakes_panel)
    assert "Scoring" in window.mistakes_panel.summary.text()
    state.moment_failed(token, "the snapshot is damaged")
    assert "Cannot score" in window.mistakes_panel.summary.text()
    assert "damaged" in window.mistakes_panel.summary.text()


def test_a_run_stopped_in_its_first_epoch_is_scored_and_its_epoch_said_briefly(window, qtbot):
    quick_settings(window, epochs=1, subset=20_000, hidden=[64], batch_size=32)
    with qtbot.waitSignal(window.progress_shown, timeout=TRAIN_TIMEOUT):
        window.start_training()
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT) as finished:
        window.stop_training()
    assert finished.args[0].reason == "stopped"
    window.show_view(window.mistakes_panel)
    qtbot.waitUntil(lambda: window.mistakes_panel.evaluation is not None, timeout=30_000)
    assert "Train or load" not in window.mistakes_panel.summary.text()
    text = window.draw_panel.model_label.text()
    epoch = text.rsplit("epoch ", 1)[-1]
    assert len(epoch) <= 4, text  # "0.4", not "0.428571"


def test_inspect_forgets_the_old_digits_counterfactual_and_hover(window, qtbot, model_files):
    open_model(window, qtbot, model_files["ten"])
    window.show_view(window.draw_panel)
    draw_stroke(window.draw_canvas, line((0.5, 0.15), (0.5, 0.85)))
    window.show_view(window.inspect_panel)
    panel = window.inspect_panel
    qtbot.waitUntil(lambda: panel.probability_bars().sum() > 0.5, timeout=10_000)
    with qtbot.waitSignal(panel.counterfactual_computed, timeout=60_000):
        panel.counterfactual_button.click()
    assert panel.counterfactual_caption() != "what would make it a …"
    window.show_view(window.draw_panel)
    window.draw_canvas.clear()
    draw_stroke(window.draw_canvas, line((0.3, 0.3), (0.7, 0.7)))  # another digit
    window.show_view(window.inspect_panel)
    assert panel.counterfactual_caption() == "what would make it a …"
    assert panel.hover_text().startswith("Hover a unit")


def test_after_continuing_with_my_digits_curves_weights_and_mistakes_say_so(
        window, qtbot, model_files):
    open_model(window, qtbot, model_files["ten"])
    window.show_view(window.draw_panel)
    for x in (0.45, 0.5, 0.55):
        window.draw_canvas.clear()
        draw_stroke(window.draw_canvas, line((x, 0.15), (x, 0.85)))
        window.this_is_combo.setCurrentIndex(window.this_is_combo.findData(1))
        window.keep_digit_button.click()
    with qtbot.waitSignal(window.finetuned, timeout=TRAIN_TIMEOUT):
        window.finetune_on_personal_digits()
    window.show_view(window.curves_panel)
    assert len(window.curves_panel.history) == 1
    window.show_view(window.mistakes_panel)
    assert window.mistakes_panel.summary.text().startswith("Fine-tuned")
    window.show_view(window.weights_panel)
    assert all(len(layer) == 1 for layer in window.weights_panel.relative_changes())


def test_drawing_offers_only_the_classes_of_the_shown_model(window, qtbot, model_files):
    open_model(window, qtbot, model_files["binary"])
    combo = window.this_is_combo
    assert sorted(combo.itemText(i) for i in range(combo.count())) == ["7", "8"]
    open_model(window, qtbot, model_files["ten"])
    assert combo.count() == 10


def test_paused_says_paused_and_a_step_says_when_it_is_done(window, qtbot):
    quick_settings(window, epochs=1, subset=20_000, hidden=[64], batch_size=32)
    with qtbot.waitSignal(window.progress_shown, timeout=TRAIN_TIMEOUT):
        window.start_training()
    window.toggle_pause()
    qtbot.waitUntil(lambda: window.speed_label.text() == "paused", timeout=10_000)
    assert window.eta_label.text() == ""
    with qtbot.waitSignal(window.progress_shown, timeout=30_000):
        window.step(1)
    qtbot.waitUntil(lambda: not window.status_text().startswith("Stepping"), timeout=10_000)
    assert window.status_text().startswith("Paused")
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT):
        window.stop_training()


def test_the_time_left_counts_down_and_rises_only_for_a_real_slowdown():
    eta = EtaDisplay()
    assert eta.text(float("nan"), 0.0) == ""
    assert eta.text(100.0, 0.0) == "1m 40s left"
    # 10 s later a slightly higher estimate (an evaluation pause): it keeps counting down
    assert eta.text(95.0, 10.0) == "1m 30s left"
    # a real slowdown (far above what is shown) is shown
    assert eta.text(200.0, 20.0) == "3m 20s left"
    # a lower estimate is always taken
    assert eta.text(50.0, 21.0) == "50s left"


def test_the_rate_now_says_the_schedule_scaled_it(window):
    window.training_bar.show_rate(0.05, 0.1)
    assert "0.5 × 0.1" in window.lr_now_label.text()
    assert "schedule" in window.lr_now_label.toolTip()
    window.training_bar.show_rate(0.1, 0.1)
    assert window.lr_now_label.text() == "0.1"


@pytest.mark.parametrize("epochs", [[1, 2, 3], [4, 5, 6, 7]])
def test_the_history_axis_is_each_runs_own(qtbot, epochs):
    from mnist_gui.gui.panels.digit_history_view import DigitHistoryView

    view = DigitHistoryView()
    qtbot.addWidget(view)
    view.set_history(DigitHistory.from_epochs([1, 2], [np.full(3, 0.5)] * 2,
                                              [np.zeros(3, int)] * 2, np.zeros(3, int)), None)
    n = len(epochs)
    view.set_history(DigitHistory.from_epochs(epochs, [np.full(3, 0.5)] * n,
                                              [np.zeros(3, int)] * n, np.zeros(3, int)), None)
    low, high = view.plot.getViewBox().viewRange()[0]
    assert low == pytest.approx(epochs[0] - 0.2) and high == pytest.approx(epochs[-1] + 0.2)


def test_a_snapshot_inside_the_first_epoch_reads_as_such_and_offers_no_continue():
    from mnist_gui.gui.panels.runs_panel import epoch_text

    assert epoch_text(3.0) == "3"
    assert epoch_text(0.5) == "1 (50% through)"
