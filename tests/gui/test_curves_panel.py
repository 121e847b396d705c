"""The curves panel on its own, fed with the core's Progress and EpochFinished events."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from mnist_gui.core.session import Progress
from mnist_gui.core.training import EpochFinished
from mnist_gui.gui.panels.curves_panel import CurvesPanel

N_BATCHES = 20


@pytest.fixture
def panel(qtbot):
    widget = CurvesPanel()
    qtbot.addWidget(widget)
    widget.resize(760, 520)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def progress(epoch: int, first: int, last: int, lr: float = 0.1, loss=None) -> Progress:
    """Batches ``first..last`` (1-based) of ``epoch``, a loss falling with the position."""
    batches = np.arange(first, last + 1)
    steps = epoch - 1 + batches / N_BATCHES
    losses = 2.3 * np.exp(-2 * steps) + 0.05 if loss is None else np.full(len(steps), loss)
    accuracies = np.clip(1 - losses / 2.5, 0, 1)
    return Progress(epoch, 3, last, N_BATCHES, steps, losses, accuracies, lr, 5000.0, 3.0)


def epoch_report(epoch: int, validation: bool, lr: float = 0.1, loss: float = 0.3) -> EpochFinished:
    return EpochFinished(
        epoch, 3, loss, 0.9, loss * 1.1 if validation else None, 0.89 if validation else None,
        loss * 1.05, 0.895, 1.0, 0.1, 5000.0, lr)


def feed_epoch(panel: CurvesPanel, epoch: int, validation: bool = False, lr=lambda b: 0.1):
    for first in range(1, N_BATCHES + 1, 5):
        panel.show_progress(progress(epoch, first, first + 4, lr(epoch - 1 + (first + 4) / N_BATCHES)))
    panel.show_epoch(epoch_report(epoch, validation, lr(epoch)))


def legend_names(legend) -> list[str]:
    return [label.text for _, label in legend.items]


def has_data(curve) -> bool:
    x = curve.getData()[0]
    return x is not None and len(x) > 0


def test_before_training_the_tab_explains_what_will_appear(panel):
    assert panel.stack.currentWidget().isAncestorOf(panel.intro_label)
    text = panel.intro_label.text()
    assert "Nothing trained yet" in text and "Train" in text and "validation" in text
    assert not panel.log_check.isVisible()  # no empty axes, no legends, nothing to scale
    panel.start(3)
    assert panel.loss_plot.isVisible() and panel.accuracy_plot.isVisible()
    assert legend_names(panel.loss_legend) == []  # legends list only curves with data
    panel.clear()
    assert panel.intro_label.isVisible() and not panel.loss_plot.isVisible()


def test_every_plot_says_what_it_shows(panel):
    panel.start(3)
    for widget in (panel.loss_plot, panel.accuracy_plot, panel.log_check, panel.hover_label):
        assert len(widget.toolTip()) > 20, widget.objectName()
    assert panel.loss_plot.getAxis("left").labelText == "loss"
    assert panel.loss_plot.getAxis("right").labelText == "learning rate"
    assert panel.accuracy_plot.getAxis("bottom").labelText == "epoch"
    # the upper plot's x axis has no label of its own to collide with the lower plot's
    assert panel.loss_plot.getAxis("bottom").labelText == ""


@pytest.mark.parametrize("validation", [False, True])
def test_validation_curves_only_with_a_validation_set(panel, qtbot, validation):
    panel.start(3, validation=validation)
    feed_epoch(panel, 1, validation)
    feed_epoch(panel, 2, validation)
    qtbot.waitUntil(lambda: has_data(panel.batch_curve))
    names = legend_names(panel.loss_legend)
    assert ("validation" in names) == validation
    assert ("validation" in legend_names(panel.accuracy_legend)) == validation
    assert panel.loss_curves["val"].isVisible() == validation
    assert list(panel.loss_curves["test"].getData()[0]) == [1.0, 2.0]
    assert "training" in names and "test" in names


def test_an_epoch_with_validation_shows_it_even_if_not_announced(panel):
    panel.start(3)  # the window did not say; the first report does
    panel.show_epoch(epoch_report(1, validation=True))
    assert panel.loss_curves["val"].isVisible()
    assert "validation" in legend_names(panel.loss_legend)


def test_a_run_shorter_than_an_epoch_still_shows_accuracy(panel, qtbot):
    panel.start(3)
    panel.show_progress(progress(1, 1, 5))
    panel.show_progress(progress(1, 6, 10))
    qtbot.waitUntil(lambda: has_data(panel.batch_accuracy_curve))
    x, accuracy = panel.batch_accuracy_curve.getData()
    assert len(x) == 10 and x[0] == pytest.approx(1 / N_BATCHES)
    assert np.all((accuracy >= 0) & (accuracy <= 100))
    assert "batch (smoothed)" in legend_names(panel.accuracy_legend)
    assert panel.history == []  # no epoch has finished


def test_learning_rate_steps_are_marked_and_smooth_schedules_are_drawn(panel, qtbot):
    panel.start(3)
    step = lambda x: 0.1 if x <= 1 else (0.01 if x <= 2 else 0.001)
    for epoch in (1, 2, 3):
        feed_epoch(panel, epoch, lr=step)
    qtbot.waitUntil(lambda: has_data(panel.lr_curve))
    marks = panel.lr_marks()
    assert len(marks) == 2 and 1 < marks[0] <= 1.25 and 2 < marks[1] <= 2.25
    _, rates = panel.lr_curve.getData()
    assert rates.max() == pytest.approx(0.1) and rates.min() == pytest.approx(0.001)

    panel.start(3)
    assert panel.lr_marks() == []
    cosine = lambda x: 0.05 * (1 + math.cos(math.pi * x / 3))
    for epoch in (1, 2, 3):
        feed_epoch(panel, epoch, lr=cosine)
    assert panel.lr_marks() == []  # a smooth schedule is a curve, not a forest of marks
    qtbot.waitUntil(lambda: has_data(panel.lr_curve))
    assert "learning rate (right)" in legend_names(panel.loss_legend)


def test_an_exploding_loss_switches_to_a_log_axis_and_marks_where_it_broke(panel, qtbot):
    panel.start(3)
    feed_epoch(panel, 1)
    panel.show_progress(progress(2, 1, 5, loss=1e4))
    panel.show_progress(progress(2, 6, 6, loss=float("inf")))
    qtbot.waitUntil(panel.log_check.isChecked)
    assert panel.loss_plot.plotItem.ctrl.logYCheck.isChecked()
    assert any(kind == "bad" for _, _, kind in panel._marks)
    _, losses = panel.batch_curve.getData()
    assert np.isfinite(losses).all()  # the smoothed curve skips the non-finite loss
    panel.clear()  # the next run starts on a linear axis again
    assert not panel.log_check.isChecked()


def test_hover_reads_values_and_clear_forgets_them(panel, qtbot):
    panel.start(3)
    feed_epoch(panel, 1)
    feed_epoch(panel, 2)
    qtbot.waitUntil(lambda: has_data(panel.batch_curve))

    def hover(x: float, y: float) -> None:
        scene_point = panel.loss_plot.plotItem.vb.mapViewToScene(QPointF(x, y))
        panel.loss_plot.scene().sigMouseMoved.emit(scene_point)

    hover(2, 0.3)
    qtbot.waitUntil(lambda: panel.hover_text().startswith("epoch 2"))
    assert "test 0.315 / 89.50%" in panel.hover_text() and "lr 0.1" in panel.hover_text()
    hover(1.5, 0.3)  # between epochs: the batch curves
    qtbot.waitUntil(lambda: "batch loss" in panel.hover_text())
    assert panel.hover_text().startswith("epoch 1.5")
    panel.clear()
    assert panel.hover_text() == "" and panel.history == []
    assert not any(line.isVisible() for line in panel._cursors)


def test_fits_beside_the_settings_in_a_1024_px_window(panel):
    assert panel.minimumSizeHint().width() <= 600
    assert panel.minimumSizeHint().height() <= 480
