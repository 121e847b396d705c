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


def points(curve) -> int:
    x = curve.getData()[0]
    return 0 if x is None else len(x)


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


def test_the_accuracy_axis_moves_in_steps_and_always_holds_the_data(panel, qtbot):
    """An axis moved by every redraw repaints its ticks each time: the GUI thread's main
    cost while a small network trains."""
    panel.start(3)
    moves = []
    panel.accuracy_plot.getViewBox().sigYRangeChanged.connect(lambda *_: moves.append(1))
    rng = np.random.default_rng(0)
    for first in range(0, 400, 16):  # accuracy creeping up from 90% with batch noise
        steps = (first + np.arange(1, 17)) / 400
        accuracies = np.clip(0.9 + 0.05 * steps + rng.normal(0, 0.01, 16), 0, 1)
        before = points(panel.batch_accuracy_curve)
        panel.add_batch_losses(steps, np.full(16, 0.3), accuracies, 0.1)
        qtbot.waitUntil(lambda: points(panel.batch_accuracy_curve) > before)
        lo, hi = panel.accuracy_plot.getViewBox().viewRange()[1]
        shown = panel.batch_accuracy_curve.getData()[1]
        assert lo <= shown.min() and shown.max() <= hi
    assert points(panel.batch_accuracy_curve) == 400 and len(moves) <= 8  # of 25 redraws


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
    assert panel.marks("bad")
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
    assert not panel.cursors_shown()


def test_fits_beside_the_settings_in_a_1024_px_window(panel):
    assert panel.minimumSizeHint().width() <= 600
    assert panel.minimumSizeHint().height() <= 480


# ------------------------------------------------------------------ overlaid recorded runs


@pytest.fixture(scope="module")
def recorded(raw_mnist, tmp_path_factory):
    """Two real recorded runs that differ in their learning rate, and a branch of the first
    continued from its epoch 1 (with dropout)."""
    from mnist_gui.core.config import TrainConfig
    from mnist_gui.core.runs import RunStore
    from mnist_gui.core.session import TrainingSession

    store = RunStore(tmp_path_factory.mktemp("runs"))
    config = TrainConfig(hidden=[16], epochs=2, batch_size=100, train_subset=1000, lr=0.1)
    ids = []
    for name, lr in (("fast", 0.1), ("slow", 0.02)):
        session = TrainingSession(config.updated(lr=lr), raw_mnist, store=store, name=name)
        list(session.events())
        ids.append(session.run_id)
    branch = TrainingSession(config.updated(epochs=3, dropout=0.2), raw_mnist, store=store,
                             name="fast+", resume_from=(ids[0], 1))
    list(branch.events())
    return store.get(ids[0]), store.get(ids[1]), store.get(branch.run_id)


def hover_at(panel: CurvesPanel, x: float) -> None:
    vb = panel.accuracy_plot.plotItem.vb
    y = vb.viewRange()[1][0] + 0.5 * (vb.viewRange()[1][1] - vb.viewRange()[1][0])
    panel.accuracy_plot.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(x, y)))


def test_two_recorded_runs_overlay_in_their_own_colours_named_by_what_differs(panel, recorded):
    fast, slow, _ = recorded
    panel.set_overlays([fast, slow])
    assert panel.loss_plot.isVisible()  # shown without a live run
    items = [panel.overlay_items(run.id) for run in (fast, slow)]
    colors = {item.opts["pen"].color().name() for item in items[0].values()}
    other = {item.opts["pen"].color().name() for item in items[1].values()}
    assert len(colors) == 1 and len(other) == 1 and colors != other
    live_colors = {c.opts["pen"].color().name() for c in panel.accuracy_curves.values()}
    assert not (colors | other) & live_colors  # the live run keeps its own colours
    x, accuracy = items[0]["test accuracy"].getData()
    assert list(x) == [1.0, 2.0]
    assert accuracy[-1] == pytest.approx(100 * fast.epochs[-1]["test_accuracy"])
    assert len(items[0]["batch loss"].getData()[0]) == len(fast.batch_curve()["steps"])
    assert "validation accuracy" not in items[0]  # no validation set, no validation curve
    names = panel.overlay_legend()
    assert names == ["fast (lr=0.1)", "slow (lr=0.02)"] and panel.runs_legend.isVisible()
    assert "fast (lr=0.1)" in panel.runs_legend.text() and colors.pop() in panel.runs_legend.text().lower()
    assert legend_names(panel.loss_legend) == []  # the live legends stay the live run's


def test_a_branch_is_drawn_as_the_continuation_of_its_parent(panel, recorded):
    fast, _, branch = recorded
    panel.set_overlays([fast, branch])
    names = panel.overlay_legend()
    assert any(n.startswith("fast+ (") and "dropout=0.2" in n for n in names)
    assert "continues fast" in panel.runs_legend.text()
    x, accuracy = panel.overlay_items(branch.id)["test accuracy"].getData()
    assert list(x) == [1.0, 2.0, 3.0]  # starts at the parent's epoch 1
    assert accuracy[0] == pytest.approx(100 * fast.epochs[0]["test_accuracy"])
    steps, _ = panel.overlay_items(branch.id)["batch loss"].getData()
    assert steps[0] <= 1.0 < steps[1]  # the batch loss joins the parent's too
    # drawn alone, the branch still starts from its parent's point (read from the store)
    panel.set_overlays([branch])
    x, accuracy = panel.overlay_items(branch.id)["test accuracy"].getData()
    assert x[0] == 1.0 and accuracy[0] == pytest.approx(100 * fast.epochs[0]["test_accuracy"])


def test_smoothing_changes_the_batch_curves_and_zero_shows_the_raw_losses(panel, qtbot, recorded):
    fast, slow, _ = recorded
    panel.start(3)
    feed_epoch(panel, 1)
    panel.set_overlays([fast, slow])
    qtbot.waitUntil(lambda: has_data(panel.batch_curve))
    raw = fast.batch_curve()["losses"]
    curve = panel.overlay_items(fast.id)["batch loss"]
    assert not np.allclose(curve.getData()[1], raw)  # smoothed by default
    live_smoothed = panel.batch_curve.getData()[1].copy()
    slider = panel.findChild(type(panel.smoothing_slider), "smoothingSlider")
    slider.setValue(0)
    np.testing.assert_allclose(curve.getData()[1], raw)
    np.testing.assert_allclose(panel.batch_curve.getData()[1], panel.raw_batch_losses())
    assert not np.allclose(panel.batch_curve.getData()[1], live_smoothed)
    assert "batch" in legend_names(panel.loss_legend)  # no longer "(smoothed)"
    slider.setValue(90)
    smoothed = curve.getData()[1]
    assert np.std(np.diff(smoothed)) < np.std(np.diff(raw))


def test_an_x_axis_in_samples_scales_every_curve_by_samples_per_epoch(panel, qtbot, recorded):
    fast, _, branch = recorded
    panel.start(3, samples_per_epoch=2000)
    feed_epoch(panel, 1)
    panel.set_overlays([fast, branch])
    qtbot.waitUntil(lambda: has_data(panel.batch_curve))
    live_x = panel.batch_curve.getData()[0].copy()
    combo = panel.findChild(type(panel.x_axis_combo), "xAxisCombo")
    combo.setCurrentIndex(combo.findData("samples"))
    assert panel.accuracy_plot.getAxis("bottom").labelText == "samples seen"
    np.testing.assert_allclose(panel.batch_curve.getData()[0], 2000 * live_x)
    assert list(panel.loss_curves["test"].getData()[0]) == [2000.0]
    assert list(panel.overlay_items(fast.id)["test accuracy"].getData()[0]) == [1000.0, 2000.0]
    # the branch continues from the samples its parent had seen at epoch 1
    assert list(panel.overlay_items(branch.id)["test accuracy"].getData()[0]) == [
        1000.0, 2000.0, 3000.0]
    assert panel.loss_plot.viewRange()[0][1] >= 3000  # the range follows the axis
    panel.set_x_axis("epochs")
    np.testing.assert_allclose(panel.batch_curve.getData()[0], live_x)


def test_hover_reads_every_run_and_the_csv_holds_what_is_shown(panel, qtbot, recorded, tmp_path):
    import csv

    fast, slow, _ = recorded
    panel.start(3)
    feed_epoch(panel, 1)
    feed_epoch(panel, 2)
    panel.set_overlays([fast, slow])
    qtbot.waitUntil(lambda: has_data(panel.batch_curve))
    hover_at(panel, 2)
    qtbot.waitUntil(lambda: "slow (lr=0.02)" in panel.hover_text())
    text = panel.hover_text()
    assert text.startswith("live: epoch 2") and "fast (lr=0.1): epoch 2" in text
    assert f"test {100 * slow.epochs[1]['test_accuracy']:.2f}%" in text
    hover_at(panel, 1.5)  # between epochs: every run's batch loss there
    qtbot.waitUntil(lambda: panel.hover_text().count("batch loss") == 3)

    panel.export_csv(tmp_path / "shown.csv")
    with open(tmp_path / "shown.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert set(rows[0]) == {"run", "series", "x", "y", "x_unit"}
    runs = {row["run"] for row in rows}
    assert runs == {"live", "fast (lr=0.1)", "slow (lr=0.02)"}
    slow_test = [row for row in rows if row["run"] == "slow (lr=0.02)"
                 and row["series"] == "test accuracy"]
    assert [float(r["x"]) for r in slow_test] == [1.0, 2.0]
    assert float(slow_test[1]["y"]) == pytest.approx(100 * slow.epochs[1]["test_accuracy"])
    assert any(row["run"] == "fast (lr=0.1)" and row["series"] == "batch loss" for row in rows)
    panel.export_epochs_csv(tmp_path / "epochs.csv")
    lines = (tmp_path / "epochs.csv").read_text().splitlines()
    assert lines[0].startswith("epoch,train_loss") and len(lines) == 3  # the live run's epochs
    assert panel.export_png(tmp_path / "shown.png") and (tmp_path / "shown.png").stat().st_size > 5000


def test_overlays_survive_a_new_live_run_until_removed(panel, qtbot, recorded):
    fast, slow, _ = recorded
    panel.set_overlays([fast, slow])
    before = {item.opts["pen"].color().name()
              for item in panel.overlay_items(slow.id).values()}
    panel.set_overlays([slow])  # unchecking one run does not repaint the other
    assert {i.opts["pen"].color().name() for i in panel.overlay_items(slow.id).values()} == before
    assert panel.overlay_legend() == ["slow"]  # nothing differs from itself
    panel.start(3)
    feed_epoch(panel, 1)
    panel.clear()  # clears the live run only
    assert panel.loss_plot.isVisible() and panel.overlay_items(slow.id)
    assert panel.history == [] and not has_data(panel.batch_curve)
    panel.set_overlays([])
    assert panel.overlay_runs() == [] and panel.overlay_items(slow.id) == {}
    items = panel.loss_plot.plotItem.items + panel.accuracy_plot.plotItem.items
    assert all(not isinstance(i, type(panel.batch_curve)) or i in panel.live_items()
               for i in items)
    assert panel.overlay_legend() == [] and not panel.runs_legend.isVisible()
    assert panel.intro_label.isVisible()
