"""Draw: the canvas and the model's answer, "this is a k" under it, your digits below."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core.personal import PersonalDigits
from ...core.preprocess import mnist_preprocess
from ..guard import guarded
from ..state import Change, CurrentModel
from ..text import plural
from .draw_panel import DrawPanel
from .personal_panel import PersonalPanel


THIS_IS_A = "This is a"


class DrawPage(QWidget):
    """The Draw view: ``draw_panel`` (canvas, answer), the "This is a" row and
    ``personal_panel`` (your digits). Signal ``status(text)`` for the window's status line."""

    status = Signal(str)
    follows = frozenset({Change.RESET, Change.MODEL, Change.ENDED})
    # cheap while hidden: the draw panel keeps the model and predicts only when shown
    follows_hidden = follows

    def __init__(self, digits: PersonalDigits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawPage")
        self.draw_panel = DrawPanel()
        self.personal_panel = PersonalPanel(digits)
        self.this_is_combo = QComboBox()
        self.this_is_combo.setObjectName("thisIsCombo")
        self.this_is_combo.setToolTip("The digit you drew (the classes of the current model)")
        self.this_is_combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._set_classes(list(range(10)))
        self.keep_digit_button = QPushButton("Keep it in my digits")
        self.keep_digit_button.setObjectName("keepDigitButton")
        self.keep_digit_button.setToolTip(
            "Store the drawn digit (as the network sees it, 28x28) with this label in your "
            "personal set, to fine-tune a model on later")
        draw_box = QWidget()
        draw_layout = QVBoxLayout(draw_box)
        draw_layout.setContentsMargins(0, 0, 0, 0)
        draw_layout.addWidget(self.draw_panel, 1)
        label_row = QHBoxLayout()
        label_row.addWidget(QLabel(THIS_IS_A))
        label_row.addWidget(self.this_is_combo)
        label_row.addWidget(self.keep_digit_button)
        label_row.addStretch(1)
        draw_layout.addLayout(label_row)
        # your digits under the canvas: a strip of thumbnails needs width, not height; its
        # buttons ("Continue with my digits") come first, so a 1024x640 window shows them
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(draw_box)
        splitter.addWidget(self.personal_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([700, 180])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.keep_digit_button.clicked.connect(self.keep_drawn_digit)

    def render(self, state: CurrentModel) -> None:
        model = state.shown_model
        # the draw panel keeps its model and predicts only when shown
        self.draw_panel.set_model(model, state.source)
        if model is not None:
            self._set_classes(list(model.classes))
        self.personal_panel.set_can_finetune(model is not None and not state.running)

    def _set_classes(self, classes: list[int]) -> None:
        if [self.this_is_combo.itemData(i) for i in range(self.this_is_combo.count())] == classes:
            return
        current = self.this_is_combo.currentData()
        self.this_is_combo.clear()
        for k in classes:
            self.this_is_combo.addItem(str(k), int(k))
        index = self.this_is_combo.findData(current)
        self.this_is_combo.setCurrentIndex(max(index, 0))

    @guarded
    def keep_drawn_digit(self) -> None:
        """"This is a k": keep the drawn digit, as the network sees it, in your digits."""
        pixels = self.draw_panel.canvas.pixels()
        if not pixels.any():
            self.status.emit("Draw a digit first, then say which it is.")
            return
        image28 = mnist_preprocess(pixels / 255.0)
        label = int(self.this_is_combo.currentData())
        if self.personal_panel.add_digit(np.asarray(image28), label) is not None:
            self.status.emit(f"Kept your {label} "
                             f"({plural(len(self.personal_panel.digits), 'digit')} in your set)")
