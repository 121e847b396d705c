"""Training from the window: curves, heatmaps and mistakes fill; pause/resume/stop; close."""

from __future__ import annotations


import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
)

from .helpers import quick_settings

TRAIN_TIMEOUT = 120_000  # ms; a short run takes a few seconds


def test_automation_contract_names(window):
    find = window.findChild
    assert "fast" in [find(QComboBox, "presetCombo").itemData(i)
                      for i in range(find(QComboBox, "presetCombo").count())]
    assert isinstance(find(QSpinBox, "epochsSpin"), QSpinBox)
    for name in ("trainButton", "pauseButton", "stopButton", "clearButton"):
        assert isinstance(find(QPushButton, name), QPushButton), name
    for name in ("lossPlot", "accuracyPlot"):
        assert isinstance(find(pg.PlotWidget, name), pg.PlotWidget), name
    assert find(pg.GraphicsLayoutWidget, "weightsView") is not None
    assert isinstance(find(QAbstractItemView, "errorsView"), QAbstractItemView)
    assert find(QLabel, "predictionLabel") is not None
    assert window.findChild(object, "drawCanvas") is not None
    assert not window.is_training


def test_short_run_fills_curves_heatmaps_and_mistakes(window, qtbot):
    quick_settings(window, epochs=2)
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT) as finished:
        qtbot.mouseClick(window.train_button, pg.QtCore.Qt.MouseButton.LeftButton)
    assert finished.args[0].reason == "completed"
    curves = window.curves_panel
    x, y = curves.loss_curves["test"].getData()
    assert list(x) == [1.0, 2.0] and np.all(y > 0)
    bx, _ = curves.batch_curve.getData()
    assert len(bx) > 40 and bx[0] < 0.1  # batch losses from early in epoch 1
    x, acc = curves.accuracy_curves["test"].getData()
    assert acc[-1] > 85
    # heatmaps are drawn when their tab is shown: one image per layer, the final weights
    window.tabs.setCurrentWidget(window.weights_panel)
    images = window.weights_panel.shown_layers()
    assert [im.shape for im in images] == [(512, 784), (10, 512)]
    np.testing.assert_array_equal(images[0], window.state.model.W[0].T)
    # mistakes: every misclassified test digit is a row
    evaluation = window.state.evaluation
    window.tabs.setCurrentWidget(window.mistakes_panel)
    n_wrong = len(evaluation.report.mistakes)
    assert 0 < n_wrong < 1500
    assert window.errors_view.model().rowCount() == n_wrong
    assert np.sum(evaluation.report.confusion) - np.trace(evaluation.report.confusion) == n_wrong
    assert window.train_button.isEnabled() and not window.stop_button.isEnabled()


def test_heatmaps_move_during_training_when_their_tab_is_shown(window, qtbot):
    quick_settings(window, epochs=3, subset=5000)
    window.tabs.setCurrentWidget(window.weights_panel)
    seen = []
    window.epoch_finished.connect(
        lambda report: seen.append(window.weights_panel.shown_layers()[0].copy())
    )
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()
    assert len(seen) == 3 and not np.array_equal(seen[0], seen[-1])
    panel = window.weights_panel
    assert panel.mosaic_image.image.shape == (290, 290)  # 10 x 10 tiles of 28 + 1 px
    epochs, changes = zip(*panel.relative_changes()[0])  # plotted on a log axis
    assert list(epochs) == [1, 2, 3] and min(changes) > 0
    assert len(panel.change_plot.listDataItems()[0].getData()[0]) == 3
    assert panel.current_curve.getData()[1].sum() > 0


def test_mistakes_filters_and_confusion_cells(window, qtbot):
    quick_settings(window, epochs=1)
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()
    panel = window.mistakes_panel
    window.tabs.setCurrentWidget(panel)
    mistakes = panel.evaluation.report.mistakes
    cm = panel.evaluation.report.confusion
    i, j = np.unravel_index(np.argmax(cm - np.diag(np.diag(cm))), cm.shape)
    panel.confusion_table.cellClicked.emit(int(i), int(j))
    assert panel.model.rowCount() == cm[i, j] > 0
    assert set(panel.model.true) == {i} and set(panel.model.predicted) == {j}
    panel.true_combo.setCurrentIndex(0)  # "all"
    panel.predicted_combo.setCurrentIndex(0)
    assert panel.model.rowCount() == len(mistakes)
    panel.sort_combo.setCurrentIndex(1)  # least confident first
    assert np.all(np.diff(panel.model.confidence) >= 0)
    panel.kind_combo.setCurrentIndex(1)  # most uncertain correct answers
    assert panel.model.rowCount() > 0 and np.all(panel.model.true == panel.model.predicted)
    assert "true" in panel.detail_label.text()  # first digit selected and shown large


def test_pause_resume_and_stop(window, qtbot):
    quick_settings(window, epochs=200, subset=2000)
    with qtbot.waitSignal(window.epoch_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()
    window.toggle_pause()
    assert window.pause_button.text() == "Resume"
    # a paused run may finish the batch in flight, but no further epoch
    with qtbot.assertNotEmitted(window.epoch_finished, wait=700):
        pass
    with qtbot.waitSignal(window.epoch_finished, timeout=TRAIN_TIMEOUT):
        window.toggle_pause()
    with qtbot.waitSignal(window.training_finished, timeout=10_000) as finished:
        window.stop_training()
    assert finished.args[0].reason == "stopped"
    assert not window.is_training and window.train_button.isEnabled()


def test_stop_while_paused_and_repeated_presses(window, qtbot):
    quick_settings(window, epochs=200, subset=2000)
    with qtbot.waitSignal(window.epoch_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()
    for _ in range(3):
        window.toggle_pause()
        window.toggle_pause()
    window.toggle_pause()
    with qtbot.waitSignal(window.training_finished, timeout=10_000) as finished:
        window.stop_training()
        window.stop_training()
        window.toggle_pause()
    assert finished.args[0].reason == "stopped"
    window.stop_training()  # nothing running: a no-op
    window.toggle_pause()


def test_closing_during_training_asks_then_stops_the_run(window, qtbot):
    """Closing during a run asks (Stop and quit / Cancel) instead of losing it; Stop and
    quit ends the run within its current batch (how long that takes is the bench's)."""
    quick_settings(window, epochs=200, subset=5000)
    with qtbot.waitSignal(window.epoch_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()
    window.close()
    question = window.close_question
    assert question is not None and window.isVisible() and window.is_training
    cancel = question.button(QMessageBox.StandardButton.Cancel)
    cancel.click()
    assert window.isVisible() and window.is_training and not window.is_paused
    window.close()
    stop_and_quit = next(b for b in window.close_question.buttons() if b.text() == "Stop and quit")
    stop_and_quit.click()
    assert not window.isVisible()
    with qtbot.waitSignal(window.training_finished, timeout=5000) as finished:
        pass  # the thread has ended; its last queued signals arrive
    assert finished.args[0].reason == "stopped" and not window.is_training


def test_invalid_fields_are_refused_with_a_reason(window):
    panel = window.config_panel
    panel.lr_edit.setText("-1")
    assert "Learning rate (lr): -1 is out of range" in panel.error_label.text()
    assert not window.train_button.isEnabled()
    assert "border" in panel.lr_edit.styleSheet()
    panel.lr_edit.setText("abc")
    assert "Learning rate (lr): 'abc' is not a number" in panel.error_label.text()
    window.start_training()  # refused, with a message, nothing started
    assert not window.is_training
    assert "lr" in window.last_message.text()
    panel.lr_edit.setText("0.05")
    assert panel.error_label.text() == "" and window.train_button.isEnabled()
    panel.digits_edit.setText("7")
    assert "digit subset" in panel.error_label.text()
    panel.digits_edit.setText("")
    panel.dropout_edit.setText("1.5")
    assert "dropout" in panel.error_label.text()
    panel.dropout_edit.setText("0")
    panel.remove_layer_button.click()
    assert panel.hidden_layers()[0] == []  # no hidden layer: softmax regression is valid
    assert panel.error_label.text() == ""
    panel.add_layer_button.click()
    panel.add_layer_button.click()
    assert len(panel.hidden_layers()[0]) == 2
    assert "parameters" in panel.summary_label.text()


def test_choosing_a_preset_fills_every_field(window):
    panel = window.config_panel
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("seed-003"))
    config = panel.config()
    from mnist_gui.core.presets import PRESETS

    assert config == PRESETS["seed-003"].config
    panel.epochs_spin.setValue(10)
    assert panel.preset_combo.currentData() == "custom"
