"""The settings form, built from the settings schema (``core/config.py``).

One control per ``Setting``, grouped by its group, labelled with its label, with its help
(and range) as the tooltip. A field that does nothing for the current choices is disabled
and its tooltip says which choice would make it matter. Values are checked only by the
schema (``Setting.check`` and ``TrainConfig.check``): an invalid field is outlined in red
with the reason as its tooltip, and ``config()`` raises ConfigError rather than clamping.

The hidden layers have an editor of their own (units and activation per layer), which maps
to the ``hidden``, ``activation`` and ``hidden_activations`` settings.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..guard import guarded
from ...core.config import GROUPS, SETTINGS, SETTINGS_BY_NAME, Setting, TrainConfig, default_of
from ...core.errors import ConfigError
from ...core.network import parameter_count
from ...core.presets import DEFAULT_PRESET, PRESETS
from ..text import core_text, count
from ..widgets import ComboBox, ElidedComboBox, SpinBox

INVALID_STYLE = "border: 2px solid #d03030;"
INT32_MAX = 2**31 - 1  # a QSpinBox holds no more
LAYER_SETTINGS = ("hidden", "activation", "hidden_activations")  # shown by the layer editor

#: objectNames (and attribute names) the window, scripts and tests already use; every
#: other generated control is called f"{name}Field"
OBJECT_NAMES = {
    "loss": "lossCombo", "init": "initCombo", "init_std": "init_stdEdit",
    "bias_init": "biasInitCombo", "optimizer": "optimizerCombo", "lr": "lrEdit",
    "momentum": "momentumEdit", "momentum_form": "momentumFormCombo",
    "schedule": "scheduleCombo", "batch_size": "batchSpin", "epochs": "epochsSpin",
    "weight_decay": "weight_decayEdit", "dropout": "dropoutEdit", "augment": "augmentCombo",
    "augment_schedule": "augmentScheduleCombo", "train_subset": "subsetSpin",
    "subset_mode": "subsetModeCombo", "validation": "validationSpin", "digits": "digitsEdit",
    "standardize": "standardizeCheck", "activation": "activationCombo",
}
ATTRIBUTES = {
    "loss": "loss_combo", "init": "init_combo", "init_std": "init_std_edit",
    "bias_init": "bias_combo", "optimizer": "optimizer_combo", "lr": "lr_edit",
    "momentum": "momentum_edit", "momentum_form": "momentum_form_combo",
    "schedule": "schedule_combo", "batch_size": "batch_spin", "epochs": "epochs_spin",
    "weight_decay": "weight_decay_edit", "dropout": "dropout_edit", "seed": "seed_edit",
    "augment": "augment_combo", "augment_schedule": "augment_schedule_combo",
    "train_subset": "subset_spin", "subset_mode": "subset_mode_combo",
    "validation": "validation_spin", "digits": "digits_edit",
    "standardize": "standardize_check", "activation": "activation_combo",
}


def worded(message: str) -> str:
    """A core error text in the words of the form: a leading setting name becomes its label."""
    head, sep, rest = message.partition(":")
    if sep and head in SETTINGS_BY_NAME:
        return f"{core_text(SETTINGS_BY_NAME[head].label)} ({head}):{rest}"
    if message.startswith("digit subset"):
        return f"{core_text(SETTINGS_BY_NAME['digits'].label)}: {message}"
    if message.startswith("the network would have"):
        return f"{core_text(SETTINGS_BY_NAME['hidden'].label)}: {message}"
    return message


def tooltip_of(setting: Setting) -> str:
    """The setting's help, its range and its special values, for a tooltip."""
    help_text = core_text(setting.help)
    lines = [help_text[:1].upper() + help_text[1:] + "."]
    span = setting.describe_range()
    if span and setting.kind in ("int", "float"):
        span = span.replace(" to ", QCoreApplication.translate("ConfigPanel", " to "))
        lines.append(QCoreApplication.translate("ConfigPanel", "Range: {span}.").format(span=span))
    for value, meaning in (setting.special or {}).items():
        lines.append(f"{value} = {core_text(meaning)}.")
    return "\n".join(lines)


def _parse_float(setting: Setting, text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ConfigError(
            QCoreApplication.translate(
                "ConfigPanel", "{label} ({name}): {text} is not a number"
            ).format(label=core_text(setting.label), name=setting.name, text=repr(text.strip()))
        ) from None


def _parse_int(setting: Setting, text: str) -> int:
    try:
        return int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise ConfigError(
            QCoreApplication.translate(
                "ConfigPanel", "{label} ({name}): {text} is not a whole number"
            ).format(label=core_text(setting.label), name=setting.name, text=repr(text.strip()))
        ) from None


def _parse_digits(setting: Setting, text: str) -> list[int] | None:
    text = text.strip()
    if not text:
        return None
    try:
        return [int(d) for d in text.replace(" ", ",").split(",") if d]
    except ValueError:
        raise ConfigError(
            QCoreApplication.translate(
                "ConfigPanel", "{label} ({name}): {text}: expected digits like 8,7"
            ).format(label=core_text(setting.label), name=setting.name, text=repr(text))
        ) from None


class ConfigPanel(QWidget):
    """The settings form. Emits ``config_changed`` whenever a field changes (valid or not).

    Public: ``config()``, ``set_config(config, preset)``, ``preset_name()``, ``is_valid()``,
    ``validation_message()``, ``parameter_count_text()``, ``set_running(running)``,
    ``hidden_layers()``, ``field(name)``.
    """

    config_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._running = False
        self._fields: dict[str, QWidget] = {}
        self._labels: dict[str, QWidget] = {}
        self._base = PRESETS[DEFAULT_PRESET].config
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        # narrow margins: the longest combo item ("Binary cross-entropy (one sigmoid unit)")
        # fits the 320 px column whole
        layout.setContentsMargins(2, 4, 2, 4)

        # ---- preset
        # the one box too wide for a 300 px column with its longest title: it shortens it
        self.preset_combo = ElidedComboBox()
        self.preset_combo.setObjectName("presetCombo")
        for name, preset in PRESETS.items():
            self.preset_combo.addItem(core_text(preset.title), name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1,
                                          f"{core_text(preset.description)} (id: {name})",
                                          Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.addItem(self.tr("Custom settings"), "custom")
        self.preset_combo.setItemData(self.preset_combo.count() - 1,
                                      self.tr("Your own settings: any field edited after a preset"),
                                      Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.setToolTip(self.tr(
            "A ready-made configuration: the articles this app grew out of, and ours.\n"
            "Editing any field below turns it into custom settings."))
        self.preset_description = QLabel()
        self.preset_description.setObjectName("presetDescription")
        self.preset_description.setWordWrap(True)
        self.preset_description.setStyleSheet("color: #555;")
        # room for the longest description: a shorter one ("Custom settings", when a field
        # changes) must not move every field up under the mouse
        self.preset_description.setMinimumHeight(3 * self.preset_description.fontMetrics().lineSpacing())
        top = QFormLayout()
        top.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        top.addRow(self.tr("Preset"), self.preset_combo)
        layout.addLayout(top)
        layout.addWidget(self.preset_description)

        # ---- one group box per group; the advanced settings in a section that folds
        self.advanced_button = QToolButton()
        self.advanced_button.setObjectName("advancedButton")
        self.advanced_button.setText(self.tr("Advanced settings"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setToolTip(self.tr("Settings that rarely need changing"))
        self.advanced_box = QWidget()
        self.advanced_box.setObjectName("advancedBox")
        advanced_form = self._form(self.advanced_box)
        for group in GROUPS:
            settings = [s for s in SETTINGS if s.group == group and s.name not in LAYER_SETTINGS]
            box = QGroupBox(core_text(group))
            box.setObjectName(f"{group.lower()}Group")
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(3, 6, 3, 6)
            if group == "Network":
                box_layout.addWidget(self._build_layer_editor())
            form = self._form()
            box_layout.addLayout(form)
            for setting in settings:
                self._add_row(advanced_form if setting.advanced else form, setting)
            layout.addWidget(box)
        layout.addWidget(self.advanced_button)
        layout.addWidget(self.advanced_box)
        self.advanced_box.setVisible(False)
        self.advanced_button.toggled.connect(self._on_advanced_toggled)

        self.summary_label = QLabel()
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.summary_label.setToolTip(self.tr("The layer sizes, the number of weights and biases, "
                                              "and the memory a run needs"))
        self.error_label = QLabel()
        self.error_label.setObjectName("configErrorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c02020; font-weight: bold;")
        self.error_label.setToolTip(self.tr("Why Train is disabled: fix this setting first"))
        layout.addWidget(self.summary_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        # every combo box as wide as its longest item ("Squared error (sigmoid outputs)",
        # not "Squared error (sigmoid out"): a row too narrow for it puts the box under
        # its label (WrapLongRows)
        for combo in self.findChildren(QComboBox):
            if combo is not self.preset_combo:
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
                combo.setMinimumWidth(combo.sizeHint().width())
        self.preset_combo.currentIndexChanged.connect(self._on_preset_chosen)
        self.set_config(self._base, DEFAULT_PRESET)

    # ------------------------------------------------------------------ construction

    @staticmethod
    def _form(parent: QWidget | None = None) -> QFormLayout:
        form = QFormLayout(parent) if parent is not None else QFormLayout()
        # a narrow column puts the field under its label instead of growing the window
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        if parent is not None:
            form.setContentsMargins(6, 0, 0, 0)
        return form

    def _add_row(self, form: QFormLayout, setting: Setting) -> None:
        widget = self._make_field(setting)
        tip = tooltip_of(setting)
        widget.setToolTip(tip)
        if setting.kind == "bool":
            label = QLabel("")
        else:
            label = QLabel(core_text(setting.label))
            label.setWordWrap(True)
            label.setBuddy(widget)
        label.setToolTip(tip)
        label.setObjectName(f"{setting.name}Label")
        self._labels[setting.name] = label
        form.addRow(label, widget)

    def _make_field(self, setting: Setting) -> QWidget:
        name = setting.name
        kind = setting.kind
        if kind == "choice":
            widget: QWidget = ComboBox()
            for value, text in setting.choice_labels().items():
                widget.addItem(core_text(text), value)
            widget.currentIndexChanged.connect(self._on_field_edited)
        elif kind == "bool":
            widget = QCheckBox(core_text(setting.label))
            widget.toggled.connect(self._on_field_edited)
        elif kind == "int" and (setting.high is None or setting.high > INT32_MAX):
            widget = QLineEdit()  # beyond what a spin box holds (the seed)
            widget.textChanged.connect(self._on_field_edited)
        elif kind == "int":
            widget = SpinBox()
            widget.setRange(int(setting.low or 0), int(setting.high))
            if setting.special and setting.low in setting.special:
                widget.setSpecialValueText(
                    core_text(setting.special[setting.low])
                )  # shown at the minimum
            widget.valueChanged.connect(self._on_field_edited)
        else:  # float, digits
            widget = QLineEdit()
            if kind == "digits":
                widget.setPlaceholderText(self.tr("all ten (or e.g. 8,7)"))
            widget.textChanged.connect(self._on_field_edited)
        widget.setObjectName(OBJECT_NAMES.get(name, f"{name}Field"))
        widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        widget.setMinimumWidth(60)
        self._fields[name] = widget
        if name in ATTRIBUTES:
            setattr(self, ATTRIBUTES[name], widget)
        return widget

    def _build_layer_editor(self) -> QWidget:
        editor = QWidget()
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(0, 0, 0, 0)
        hidden = SETTINGS_BY_NAME["hidden"]
        title = QLabel(self.tr("{label} (input 784 → … → output)").format(
            label=core_text(hidden.label)))
        title.setWordWrap(True)
        title.setToolTip(tooltip_of(hidden))
        self.layers_table = QTableWidget(0, 2)
        self.layers_table.setObjectName("layersTable")
        self.layers_table.setHorizontalHeaderLabels([self.tr("Units"), self.tr("Activation")])
        header = self.layers_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.layers_table.verticalHeader().setDefaultSectionSize(26)
        self.layers_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.layers_table.setMinimumWidth(120)
        self.layers_table.setToolTip(
            tooltip_of(hidden) + "\n" + self.tr("One row per hidden layer, from the input side; "
                                                 "select a row and press Remove layer to delete "
                                                 "it."))
        buttons = QHBoxLayout()
        self.add_layer_button = QPushButton(self.tr("Add layer"))
        self.add_layer_button.setObjectName("addLayerButton")
        self.add_layer_button.setToolTip(self.tr("Add a hidden layer after the last one (same "
                                                  "size)"))
        self.remove_layer_button = QPushButton(self.tr("Remove layer"))
        self.remove_layer_button.setObjectName("removeLayerButton")
        self.remove_layer_button.setToolTip(self.tr("Remove the selected hidden layer (or the "
                                                     "last one)"))
        buttons.addWidget(self.add_layer_button)
        buttons.addWidget(self.remove_layer_button)
        form = self._form()
        activation = SETTINGS_BY_NAME["activation"]
        self._add_row(form, activation)
        self._labels["activation"].setText(self.tr("{label} (all layers)").format(
            label=core_text(activation.label)))
        layout.addWidget(title)
        layout.addWidget(self.layers_table)
        layout.addLayout(buttons)
        layout.addLayout(form)
        self.add_layer_button.clicked.connect(self._on_add_layer_clicked)
        self.remove_layer_button.clicked.connect(self._on_remove_layer_clicked)
        return editor

    def _add_layer_row(self, units: int, activation: str) -> None:
        hidden = SETTINGS_BY_NAME["hidden"]
        per_layer = SETTINGS_BY_NAME["hidden_activations"]
        row = self.layers_table.rowCount()
        self.layers_table.insertRow(row)
        spin = SpinBox()
        spin.setRange(int(hidden.low), int(hidden.high))
        spin.setValue(units)
        spin.setToolTip(tooltip_of(hidden))
        spin.valueChanged.connect(self._on_field_edited)
        combo = ComboBox()
        for value, text in per_layer.choice_labels().items():
            combo.addItem(core_text(text), value)
        combo.setCurrentIndex(max(combo.findData(activation), 0))
        combo.setToolTip(self.tr("{label}: the function this layer's units apply.").format(
            label=core_text(per_layer.label)) + "\n" + tooltip_of(SETTINGS_BY_NAME["activation"]))
        combo.currentIndexChanged.connect(self._on_layer_activation_changed)
        self.layers_table.setCellWidget(row, 0, spin)
        self.layers_table.setCellWidget(row, 1, combo)
        self._name_layer_rows()

    def _name_layer_rows(self) -> None:
        """Name the rows' controls by position, and fit the table's height to its rows."""
        table = self.layers_table
        shown = min(max(table.rowCount(), 1), 5)  # more rows scroll inside the table
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + shown * 26 + 2 * table.frameWidth() + 2)
        for row in range(self.layers_table.rowCount()):
            self.layers_table.cellWidget(row, 0).setObjectName(f"layerUnits{row}")
            self.layers_table.cellWidget(row, 1).setObjectName(f"layerActivation{row}")

    def sizeHint(self) -> QSize:
        # wide enough for "Cross-entropy (softmax)" beside its label; the minimum stays
        # small, so a narrow window wraps the labels instead
        hint = super().sizeHint()
        return QSize(max(hint.width(), 340), hint.height())

    # ------------------------------------------------------------------- public API

    def field(self, name: str) -> QWidget:
        """The control of setting ``name`` (the layer table for "hidden")."""
        if name in ("hidden", "hidden_activations"):
            return self.layers_table
        return self._fields[name]

    def hidden_layers(self) -> tuple[list[int], list[str]]:
        """(units, activation) of every hidden layer, from the input side."""
        sizes, acts = [], []
        for row in range(self.layers_table.rowCount()):
            sizes.append(self.layers_table.cellWidget(row, 0).value())
            acts.append(self.layers_table.cellWidget(row, 1).currentData())
        return sizes, acts

    def set_config(self, config: TrainConfig, preset: str = "custom") -> None:
        """Fill every field from ``config``; ``preset`` is the id shown in the preset combo."""
        self._loading = True
        try:
            index = self.preset_combo.findData(preset)
            self.preset_combo.setCurrentIndex(index if index >= 0 else self.preset_combo.count() - 1)
            self._base = config
            self.layers_table.setRowCount(0)
            self._name_layer_rows()
            for size, act in zip(config.hidden, config.activations_per_layer()):
                self._add_layer_row(size, act)
            for name, widget in self._fields.items():
                self._show_value(SETTINGS_BY_NAME[name], widget, getattr(config, name))
            self.preset_description.setText(
                core_text(PRESETS[preset].description) if preset in PRESETS
                else self.tr("Custom settings"))
            # an advanced setting that is not at its default must not hide in a folded section
            if any(s.advanced and s.name not in LAYER_SETTINGS
                   and getattr(config, s.name) != default_of(s.name) for s in SETTINGS):
                self.advanced_button.setChecked(True)
        finally:
            self._loading = False
        self._refresh()

    def preset_name(self) -> str:
        """The chosen preset's id (e.g. "seed-004"), or "custom"."""
        return self.preset_combo.currentData()

    def config(self) -> TrainConfig:
        """The settings as a checked TrainConfig; raises ConfigError naming the bad field
        by the label the user sees."""
        try:
            config = self._base.updated(**self._read_values())
            # the training set's size is known here when a subset is asked for
            return config.check(n_train=config.train_subset or None)
        except ConfigError as exc:
            raise ConfigError(worded(str(exc))) from None

    def is_valid(self) -> bool:
        return not self.error_label.text()

    def validation_message(self) -> str:
        """Why Train is disabled ("" when the settings are valid)."""
        return self.error_label.text()

    def parameter_count_text(self) -> str:
        """E.g. "784-512-10: 407,050 parameters, about 12 MB for training" ("" if invalid)."""
        return self.summary_label.text()

    def set_running(self, running: bool) -> None:
        """Lock the fields while a run uses them."""
        self._running = running
        for widget in (self.preset_combo, self.layers_table, self.add_layer_button,
                       self.remove_layer_button):
            widget.setEnabled(not running)
        self._update_enabled(self._lenient_config())

    # ------------------------------------------------------------------------ slots

    @guarded
    def _on_preset_chosen(self) -> None:
        if self._loading:
            return
        name = self.preset_combo.currentData()
        if name in PRESETS:
            self.set_config(PRESETS[name].config, name)

    @guarded
    def _on_advanced_toggled(self, shown: bool) -> None:
        self.advanced_box.setVisible(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    @guarded
    def _on_add_layer_clicked(self) -> None:
        sizes, acts = self.hidden_layers()
        self._add_layer_row(sizes[-1] if sizes else 128,
                            acts[-1] if acts else self.activation_combo.currentData())
        self._on_field_edited()

    @guarded
    def _on_remove_layer_clicked(self) -> None:
        rows = self.layers_table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.layers_table.rowCount() - 1
        if row >= 0:
            self.layers_table.removeRow(row)
            self._name_layer_rows()
        self._on_field_edited()

    @guarded
    def _on_layer_activation_changed(self) -> None:
        # rows that all agree are "the" activation: keep the all-layers combo showing it
        _, acts = self.hidden_layers()
        if acts and len(set(acts)) == 1:
            self.activation_combo.blockSignals(True)
            self.activation_combo.setCurrentIndex(self.activation_combo.findData(acts[0]))
            self.activation_combo.blockSignals(False)
        self._on_field_edited()

    @guarded
    def _on_field_edited(self) -> None:
        if self._loading:
            return
        if self.sender() is self.activation_combo:
            # "all layers": every row takes it
            value = self.activation_combo.currentData()
            for row in range(self.layers_table.rowCount()):
                combo = self.layers_table.cellWidget(row, 1)
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(value))
                combo.blockSignals(False)
        if self.preset_combo.currentData() != "custom":
            # editing a field turns the preset into a custom configuration
            self._loading = True
            self.preset_combo.setCurrentIndex(self.preset_combo.count() - 1)
            self.preset_description.setText(self.tr("Custom settings"))
            self._loading = False
        self._refresh()

    # -------------------------------------------------------------------- internals

    @staticmethod
    def _show_value(setting: Setting, widget: QWidget, value: object) -> None:
        if isinstance(widget, ComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, SpinBox):
            widget.setValue(int(value))
        elif setting.kind == "digits":
            widget.setText(",".join(map(str, value)) if value else "")
        elif setting.kind == "float":
            widget.setText(repr(float(value)).removesuffix(".0"))  # exact round trip
        else:
            widget.setText(str(value))

    def _read(self, setting: Setting, widget: QWidget) -> object:
        """One field's value as its setting's type; ConfigError if it cannot be read."""
        if isinstance(widget, ComboBox):
            return widget.currentData()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, SpinBox):
            return widget.value()
        if setting.kind == "digits":
            return _parse_digits(setting, widget.text())
        if setting.kind == "int":
            return _parse_int(setting, widget.text())
        return _parse_float(setting, widget.text())

    def _read_values(self) -> dict[str, object]:
        sizes, acts = self.hidden_layers()
        values: dict[str, object] = {
            name: self._read(SETTINGS_BY_NAME[name], widget) for name, widget in self._fields.items()
        }
        values["hidden"] = sizes
        values["hidden_activations"] = acts if len(set(acts)) > 1 else None
        return values

    def _lenient_config(self) -> TrainConfig:
        """The form as a TrainConfig, unreadable fields left at their last loaded value
        (to decide which fields apply while another one is being typed)."""
        values = {}
        for name, widget in self._fields.items():
            try:
                values[name] = self._read(SETTINGS_BY_NAME[name], widget)
            except ConfigError:
                pass
        sizes, acts = self.hidden_layers()
        values["hidden"] = sizes
        values["hidden_activations"] = acts if len(set(acts)) > 1 else None
        return self._base.updated(**values)

    def _refresh(self) -> None:
        """Check every field by its setting; show the first error, or the network's size."""
        for name, widget in self._fields.items():
            setting = SETTINGS_BY_NAME[name]
            try:
                setting.check(self._read(setting, widget))
            except ConfigError as exc:
                widget.setStyleSheet(INVALID_STYLE)
                widget.setProperty("error", str(exc))
            else:
                widget.setStyleSheet("")
                widget.setProperty("error", "")
        self._update_enabled(self._lenient_config())
        try:
            config = self.config()
        except ConfigError as exc:
            self.error_label.setText(str(exc))
            self.summary_label.setText("")
        else:
            self.error_label.setText("")
            sizes = config.layer_sizes()
            memory = config.memory_estimate(max(60_000 - config.validation, 1))
            self.summary_label.setText(self.tr(
                "{sizes}: %Ln parameter(s), about {megabytes} MB for training", "",
                parameter_count(sizes)).format(sizes="-".join(map(str, sizes)),
                                               megabytes=count(round(memory / 2**20))))
        self.config_changed.emit()

    def _update_enabled(self, config: TrainConfig) -> None:
        """Grey out what does nothing for the current choices, and say why in the tooltip."""
        for name, widget in self._fields.items():
            setting = SETTINGS_BY_NAME[name]
            applies = setting.applies is None or setting.applies(config)
            widget.setEnabled(applies and not self._running)
            self._labels[name].setEnabled(applies)
            tip = tooltip_of(setting)
            error = widget.property("error")
            if error:
                tip = f"{error}\n\n{tip}"
            if not applies:
                tip = self.tr("Disabled: used only when {condition}.").format(
                    condition=_when_used(setting, config)) + f"\n\n{tip}"
            widget.setToolTip(tip)
            self._labels[name].setToolTip(tip)


def _when_used(setting: Setting, config: TrainConfig) -> str:
    """Which other choice would make ``setting`` matter, read off the schema: e.g.
    "Optimiser is Momentum or Nesterov momentum"."""
    for other in SETTINGS:
        if other is setting or other.kind not in ("choice", "bool"):
            continue
        values = other.choice_labels() if other.kind == "choice" else {True: "on"}
        enabling = [
            core_text(text) if text != "on" else QCoreApplication.translate("ConfigPanel", "on")
            for value, text in values.items()
            if setting.applies(config.updated(**{other.name: value}))
        ]
        if enabling:
            return QCoreApplication.translate("ConfigPanel", "{setting} is {values}").format(
                setting=core_text(other.label),
                values=QCoreApplication.translate("ConfigPanel", " or ").join(enabling))
    for other in SETTINGS:
        if (other.kind == "int" and other.special and other.low in other.special
                and setting.applies(config.updated(**{other.name: int(other.low) + 1}))):
            return QCoreApplication.translate("ConfigPanel", "{setting} is not {value}").format(
                setting=core_text(other.label), value=core_text(other.special[other.low]))
    return QCoreApplication.translate(
        "ConfigPanel", "other settings change (it does nothing with the current ones)"
    )
