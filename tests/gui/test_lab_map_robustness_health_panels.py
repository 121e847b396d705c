"""Issue 12 panels (lab, map, robustness, health) through their public APIs, fed a tiny model."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import data as mnist_data
from mnist_gui.core.config import TrainConfig
from mnist_gui.core.data import prepare
from mnist_gui.core.model_file import load_model
from mnist_gui.core.training import Trainer


@pytest.fixture(scope="module")
def tiny(raw_mnist):
    config = TrainConfig(hidden=[32], epochs=1, train_subset=2000)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    trainer.train()
    return trainer.model, config


def plain_accuracy(model, raw):
    X, y, _ = mnist_data.test_set_for(raw, model.classes, model.input_mean, model.input_std)
    return float(np.mean(model.predict_index(X) == y))


# ------------------------------------------------------------------------------ lab


@pytest.fixture
def lab(qtbot, tiny, raw_mnist):
    from mnist_gui.gui.panels.lab_panel import LabPanel

    panel = LabPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 550)
    with qtbot.waitSignal(panel.results_shown, timeout=20_000) as shown:
        panel.set_model(tiny[0], raw_mnist)
    yield panel, shown.args[0]
    assert panel.shutdown(5000)


def best_unit(model, raw):
    """The hidden unit whose switching off costs the most accuracy (so the change shows)."""
    X, y, _ = mnist_data.test_set_for(raw, model.classes, model.input_mean, model.input_std)
    base = np.mean(model.predict_index(X) == y)
    costs = []
    for unit in range(model.layer_sizes[1]):
        m = model.clone()
        m.set_unit_scale(0, unit, 0.0)
        costs.append(base - np.mean(m.predict_index(X) == y))
    return int(np.argmax(costs))


def test_lab_switching_a_unit_off_changes_accuracy_and_undo_restores_it(qtbot, lab, tiny, raw_mnist):
    panel, first = lab
    assert first.accuracy == pytest.approx(plain_accuracy(tiny[0], raw_mnist))
    assert f"{100 * first.accuracy:.2f}%" in panel.accuracy_label.text()
    unit = best_unit(tiny[0], raw_mnist)
    with qtbot.waitSignal(panel.results_shown, timeout=10_000):
        panel.select_unit(0, unit)
    with qtbot.waitSignal(panel.model_edited, timeout=10_000) as edited, \
            qtbot.waitSignal(panel.results_shown, timeout=10_000) as shown:
        panel.off_button.click()
    edited_result = shown.args[0]
    assert edited.args[0].hidden[0].unit_scale[unit] == 0
    assert edited_result.accuracy != first.accuracy
    assert edited_result.units_off == 1
    assert f"{100 * edited_result.accuracy:.2f}%" in panel.accuracy_label.text()
    assert panel.undo_button.isEnabled()
    with qtbot.waitSignal(panel.results_shown, timeout=10_000) as undone:
        panel.undo_button.click()
    assert undone.args[0].accuracy == first.accuracy
    assert np.array_equal(undone.args[0].confusion, first.confusion)
    assert panel.redo_button.isEnabled()


def test_lab_prune_then_save_records_the_edit(qtbot, lab, tmp_path):
    panel, _ = lab
    panel.prune_spin.setValue(30)
    with qtbot.waitSignal(panel.results_shown, timeout=10_000) as shown:
        panel.prune_button.click()
    assert shown.args[0].sparsity == pytest.approx(0.30, abs=1e-3)
    path = panel.save_to(tmp_path / "pruned.npz")
    model, meta = load_model(path)
    assert meta["edits"] == [{"kind": "prune", "fraction": 0.3, "per_layer": False}]
    assert np.mean(np.concatenate([W.ravel() for W in model.W]) == 0) == pytest.approx(0.3, abs=1e-3)
    panel.grab().save("/tmp/shots/lab.png")


# ------------------------------------------------------------------------------ map


@pytest.fixture
def map_panel(qtbot):
    from mnist_gui.gui.panels.map_panel import MapPanel

    panel = MapPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 550)
    panel.show()
    yield panel
    assert panel.shutdown(10_000)


def click_view_point(qtbot, panel, x, y):
    from PySide6.QtCore import QPointF, Qt

    vb = panel.plot.getViewBox()
    where = panel.plot_widget.mapFromScene(vb.mapViewToScene(QPointF(float(x), float(y))))
    qtbot.mouseClick(panel.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_map_is_reproducible_and_a_click_names_the_digit(qtbot, map_panel, tiny, raw_mnist):
    model = tiny[0]
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_model(model, raw_mnist.test_images, raw_mnist.test_labels)
    first = map_panel.coordinates()
    assert first.shape == (10_000, 2) and np.isfinite(first).all()
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_layer(0)  # the input: a different picture
    assert not np.allclose(map_panel.coordinates(), first)
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_layer(1)
    # the same map, to float32 rounding: multi-threaded OpenBLAS does not sum in a fixed order
    # when another thread uses BLAS at the same time (bit-equal with OPENBLAS_NUM_THREADS=1)
    scale = float(np.abs(first).max())
    assert np.allclose(map_panel.coordinates(), first, rtol=0, atol=1e-5 * scale)
    # the point farthest from the others is alone under the mouse
    coords = map_panel.coordinates()
    row = int(np.argmax(np.linalg.norm(coords - np.median(coords, axis=0), axis=1)))
    with qtbot.waitSignal(map_panel.digit_clicked, timeout=5000) as clicked:
        click_view_point(qtbot, map_panel, *coords[row])
    assert clicked.args == [int(map_panel.shown_indices()[row])]
    map_panel.grab().save("/tmp/shots/map.png")


def test_map_tsne_can_be_cancelled(qtbot, map_panel, tiny, raw_mnist):
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_model(tiny[0], raw_mnist.test_images[:2000], raw_mnist.test_labels[:2000])
    pca = map_panel.coordinates()
    map_panel.tsne_button.click()
    assert map_panel.cancel_button.isEnabled()
    with qtbot.waitSignal(map_panel.progress.valueChanged, timeout=20_000):
        pass
    map_panel.cancel_button.click()
    qtbot.waitUntil(lambda: not map_panel.cancel_button.isEnabled(), timeout=20_000)
    assert np.array_equal(map_panel.coordinates(), pca)
    assert "cancel" in map_panel.status_label.text().lower()



def test_map_buttons_stay_put_while_tsne_runs(qtbot, map_panel, tiny, raw_mnist):
    """The progress bar showing up must not move Cancel from under the mouse."""
    from mnist_gui.core.embedding import tsne_available

    if not tsne_available():
        pytest.skip("t-SNE needs openTSNE")
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_model(tiny[0], raw_mnist.test_images[:2000], raw_mnist.test_labels[:2000])
    buttons = (map_panel.tsne_button, map_panel.pca_button, map_panel.cancel_button,
               map_panel.layer_combo)
    before = [b.geometry() for b in buttons]
    map_panel.tsne_button.click()
    with qtbot.waitSignal(map_panel.progress.valueChanged, timeout=20_000):
        pass
    assert map_panel.progress.isVisible()
    assert [b.geometry() for b in buttons] == before
    map_panel.cancel_button.click()
    qtbot.waitUntil(lambda: not map_panel.is_busy(), timeout=20_000)
    assert not map_panel.progress.isVisible()
    assert [b.geometry() for b in buttons] == before


@pytest.fixture(scope="module")
def binary(raw_mnist):
    config = TrainConfig(hidden=[16], epochs=1, train_subset=1000, digits=[7, 8])
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    trainer.train()
    return trainer.model


def test_map_colour_key_lists_the_models_classes_outside_the_plot(qtbot, map_panel, tiny, binary,
                                                                  raw_mnist):
    assert sorted(int(c) for c in binary.classes) == [7, 8]
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_model(binary, raw_mnist.test_images, raw_mnist.test_labels)
    assert map_panel.legend_digits() == [int(c) for c in binary.classes]
    shown = raw_mnist.test_labels[map_panel.shown_indices()]
    assert set(np.unique(shown)) == {7, 8}
    # the key is not drawn over the points: no legend item in the plot, a label above it
    assert map_panel.plot.legend is None
    key = map_panel.legend_label
    assert key.isVisible()
    assert key.geometry().bottom() < map_panel.plot_widget.geometry().top()
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_model(tiny[0], raw_mnist.test_images, raw_mnist.test_labels)
    assert map_panel.legend_digits() == list(range(10))
    map_panel.clear()
    assert map_panel.legend_digits() == []


def test_map_caption_leads_the_status_and_the_counts_stay(qtbot, map_panel, tiny, raw_mnist):
    model = tiny[0]
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.set_model(model, raw_mnist.test_images[:2000], raw_mnist.test_labels[:2000],
                            caption="run 1, epoch 1 of 3")
    text = map_panel.status_label.text()
    assert text.startswith("run 1, epoch 1 of 3")
    assert "2,000 test digits" in text and "mistakes ringed" in text
    map_panel.set_caption("run 1, epoch 2 of 3")
    assert map_panel.caption() == "run 1, epoch 2 of 3"
    assert map_panel.status_label.text() == text.replace("epoch 1", "epoch 2")
    newer = model.clone()
    newer.W[0][:] *= 1.5
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.refresh_pca(newer, caption="run 1, epoch 3 of 3")
    text = map_panel.status_label.text()
    assert text.startswith("run 1, epoch 3 of 3") and "mistakes ringed" in text
    with qtbot.waitSignal(map_panel.map_shown, timeout=20_000):
        map_panel.refresh_pca(newer)  # no caption: the current one stays
    assert map_panel.status_label.text().startswith("run 1, epoch 3 of 3")
    map_panel.clear()
    assert map_panel.caption() == "" and map_panel.status_label.text().startswith("No model")


def intro_labels(panel, opening):
    """QLabels repeating the window's one-line description of the tab."""
    from PySide6.QtWidgets import QLabel

    return [label.text() for label in panel.findChildren(QLabel) if label.text().startswith(opening)]


def test_map_has_no_intro_of_its_own(map_panel):
    assert intro_labels(map_panel, "Map:") == []


# ------------------------------------------------------------------------------ robustness


def test_robustness_curves_start_at_plain_accuracy_and_overlay(qtbot, tiny, raw_mnist, raw_limit=2000):
    from mnist_gui.gui.panels.robustness_panel import CURRENT, RobustnessPanel

    panel = RobustnessPanel(limit=raw_limit)
    qtbot.addWidget(panel)
    panel.resize(900, 550)
    model = tiny[0]
    with qtbot.waitSignal(panel.curves_shown, timeout=30_000) as shown:
        panel.set_model(model, raw_mnist)
    assert shown.args == [CURRENT]
    X, y, _ = mnist_data.test_set_for(raw_mnist, model.classes, model.input_mean, model.input_std)
    plain = 100 * float(np.mean(model.predict_index(X[:raw_limit]) == y[:raw_limit]))
    for key in ("noise", "rotation", "shift", "occlusion", "thickness"):
        curve = panel.curve_plots[key].listDataItems()[0]
        start = curve.yData[list(curve.xData).index(0)]
        assert start == pytest.approx(plain, abs=1e-9), key
    assert f"{plain:.2f}%" in panel.status_label.text()
    with qtbot.waitSignal(panel.threshold_changed) as moved:
        panel.slider.setValue(80)
    assert moved.args == [0.8]
    assert panel.threshold_label.text().startswith("0.80: answers")
    other = model.clone()
    other.W[0][:] *= 0.5
    with qtbot.waitSignal(panel.curves_shown, timeout=30_000) as shown:
        panel.add_model("halved", other)
    assert len(panel.curve_plots["noise"].listDataItems()) == 2
    panel.grab().save("/tmp/shots/robustness.png")
    panel.remove("halved")
    assert len(panel.curve_plots["noise"].listDataItems()) == 1
    assert panel.shutdown(5000)



def test_robustness_axes_are_fixed_before_data_and_the_key_sits_outside_the_plots(qtbot, tiny,
                                                                                   raw_mnist):
    from mnist_gui.gui.panels.robustness_panel import CURRENT, RobustnessPanel

    panel = RobustnessPanel(limit=500)
    qtbot.addWidget(panel)
    panel.resize(680, 480)
    panel.show()
    qtbot.waitExposed(panel)
    assert intro_labels(panel, "Robustness:") == []
    (x0, x1), (y0, y1) = panel.curve_plots["coverage"].viewRange()
    assert -0.1 <= x0 <= 0 and 1 <= x1 <= 1.1  # not -400..400 (x0.001)
    assert -10 <= y0 <= 0 and 100 <= y1 <= 110
    for key in ("noise", "rotation", "shift", "occlusion", "thickness"):
        (_, _), (y0, y1) = panel.curve_plots[key].viewRange()
        assert -10 <= y0 <= 0 and 100 <= y1 <= 110, key
    assert panel.legend_names() == []
    with qtbot.waitSignal(panel.curves_shown, timeout=30_000):
        panel.set_model(tiny[0], raw_mnist)
    other = tiny[0].clone()
    other.W[0][:] *= 0.5
    with qtbot.waitSignal(panel.curves_shown, timeout=30_000):
        panel.add_model("run 2 with a long name", other)
    assert panel.legend_names() == [CURRENT, "run 2 with a long name"]
    assert all(plot.legend is None for plot in panel.curve_plots.values())  # nothing over the curves
    key = panel.legend_label
    assert key.isVisible() and key.geometry().bottom() < panel.plots.geometry().top()
    assert CURRENT in key.text() and "run 2 with a long name" in key.text()
    # the whole key fits (not clipped) at the size the panel gets in a 1024 x 640 window
    assert key.sizeHint().width() <= key.width() or key.heightForWidth(key.width()) <= key.height()
    assert panel.minimumSizeHint().width() <= 680
    (x0, x1), _ = panel.curve_plots["coverage"].viewRange()
    assert -0.1 <= x0 <= 0 and 1 <= x1 <= 1.1
    panel.remove("run 2 with a long name")
    assert panel.legend_names() == [CURRENT]
    assert "run 2" not in key.text()
    assert panel.shutdown(5000)


# ------------------------------------------------------------------------------ health


def test_health_shows_layers_and_findings_whose_apply_emits_the_fix(qtbot, tiny, raw_mnist):
    from mnist_gui.core import health as hl
    from mnist_gui.gui.panels.health_panel import HealthPanel

    model, config = tiny
    X, _, _ = mnist_data.test_set_for(raw_mnist, model.classes, model.input_mean, model.input_std)
    panel = HealthPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 550)
    layers = hl.layer_health(model, X[:256])
    rising = hl.check_loss_rising([1.0] * 25 + [2.0] * 25, config)
    overfit = hl.check_overfitting([1.0, 0.9, 0.8, 0.7], [0.5, 0.6, 0.7, 0.8], config)
    for batch in (100, 200, 300):
        panel.show_health(hl.HealthReport(batch, layers, [rising]))
    panel.show_findings([rising, overfit])
    # hidden (another tab), it only keeps the numbers: drawing would slow the training down
    assert panel.table.rowCount() == 0 and panel.apply_buttons == []
    panel.show()
    qtbot.waitUntil(lambda: len(panel.apply_buttons) == 2, timeout=2000)
    assert panel.table.rowCount() == 2
    assert panel.table.item(0, 0).text() == "1 (relu)"
    dead = layers[0].dead_fraction
    assert panel.table.item(0, 3).text() == f"{100 * dead:.0f}% dead"
    with qtbot.waitSignal(panel.fix_requested) as fixed:
        panel.apply_buttons[1].click()
    assert fixed.args == [{"dropout": 0.2}]
    with qtbot.waitSignal(panel.fix_requested) as fixed:
        panel.apply_buttons[0].click()
    assert fixed.args == [{"lr": config.lr / 2}]
    panel.grab().save("/tmp/shots/health.png")
    panel.clear()
    assert panel.apply_buttons == [] and panel.table.rowCount() == 0


def test_health_plots_keep_a_usable_height_and_clear_resets_their_ranges(qtbot, tiny, raw_mnist):
    import dataclasses

    from mnist_gui.core import health as hl
    from mnist_gui.gui.panels.health_panel import PLOT_MIN_HEIGHT, HealthPanel

    model, config = tiny
    X, _, _ = mnist_data.test_set_for(raw_mnist, model.classes, model.input_mean, model.input_std)
    layers = [dataclasses.replace(h, grad_norm=0.5 * (i + 1), update_ratio=1e-3 * (i + 1))
              for i, h in enumerate(hl.layer_health(model, X[:256]))]
    panel = HealthPanel()
    qtbot.addWidget(panel)
    assert intro_labels(panel, "Health:") == []
    rising = hl.check_loss_rising([1.0] * 25 + [2.0] * 25, config)
    overfit = hl.check_overfitting([1.0, 0.9, 0.8, 0.7], [0.5, 0.6, 0.7, 0.8], config)
    for batch in (1000, 2000, 3000):
        panel.show_health(hl.HealthReport(batch, layers, [rising, overfit]))
    panel.resize(680, 480)  # about what it gets in a 1024 x 640 window
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2 and len(panel.apply_buttons) == 2,
                    timeout=2000)
    assert PLOT_MIN_HEIGHT >= 140
    for plot in (panel.grad_plot, panel.ratio_plot):
        assert plot.geometry().height() >= PLOT_MIN_HEIGHT
    # the histograms' row too (the window scrolls the panel rather than squeeze them)
    assert panel.plots.height() >= 2 * PLOT_MIN_HEIGHT

    def x_range_covers(plot, low, high):
        (x0, x1), _ = plot.viewRange()
        return x0 <= low and high <= x1

    # (pyqtgraph fits a view lazily, when it paints)
    qtbot.waitUntil(lambda: x_range_covers(panel.grad_plot, 1000, 3000), timeout=2000)
    qtbot.waitUntil(lambda: x_range_covers(panel.ratio_plot, 1000, 3000), timeout=2000)
    panel.clear()
    for plot in (panel.grad_plot, panel.ratio_plot):
        (x0, x1), _ = plot.viewRange()
        assert x1 < 1000, "the last run's batch range stays with no data"
        assert all(plot.getViewBox().autoRangeEnabled())
    # the next run's numbers are fitted again
    panel.show_health(hl.HealthReport(10, [dataclasses.replace(layers[0], grad_norm=50.0)]))
    qtbot.waitUntil(lambda: x_range_covers(panel.grad_plot, 10, 10), timeout=2000)
    _, (y0, y1) = panel.grad_plot.viewRange()
    assert y0 <= np.log10(50.0) <= y1


@pytest.fixture(scope="module")
def batch_normed(raw_mnist):
    config = TrainConfig(hidden=[32, 16], activation="sigmoid", init="xavier",
                         normalization="batch", epochs=1, train_subset=2000)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    trainer.train()
    return trainer.model, config


def test_health_names_a_layers_normalisation(qtbot, batch_normed, raw_mnist):
    from mnist_gui.core import health as hl
    from mnist_gui.gui.panels.health_panel import HealthPanel

    model, _ = batch_normed
    X, _, _ = mnist_data.test_set_for(raw_mnist, model.classes, model.input_mean, model.input_std)
    panel = HealthPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_health(hl.HealthReport(100, hl.layer_health(model, X[:256]), []))
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3, timeout=2000)
    assert [panel.table.item(r, 0).text() for r in range(3)] == [
        "1 (batch norm, sigmoid)", "2 (batch norm, sigmoid)", "3 (softmax)"]


def test_lab_switches_a_unit_of_a_batch_normed_network_off(qtbot, batch_normed, raw_mnist):
    from mnist_gui.gui.panels.lab_panel import LabPanel

    model, _ = batch_normed
    panel = LabPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.results_shown, timeout=20_000) as shown:
        panel.set_model(model, raw_mnist)
    assert shown.args[0].accuracy == pytest.approx(plain_accuracy(model, raw_mnist))
    unit = best_unit(model, raw_mnist)
    with qtbot.waitSignal(panel.results_shown, timeout=20_000):
        panel.select_unit(0, unit)
    with qtbot.waitSignal(panel.results_shown, timeout=20_000) as shown:
        panel.off_button.click()
    assert shown.args[0].units_off == 1
    edited = model.clone()
    edited.set_unit_scale(0, unit, 0.0)
    assert shown.args[0].accuracy == pytest.approx(plain_accuracy(edited, raw_mnist))
