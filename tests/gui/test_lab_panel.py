"""The lab panel's unit switch, its clearing for a new model, and the settings it saves."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import data as mnist_data
from mnist_gui.core.config import TrainConfig
from mnist_gui.core.data import prepare
from mnist_gui.core.model_file import load_model
from mnist_gui.core.training import Trainer

CONFIG = TrainConfig(hidden=[32], epochs=1, train_subset=2000)


@pytest.fixture(scope="module")
def model(raw_mnist):
    trainer = Trainer(CONFIG, prepare(raw_mnist, CONFIG.data_spec()))
    trainer.train()
    return trainer.model


@pytest.fixture
def lab(qtbot, model, raw_mnist):
    from mnist_gui.gui.panels.lab_panel import LabPanel

    panel = LabPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    with qtbot.waitSignal(panel.results_shown, timeout=20_000) as shown:
        panel.set_model(model, raw_mnist, CONFIG.to_dict())
    yield panel, shown.args[0]
    assert panel.shutdown(5000)


def test_switch_off_then_on_again_and_a_switched_off_unit_passes_nothing_on(qtbot, lab, model, raw_mnist):
    from mnist_gui.core.lab import ScaleUnit, apply_edits, unit_view

    panel, first = lab
    with qtbot.waitSignal(panel.results_shown, timeout=10_000):
        panel.select_unit(0, 5)
    assert panel.off_button.text() == "Switch off"
    with qtbot.waitSignal(panel.results_shown, timeout=10_000) as shown:
        panel.off_button.click()
    assert shown.args[0].units_off == 1 and panel.off_button.text() == "Switch on"
    # what the panel draws for the unit: nothing reaches the classes any more
    X, _, _ = mnist_data.test_set_for(raw_mnist, model.classes, model.input_mean, model.input_std)
    off = apply_edits(model, [ScaleUnit(0, 5, 0.0)])
    view = unit_view(off, 0, 5, model.layer_outputs(X)[0])
    assert view.scale == 0 and not view.per_class.any() and not view.outgoing.any()
    with qtbot.waitSignal(panel.results_shown, timeout=10_000) as shown:
        panel.off_button.click()
    assert shown.args[0].units_off == 0 and panel.off_button.text() == "Switch off"
    assert shown.args[0].accuracy == first.accuracy
    assert np.array_equal(shown.args[0].confusion, first.confusion)


def test_a_new_model_or_a_note_clears_the_old_results(qtbot, lab):
    panel, _ = lab
    assert panel.confusion_table.rowCount() == 10
    panel.show_note("A run is training")
    assert panel.confusion_table.rowCount() == 0 and panel.class_table.rowCount() == 0
    assert panel.accuracy_label.text() == "A run is training"
    assert not panel.has_model()


def test_the_edited_model_keeps_its_settings(qtbot, lab, tmp_path):
    panel, _ = lab
    panel.prune_spin.setValue(20)
    with qtbot.waitSignal(panel.results_shown, timeout=10_000):
        panel.prune_button.click()
    _, meta = load_model(panel.save_to(tmp_path / "edited.npz"))
    assert TrainConfig.from_dict(meta["config"]) == CONFIG
    assert meta["edits"] == [{"kind": "prune", "fraction": 0.2, "per_layer": False}]
