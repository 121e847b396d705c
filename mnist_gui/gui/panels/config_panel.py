"""Architecture & training settings: preset picker, layer editor, optimiser fields.

Every field is checked as it is edited; an invalid one is outlined in red with the reason
underneath, and ``config()`` raises ConfigError rather than clamping anything silently.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
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
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.augment import AUGMENT_SCHEDULES, AUGMENT_TITLES, AUGMENTATIONS
from ...core.errors import ConfigError
from ...core.layers import HIDDEN_ACTIVATIONS
from ...core.losses import LOSS_TITLES, LOSSES
from ...core.network import INITIALIZERS, parameter_count
from ...core.optim import MOMENTUM_FORMS, OPTIMIZERS, SCHEDULES
from ...core.presets import DEFAULT_PRESET, PRESETS
from ...core.training import TrainConfig

INVALID_STYLE = "border: 2px solid #d03030;"
MAX_LAYER_SIZE = 16384


class FloatField(QLineEdit):
    """A number field that knows its valid range and says why a value is refused."""

    def __init__(self, name: str, lo: float, hi: float, lo_open: bool = False) -> None:
        super().__init__()
        self.name, self.lo, self.hi, self.lo_open = name, lo, hi, lo_open
        self.setObjectName(f"{name}Edit")
        self.setMaximumWidth(110)

    def set_value(self, value: float) -> None:
        self.setText(f"{value:g}")

    def value(self) -> float:
        text = self.text().strip()
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(f"{self.name}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise ConfigError(f"{self.name}: must be a finite number")
        if value < self.lo or value > self.hi or (self.lo_open and value == self.lo):
            low = f"> {self.lo:g}" if self.lo_open else f">= {self.lo:g}"
            raise ConfigError(f"{self.name}: {value:g} is out of range ({low} and <= {self.hi:g})")
        return value


class ConfigPanel(QWidget):
    """Emits ``config_changed`` whenever a field changes (valid or not)."""

    config_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("presetCombo")
        for name, preset in PRESETS.items():
            self.preset_combo.addItem(name, name)
            self.preset_combo.setItemData(
                self.preset_combo.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole
            )
        self.preset_combo.addItem("custom", "custom")
        self.preset_description = QLabel()
        self.preset_description.setWordWrap(True)
        self.preset_description.setStyleSheet("color: #666;")
        top = QFormLayout()
        top.addRow("Preset", self.preset_combo)
        layout.addLayout(top)
        layout.addWidget(self.preset_description)

        # ---- architecture
        arch = QGroupBox("Architecture")
        arch_layout = QVBoxLayout(arch)
        self.layers_table = QTableWidget(0, 2)
        self.layers_table.setObjectName("layersTable")
        self.layers_table.setHorizontalHeaderLabels(["units", "activation"])
        self.layers_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.layers_table.verticalHeader().setDefaultSectionSize(26)
        self.layers_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.layers_table.setMinimumHeight(90)
        self.layers_table.setMaximumHeight(150)
        buttons = QHBoxLayout()
        self.add_layer_button = QPushButton("Add layer")
        self.add_layer_button.setObjectName("addLayerButton")
        self.remove_layer_button = QPushButton("Remove layer")
        self.remove_layer_button.setObjectName("removeLayerButton")
        buttons.addWidget(self.add_layer_button)
        buttons.addWidget(self.remove_layer_button)
        arch_layout.addWidget(QLabel("Hidden layers (input 784 → … → output)"))
        arch_layout.addWidget(self.layers_table)
        arch_layout.addLayout(buttons)
        form = QFormLayout()
        self.loss_combo = self._combo("lossCombo", LOSSES, LOSS_TITLES)
        self.init_combo = self._combo("initCombo", INITIALIZERS)
        self.init_std_edit = FloatField("init_std", 0, 100, lo_open=True)
        self.bias_combo = self._combo("biasInitCombo", ("zeros", "normal"))
        form.addRow("Output / loss", self.loss_combo)
        form.addRow("Initialiser", self.init_combo)
        form.addRow("Init std", self.init_std_edit)
        form.addRow("Biases", self.bias_combo)
        arch_layout.addLayout(form)
        layout.addWidget(arch)

        # ---- optimisation
        opt = QGroupBox("Training")
        opt_form = QFormLayout(opt)
        self.optimizer_combo = self._combo("optimizerCombo", OPTIMIZERS)
        self.lr_edit = FloatField("lr", 0, 1e4, lo_open=True)
        self.momentum_edit = FloatField("momentum", 0, 0.9999)
        self.momentum_form_combo = self._combo("momentumFormCombo", MOMENTUM_FORMS)
        self.schedule_combo = self._combo("scheduleCombo", SCHEDULES)
        self.batch_spin = self._spin("batchSpin", 0, 60_000, "full batch")
        self.epochs_spin = self._spin("epochsSpin", 1, 100_000)
        self.weight_decay_edit = FloatField("weight_decay", 0, 10)
        self.dropout_edit = FloatField("dropout", 0, 0.95)
        self.seed_spin = self._spin("seedSpin", 0, 2**31 - 1)
        self.augment_combo = self._combo("augmentCombo", AUGMENTATIONS, AUGMENT_TITLES)
        self.augment_schedule_combo = self._combo("augmentScheduleCombo", AUGMENT_SCHEDULES, {
            "constant": "the same distortions in every epoch",
            "linear": "distortions shrink to nothing by the last epoch",
        })
        opt_form.addRow("Optimiser", self.optimizer_combo)
        opt_form.addRow("Learning rate", self.lr_edit)
        opt_form.addRow("Momentum", self.momentum_edit)
        opt_form.addRow("Momentum form", self.momentum_form_combo)
        opt_form.addRow("Schedule", self.schedule_combo)
        opt_form.addRow("Batch size", self.batch_spin)
        opt_form.addRow("Epochs", self.epochs_spin)
        opt_form.addRow("Weight decay", self.weight_decay_edit)
        opt_form.addRow("Dropout", self.dropout_edit)
        opt_form.addRow("Augmentation", self.augment_combo)
        opt_form.addRow("Distortion schedule", self.augment_schedule_combo)
        opt_form.addRow("Seed", self.seed_spin)
        layout.addWidget(opt)

        # ---- data
        data = QGroupBox("Data")
        data_form = QFormLayout(data)
        self.subset_spin = self._spin("subsetSpin", 0, 60_000, "all")
        self.subset_mode_combo = self._combo("subsetModeCombo", ("first", "random"))
        self.validation_spin = self._spin("validationSpin", 0, 59_999)
        self.digits_edit = QLineEdit()
        self.digits_edit.setObjectName("digitsEdit")
        self.digits_edit.setPlaceholderText("all digits (or e.g. 8,7)")
        self.standardize_check = QCheckBox("standardise inputs")
        self.standardize_check.setObjectName("standardizeCheck")
        data_form.addRow("Training subset", self.subset_spin)
        data_form.addRow("Subset mode", self.subset_mode_combo)
        data_form.addRow("Validation (last N)", self.validation_spin)
        data_form.addRow("Digits", self.digits_edit)
        data_form.addRow("", self.standardize_check)
        layout.addWidget(data)

        self.summary_label = QLabel()
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("configErrorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c02020; font-weight: bold;")
        layout.addWidget(self.summary_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self._base = PRESETS[DEFAULT_PRESET].config
        self.preset_combo.currentIndexChanged.connect(self._on_preset_chosen)
        self.add_layer_button.clicked.connect(self._on_add_layer_clicked)
        self.remove_layer_button.clicked.connect(self._on_remove_layer_clicked)
        for widget in self._value_widgets():
            signal = (
                widget.currentIndexChanged if isinstance(widget, QComboBox)
                else widget.valueChanged if isinstance(widget, QSpinBox)
                else widget.toggled if isinstance(widget, QCheckBox)
                else widget.textChanged
            )
            signal.connect(self._on_field_edited)
        self.set_config(self._base, DEFAULT_PRESET)

    # ----------------------------------------------------------------------- helpers

    @staticmethod
    def _spin(name: str, lo: int, hi: int, special: str = "") -> QSpinBox:
        """A spin box whose range is exactly the valid range (so nothing is clamped)."""
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(lo, hi)
        if special:
            spin.setSpecialValueText(special)  # shown for the minimum value
        return spin

    @staticmethod
    def _combo(name: str, items, tips: dict | None = None) -> QComboBox:  # noqa: ANN001
        combo = QComboBox()
        combo.setObjectName(name)
        for item in items:
            combo.addItem(item, item)
            if tips and item in tips:
                combo.setItemData(combo.count() - 1, tips[item], Qt.ItemDataRole.ToolTipRole)
        return combo

    def _value_widgets(self) -> list[QWidget]:
        return [
            self.loss_combo, self.init_combo, self.init_std_edit, self.bias_combo,
            self.optimizer_combo, self.lr_edit, self.momentum_edit, self.momentum_form_combo,
            self.schedule_combo, self.batch_spin, self.epochs_spin, self.weight_decay_edit,
            self.dropout_edit, self.seed_spin, self.augment_combo, self.augment_schedule_combo,
            self.subset_spin,
            self.subset_mode_combo, self.validation_spin, self.digits_edit,
            self.standardize_check,
        ]

    def _add_layer_row(self, units: int, activation: str) -> None:
        row = self.layers_table.rowCount()
        self.layers_table.insertRow(row)
        spin = QSpinBox()
        spin.setRange(1, MAX_LAYER_SIZE)
        spin.setValue(units)
        spin.valueChanged.connect(self._on_field_edited)
        combo = self._combo(f"layerActivation{row}", HIDDEN_ACTIVATIONS)
        combo.setCurrentIndex(HIDDEN_ACTIVATIONS.index(activation))
        combo.currentIndexChanged.connect(self._on_field_edited)
        self.layers_table.setCellWidget(row, 0, spin)
        self.layers_table.setCellWidget(row, 1, combo)

    def hidden_layers(self) -> tuple[list[int], list[str]]:
        sizes, acts = [], []
        for row in range(self.layers_table.rowCount()):
            sizes.append(self.layers_table.cellWidget(row, 0).value())
            acts.append(self.layers_table.cellWidget(row, 1).currentData())
        return sizes, acts

    # ------------------------------------------------------------------- public API

    def set_config(self, config: TrainConfig, preset: str = "custom") -> None:
        """Fill every field from ``config``."""
        self._loading = True
        try:
            index = self.preset_combo.findData(preset)
            self.preset_combo.setCurrentIndex(index if index >= 0 else self.preset_combo.count() - 1)
            self._base = config
            self.layers_table.setRowCount(0)
            for size, act in zip(config.hidden, config.activations_per_layer()):
                self._add_layer_row(size, act)
            for combo, value in (
                (self.loss_combo, config.loss), (self.init_combo, config.init),
                (self.bias_combo, config.bias_init), (self.optimizer_combo, config.optimizer),
                (self.momentum_form_combo, config.momentum_form),
                (self.schedule_combo, config.schedule), (self.augment_combo, config.augment),
                (self.augment_schedule_combo, config.augment_schedule),
                (self.subset_mode_combo, config.subset_mode),
            ):
                combo.setCurrentIndex(max(combo.findData(value), 0))
            self.init_std_edit.set_value(config.init_std)
            self.lr_edit.set_value(config.lr)
            self.momentum_edit.set_value(config.momentum)
            self.weight_decay_edit.set_value(config.weight_decay)
            self.dropout_edit.set_value(config.dropout)
            self.batch_spin.setValue(config.batch_size)
            self.epochs_spin.setValue(config.epochs)
            self.seed_spin.setValue(min(config.seed, self.seed_spin.maximum()))
            self.subset_spin.setValue(config.train_subset)
            self.validation_spin.setValue(config.validation)
            self.digits_edit.setText(",".join(map(str, config.digits)) if config.digits else "")
            self.standardize_check.setChecked(config.standardize)
            description = PRESETS[preset].description if preset in PRESETS else ""
            self.preset_description.setText(description)
        finally:
            self._loading = False
        self._refresh()

    def preset_name(self) -> str:
        return self.preset_combo.currentData()

    def config(self) -> TrainConfig:
        """The settings as a checked TrainConfig; raises ConfigError naming the bad field."""
        sizes, acts = self.hidden_layers()
        digits_text = self.digits_edit.text().strip()
        digits = None
        if digits_text:
            try:
                digits = [int(d) for d in digits_text.replace(" ", "").split(",") if d]
            except ValueError:
                raise ConfigError(f"digits: {digits_text!r}: expected digits like 8,7") from None
        activation = acts[0] if acts and len(set(acts)) == 1 else self._base.activation
        config = self._base.updated(
            hidden=sizes,
            activation=activation,
            hidden_activations=acts if len(set(acts)) > 1 else None,
            loss=self.loss_combo.currentData(),
            init=self.init_combo.currentData(),
            init_std=self.init_std_edit.value(),
            bias_init=self.bias_combo.currentData(),
            optimizer=self.optimizer_combo.currentData(),
            lr=self.lr_edit.value(),
            momentum=self.momentum_edit.value(),
            momentum_form=self.momentum_form_combo.currentData(),
            schedule=self.schedule_combo.currentData(),
            batch_size=self.batch_spin.value(),
            epochs=self.epochs_spin.value(),
            weight_decay=self.weight_decay_edit.value(),
            dropout=self.dropout_edit.value(),
            seed=self.seed_spin.value(),
            augment=self.augment_combo.currentData(),
            augment_schedule=self.augment_schedule_combo.currentData(),
            train_subset=self.subset_spin.value(),
            subset_mode=self.subset_mode_combo.currentData(),
            validation=self.validation_spin.value(),
            digits=digits,
            standardize=self.standardize_check.isChecked(),
        )
        # the training set's size is known here when a subset is asked for
        return config.check(n_train=config.train_subset or None)

    def set_running(self, running: bool) -> None:
        """Lock the fields while a run uses them."""
        for widget in (self.preset_combo, self.layers_table, self.add_layer_button,
                       self.remove_layer_button, *self._value_widgets()):
            widget.setEnabled(not running)

    # ------------------------------------------------------------------------ slots

    def _on_preset_chosen(self) -> None:
        if self._loading:
            return
        name = self.preset_combo.currentData()
        if name in PRESETS:
            self.set_config(PRESETS[name].config, name)

    def _on_add_layer_clicked(self) -> None:
        sizes, acts = self.hidden_layers()
        self._add_layer_row(sizes[-1] if sizes else 128, acts[-1] if acts else "relu")
        self._on_field_edited()


    def _on_remove_layer_clicked(self) -> None:
        rows = self.layers_table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.layers_table.rowCount() - 1
        if row >= 0:
            self.layers_table.removeRow(row)
        self._on_field_edited()

    def _on_field_edited(self) -> None:
        if self._loading:
            return
        if self.preset_combo.currentData() != "custom":
            # editing a field turns the preset into a custom configuration
            self._loading = True
            self.preset_combo.setCurrentIndex(self.preset_combo.count() - 1)
            self.preset_description.setText("custom settings")
            self._loading = False
        self._refresh()

    def _refresh(self) -> None:
        """Re-check every field; show the reason of the first invalid one, or a summary."""
        for field in (self.init_std_edit, self.lr_edit, self.momentum_edit,
                      self.weight_decay_edit, self.dropout_edit):
            try:
                field.value()
                field.setStyleSheet("")
                field.setToolTip("")
            except ConfigError as exc:
                field.setStyleSheet(INVALID_STYLE)
                field.setToolTip(str(exc))
        try:
            config = self.config()
        except ConfigError as exc:
            self.error_label.setText(str(exc))
            self.summary_label.setText("")
        else:
            self.error_label.setText("")
            sizes = config.layer_sizes()
            n_params = parameter_count(sizes)
            memory = config.memory_estimate(60_000 - config.validation)
            self.summary_label.setText(
                f"{'-'.join(map(str, sizes))}: {n_params:,} parameters, "
                f"about {memory / 2**20:,.1f} MB for training plus ~230 MB of data"
            )
        self.config_changed.emit()

    def is_valid(self) -> bool:
        return not self.error_label.text()
