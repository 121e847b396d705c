"""The settings form on its own: built from the schema, checked by it, wheel-safe, narrow."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
)

from mnist_gui.core.config import SETTINGS, SETTINGS_BY_NAME, TrainConfig
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.presets import PRESETS
from mnist_gui.gui.panels.config_panel import ConfigPanel

LAYER_SETTINGS = ("hidden", "hidden_activations")


@pytest.fixture
def panel(qtbot):
    widget = ConfigPanel()
    qtbot.addWidget(widget)
    return widget


def choose(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_one_control_per_setting_with_its_label_and_help(panel):
    names = set()
    for setting in SETTINGS:
        if setting.name in LAYER_SETTINGS:
            continue
        widget = panel.field(setting.name)
        assert setting.help[1:30] in widget.toolTip(), setting.name
        names.add(widget.objectName())
        label = panel.findChild(QLabel, f"{setting.name}Label")
        shown = widget.text() if isinstance(widget, QCheckBox) else label.text()
        assert setting.label in shown, setting.name
        if setting.kind == "choice":
            items = {widget.itemData(i): widget.itemText(i) for i in range(widget.count())}
            assert items == setting.choice_labels()
    assert len(names) == len(SETTINGS) - len(LAYER_SETTINGS)  # every objectName is distinct
    # the names the window, scripts and tests have always used
    for cls, name in ((QComboBox, "presetCombo"), (QComboBox, "lossCombo"),
                      (QLineEdit, "lrEdit"), (QSpinBox, "batchSpin"), (QSpinBox, "epochsSpin"),
                      (QSpinBox, "validationSpin"), (QLineEdit, "digitsEdit"),
                      (QComboBox, "optimizerCombo"), (QComboBox, "scheduleCombo")):
        assert panel.findChild(cls, name) is not None, name
    assert panel.findChild(QLineEdit, "gammaField") is panel.field("gamma")
    assert panel.layers_table.objectName() == "layersTable"
    assert panel.add_layer_button.objectName() == "addLayerButton"
    # the range is in the tooltip, and what a special value means
    assert "Range: >0 to 10000" in panel.lr_edit.toolTip()
    assert "0 = full batch" in panel.batch_spin.toolTip()


def test_presets_show_titles_keep_ids_and_fill_every_field(panel, qtbot):
    combo = panel.preset_combo
    for name, preset in PRESETS.items():
        index = combo.findData(name)
        assert combo.itemText(index) == preset.title
        combo.setCurrentIndex(index)
        assert panel.config() == preset.config, name
        assert panel.preset_name() == name
    choose(combo, "seed-004")
    with qtbot.waitSignal(panel.config_changed):
        panel.epochs_spin.setValue(3)
    assert panel.preset_name() == "custom"
    assert combo.currentText() == "Custom settings"


def test_every_setting_round_trips_through_the_form(panel):
    """A config far from the defaults comes back unchanged: each field is read and written."""
    config = TrainConfig(
        hidden=[300, 20], activation="leaky_relu", hidden_activations=["leaky_relu", "tanh"],
        loss="mse", init="normal", init_std=0.123456789, bias_init="normal",
        leaky_relu_slope=0.2, optimizer="nesterov", lr=0.0375, momentum=0.85,
        momentum_form="averaged", batch_size=200, epochs=7, shuffle=False, schedule="step",
        step_size=3, gamma=0.5, warmup_epochs=1.5, weight_decay=1e-4, dropout=0.25,
        normalization="layer", norm_weight_decay=True,
        validation=1000, train_subset=5000, subset_mode="random", digits=[3, 5, 8],
        standardize=True, augment="affine", augment_strength=0.5, augment_schedule="linear",
        seed=2**40 + 1, dtype="float64",
    )
    for name in TrainConfig.field_names():
        assert getattr(config, name) != getattr(TrainConfig(), name), name
    panel.set_config(config)
    assert panel.config() == config
    assert panel.advanced_box.isVisibleTo(panel)  # non-default advanced settings are unfolded


def test_settings_the_form_never_offered_are_editable(panel):
    panel.set_config(PRESETS["fast"].config)
    choose(panel.schedule_combo, "step")
    panel.field("step_size").setValue(4)
    panel.field("gamma").setText("0.3")
    panel.field("warmup_epochs").setText("0.5")
    panel.layers_table.cellWidget(0, 1).setCurrentIndex(
        panel.layers_table.cellWidget(0, 1).findData("leaky_relu"))
    panel.field("leaky_relu_slope").setText("0.05")
    panel.field("seed").setText("12345678901")
    config = panel.config()
    assert (config.schedule, config.step_size, config.gamma, config.warmup_epochs) == (
        "step", 4, 0.3, 0.5)
    assert (config.activation, config.leaky_relu_slope, config.seed) == (
        "leaky_relu", 0.05, 12345678901)


def test_fields_that_do_nothing_are_disabled_and_say_why(panel):
    panel.set_config(PRESETS["fast"].config)  # Nesterov, He, no augmentation
    momentum = panel.momentum_edit
    assert momentum.isEnabled()
    choose(panel.optimizer_combo, "adam")
    assert not momentum.isEnabled()
    assert "Optimiser is Momentum or Nesterov momentum" in momentum.toolTip()
    assert not panel.momentum_form_combo.isEnabled()
    choose(panel.optimizer_combo, "momentum")
    assert momentum.isEnabled() and panel.momentum_form_combo.isEnabled()

    assert not panel.init_std_edit.isEnabled()
    assert "Normal, fixed std" in panel.init_std_edit.toolTip()
    choose(panel.init_combo, "normal")
    assert panel.init_std_edit.isEnabled()

    for name in ("augment_strength", "augment_schedule"):
        assert not panel.field(name).isEnabled()
    choose(panel.augment_combo, "elastic")
    assert all(panel.field(n).isEnabled() for n in ("augment_strength", "augment_schedule"))

    assert not panel.field("subset_mode").isEnabled()
    assert "Training images is not all" in panel.field("subset_mode").toolTip()
    panel.subset_spin.setValue(1000)
    assert panel.field("subset_mode").isEnabled()

    panel.set_running(True)
    assert not panel.lr_edit.isEnabled() and not panel.preset_combo.isEnabled()
    panel.set_running(False)
    assert panel.lr_edit.isEnabled() and not panel.field("gamma").isEnabled()


def test_invalid_values_are_named_by_their_label(panel, qtbot):
    assert panel.is_valid() and panel.validation_message() == ""
    assert "parameters" in panel.parameter_count_text()
    with qtbot.waitSignal(panel.config_changed):
        panel.lr_edit.setText("abc")
    assert not panel.is_valid()
    assert panel.validation_message() == "Learning rate (lr): 'abc' is not a number"
    assert "border" in panel.lr_edit.styleSheet()
    assert "'abc' is not a number" in panel.lr_edit.toolTip()
    assert panel.parameter_count_text() == ""
    with pytest.raises(ConfigError, match=r"Learning rate \(lr\): -1 is out of range"):
        panel.lr_edit.setText("-1")
        panel.config()
    panel.lr_edit.setText("0.05")
    assert panel.is_valid() and panel.lr_edit.styleSheet() == ""
    # the range comes from the schema: the dropout bound is the setting's, not the form's
    panel.dropout_edit.setText(str(SETTINGS_BY_NAME["dropout"].high + 0.01))
    assert panel.validation_message().startswith("Dropout (dropout):")
    panel.dropout_edit.setText("0")
    panel.digits_edit.setText("7")
    assert panel.validation_message().startswith("Digits: digit subset [7]")
    panel.digits_edit.setText("")
    panel.subset_spin.setValue(2000)
    panel.batch_spin.setValue(5000)
    assert "Batch size (batch_size): 5000 is larger than the 2,000" in panel.validation_message()


def test_layer_editor_maps_to_hidden_and_activations(panel):
    panel.set_config(PRESETS["fast"].config.updated(hidden=[64], activation="relu"))
    panel.add_layer_button.click()
    assert panel.hidden_layers() == ([64, 64], ["relu", "relu"])
    panel.layers_table.cellWidget(1, 0).setValue(32)
    second = panel.layers_table.cellWidget(1, 1)
    second.setCurrentIndex(second.findData("tanh"))
    config = panel.config()
    assert config.hidden == [64, 32] and config.hidden_activations == ["relu", "tanh"]
    choose(panel.activation_combo, "sigmoid")  # "all layers"
    config = panel.config()
    assert config.activation == "sigmoid" and config.hidden_activations is None
    assert panel.hidden_layers()[1] == ["sigmoid", "sigmoid"]
    panel.layers_table.selectRow(0)
    panel.remove_layer_button.click()
    assert panel.hidden_layers() == ([32], ["sigmoid"])
    panel.remove_layer_button.click()
    assert panel.config().hidden == []  # softmax regression is a valid network
    assert "784-10:" in panel.parameter_count_text()


def wheel(widget, dy: int = -120) -> bool:
    """Send a wheel event over the middle of ``widget``; True if the widget accepted it."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, dy), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_the_wheel_over_an_unfocused_field_leaves_it_alone(qtbot):
    """Issue 9, defect 5: a wheel over a combo or spin box changed the setting while the
    user scrolled the form. Now the field ignores it; Qt then hands a real (spontaneous)
    wheel event to the parent, the scroll area. (Qt does not propagate a synthetic one, so
    this test checks the field's part: unchanged, and the event left unaccepted.)"""
    panel = ConfigPanel()
    scroll = QScrollArea()
    qtbot.addWidget(scroll)
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.resize(340, 400)
    scroll.show()
    qtbot.waitExposed(scroll)
    choose(panel.preset_combo, "seed-002")  # momentum, averaged form: the fields are enabled
    assert panel.momentum_form_combo.isVisible() and panel.momentum_form_combo.isEnabled()
    for widget in (panel.momentum_form_combo, panel.field("schedule"), panel.loss_combo,
                   panel.subset_spin, panel.epochs_spin, panel.layers_table.cellWidget(0, 0),
                   panel.layers_table.cellWidget(0, 1)):
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel gives no focus
        assert not widget.hasFocus()
        before = widget.currentIndex() if isinstance(widget, QComboBox) else widget.value()
        for dy in (-120, 120, -120):
            assert not wheel(widget, dy), widget.objectName()
        after = widget.currentIndex() if isinstance(widget, QComboBox) else widget.value()
        assert after == before, widget.objectName()
    assert panel.preset_name() == "seed-002" and panel.is_valid()


def test_a_focused_spin_box_still_takes_the_wheel(qtbot):
    panel = ConfigPanel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.epochs_spin.setFocus()
    qtbot.waitUntil(panel.epochs_spin.hasFocus)
    before = panel.epochs_spin.value()
    wheel(panel.epochs_spin, +120)
    assert panel.epochs_spin.value() == before + 1


def test_the_form_fits_a_narrow_window(qtbot):
    """The window must work from 1024 px wide: the settings column may be ~300 px."""
    panel = ConfigPanel()
    panel.set_config(PRESETS["best-augmented"].config, "best-augmented")
    assert panel.minimumSizeHint().width() <= 300
    scroll = QScrollArea()
    qtbot.addWidget(scroll)
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.resize(300, 600)
    scroll.show()
    qtbot.waitExposed(scroll)
    assert not scroll.horizontalScrollBar().isVisible()
    assert panel.width() <= 300
