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
    assert np.array_equal(map_panel.coordinates(), first)
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
        curve = panel._plot[key].listDataItems()[0]
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
    assert len(panel._plot["noise"].listDataItems()) == 2
    panel.grab().save("/tmp/shots/robustness.png")
    panel.remove("halved")
    assert len(panel._plot["noise"].listDataItems()) == 1
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
