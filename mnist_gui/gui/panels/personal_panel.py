"""Teach it your digits: browse, prune and export the personal set, and ask to fine-tune.

Public API: ``add_digit(image28, label)`` (the Draw panel's "this is a k"), ``remove(indices)``,
``export_to(folder)``, ``set_can_finetune(bool)``, ``show_accuracy(before, after)``;
``selected_indices()``. Signals: ``digits_changed(int)`` (how many digits there are now),
``finetune_requested()`` ("Continue with my digits"; the window fine-tunes and calls
``show_accuracy``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import MnistGuiError
from ...core.personal import PersonalDigits
from ..guard import guarded
from ..panel_parts import digit_grid, digit_icon, make_button
from ..text import plural
from ..training_bar import ElidedLabel

THUMB = 56
TITLE = "Your digits"
COUNT = "{digits} ({per_label})"
NO_DIGITS = "none yet: draw one above, choose what it is and press Keep it in my digits."
INTRO = ("Digits you drew and labelled above (\"This is a 4\"). Continue with my digits "
         "fine-tunes the current model on MNIST plus these digits, weighted so that a few "
         "dozen of them matter.")


class PersonalPanel(QWidget):
    """The personal digit set: a grid of the digits with their labels."""

    digits_changed = Signal(int)
    finetune_requested = Signal()

    def __init__(self, digits: PersonalDigits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.digits = digits
        self._can_finetune = True
        self.export_dialog: QFileDialog | None = None

        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet("color: #555555;")
        self.grid = digit_grid("personalDigitsView", THUMB, 18,
                               QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setToolTip("Your digits with their labels; select some to remove them")
        self.grid.itemSelectionChanged.connect(self._update_controls)
        self.count_label = ElidedLabel("")
        self.count_label.setObjectName("personalCount")
        self.remove_button = make_button("Remove selected", "Delete the selected digits from "
                                         "your set", self._on_remove_clicked,
                                         "removeDigitsButton")
        self.export_button = make_button("Export as IDX…", "Write your digits as MNIST-format "
                                         "IDX files (images and labels) into a folder",
                                         self._on_export_clicked, "exportDigitsButton")
        self.finetune_button = make_button(
            "Continue with my digits", "Fine-tune the current model on MNIST plus your digits "
            "and show their accuracy before and after", self._on_finetune_clicked,
            "finetuneButton")
        self.result_label = QLabel("")
        self.result_label.setObjectName("personalResult")
        self.result_label.setWordWrap(True)
        self.result_label.setToolTip("Accuracy of the model on your digits")

        buttons = QHBoxLayout()
        for button in (self.finetune_button, self.remove_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        # the title and buttons first: "Continue with my digits" stays in sight however
        # little height the grid gets
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        title = QLabel(TITLE)
        title.setStyleSheet("font-weight: bold;")
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addWidget(self.count_label, 1)
        layout.addLayout(title_row)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.intro)
        self.grid.setMinimumHeight(THUMB + 30)
        self._fill()

    # ------------------------------------------------------------------ public

    @guarded
    def add_digit(self, image28: np.ndarray, label: int) -> int | None:
        """Keep a 28x28 image in [0, 1] labelled ``label``; its index (None if refused)."""
        try:
            index = self.digits.add(image28, int(label))
        except (MnistGuiError, OSError, TypeError, ValueError) as exc:
            self.result_label.setText(f"Cannot keep that digit: {exc}")
            return None
        self._append_item(index)
        self.grid.scrollToBottom()
        self._changed()
        return index

    def remove(self, indices: list[int]) -> None:
        """Delete these digits (indices into the set)."""
        try:
            self.digits.remove(list(indices))
        except (MnistGuiError, OSError) as exc:
            self.result_label.setText(f"Cannot remove: {exc}")
            return
        self._fill()
        self._changed()

    def selected_indices(self) -> list[int]:
        return sorted(self.grid.row(item) for item in self.grid.selectedItems())

    def export_to(self, folder: str | Path) -> list[Path]:
        """Write the IDX files into ``folder``; the paths written ([] on failure, said)."""
        try:
            paths = self.digits.export_idx(folder)
        except (MnistGuiError, OSError) as exc:
            self.result_label.setText(f"Cannot export: {exc}")
            return []
        self.result_label.setText(f"Exported {plural(len(self.digits), 'digit')} to {folder}")
        return paths

    def set_can_finetune(self, enabled: bool) -> None:
        """Whether fine-tuning is possible now (a model exists and no run is training)."""
        self._can_finetune = bool(enabled)
        self._update_controls()

    def show_accuracy(self, before: float, after: float) -> None:
        """The fine-tuned model's accuracy on your digits (fractions in [0, 1])."""
        self.result_label.setText(
            f"On your digits: {100 * before:.1f}% before, {100 * after:.1f}% after "
            f"fine-tuning ({100 * (after - before):+.1f} points).")

    # ------------------------------------------------------------------ private

    def _append_item(self, index: int) -> None:
        item = QListWidgetItem(digit_icon(self.digits.images[index], THUMB),
                               str(int(self.digits.labels[index])))
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
        item.setToolTip(f"Digit {index + 1}, labelled {int(self.digits.labels[index])}")
        self.grid.addItem(item)

    def _fill(self) -> None:
        self.grid.clear()
        for index in range(len(self.digits)):
            self._append_item(index)
        self._update_controls()

    def _changed(self) -> None:
        self._update_controls()
        self.digits_changed.emit(len(self.digits))

    @guarded
    def _update_controls(self) -> None:
        n = len(self.digits)
        counts = np.bincount(self.digits.labels, minlength=10) if n else np.zeros(10, int)
        per_label = ", ".join(f"{k}: {c}" for k, c in enumerate(counts) if c)
        self.count_label.setText(COUNT.format(digits=plural(n, "digit"), per_label=per_label)
                                 if n else NO_DIGITS)
        self.count_label.setToolTip("How many of your digits there are, per label")
        self.remove_button.setEnabled(bool(self.grid.selectedItems()))
        self.export_button.setEnabled(n > 0)
        self.finetune_button.setEnabled(n > 0 and self._can_finetune)

    @guarded
    def _on_remove_clicked(self) -> None:
        indices = self.selected_indices()
        if indices:
            self.remove(indices)

    @guarded
    def _on_export_clicked(self) -> None:
        """A folder chooser that does not block (no nested event loop)."""
        dialog = QFileDialog(self, "Export your digits as IDX files")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._on_export_folder_chosen)
        dialog.destroyed.connect(self._on_export_dialog_closed)
        self.export_dialog = dialog
        dialog.open()

    @guarded
    def _on_export_folder_chosen(self, folder: str) -> None:
        if folder:
            self.export_to(folder)

    @guarded
    def _on_export_dialog_closed(self) -> None:
        self.export_dialog = None

    @guarded
    def _on_finetune_clicked(self) -> None:
        if len(self.digits) and self._can_finetune:
            self.result_label.setText("Fine-tuning on MNIST and your digits…")
            self.finetune_requested.emit()
