"""Small widgets shared by the panels.

Combo and spin boxes here ignore the mouse wheel unless they have keyboard focus, so that
scrolling a form over them scrolls the form instead of changing a setting (a wheel over an
unfocused "Training images" box once set it to 3 and silently disabled Train). They take
focus only by a click or Tab (``Qt.StrongFocus``), never by the wheel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QSpinBox


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

