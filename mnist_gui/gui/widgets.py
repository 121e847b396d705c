"""Small widgets shared by the panels.

Combo and spin boxes here ignore the mouse wheel unless they have keyboard focus, so that
scrolling a form over them scrolls the form instead of changing a setting (a wheel over an
unfocused "Training images" box once set it to 3 and silently disabled Train). They take
focus only by a click or Tab (``Qt.StrongFocus``), never by the wheel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QSpinBox, QStyle, QStyleOptionComboBox, QStylePainter


class _WheelOnlyWhenFocused:
    """Mixin: a wheel event reaches the widget only when it has focus; otherwise it is
    ignored and so goes on to the parent (the scroll area)."""

    def _guard_wheel(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # type: ignore[attr-defined]

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():  # type: ignore[attr-defined]
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()


class ComboBox(_WheelOnlyWhenFocused, QComboBox):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._guard_wheel()
        # a long item label must not make the whole settings column wide
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)


class SpinBox(_WheelOnlyWhenFocused, QSpinBox):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._guard_wheel()
        self.setGroupSeparatorShown(True)



class ElidedComboBox(ComboBox):
    """A combo box too narrow for its longest item (the settings column's presets): the
    shown item is shortened with "…" and then its tooltip starts with the whole text (the
    list that opens always shows every item whole)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._tip = ""

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        self._tip = tip
        self._update_tip()

    def _field_width(self) -> int:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width()

    def is_elided(self) -> bool:
        """Whether the shown item is shortened (its tooltip then holds all of it)."""
        return self.fontMetrics().horizontalAdvance(self.currentText()) > self._field_width()

    def _update_tip(self) -> None:
        text = self.currentText()
        tip = f"{text}\n\n{self._tip}" if self.is_elided() and self._tip else (
            text if self.is_elided() else self._tip)
        super().setToolTip(tip)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt's
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt's
        self._update_tip()
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, self._field_width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
