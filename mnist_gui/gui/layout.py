"""Layout pieces of the window: the grouped tabs and a view under its explanation."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QScrollArea, QStackedWidget, QTabWidget, QVBoxLayout, QWidget


class ViewTabs(QTabWidget):
    """The top-level tabs, each a group of views (some in sub-tabs). ``setCurrentWidget``
    takes any view, however deep: it selects every tab on the way to it."""

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt's name
        child, parent = widget, widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
                tabs = parent.parentWidget()
                QTabWidget.setCurrentWidget(tabs, child)
                if tabs is self:
                    return
            child, parent = parent, parent.parentWidget()


def explained(view: QWidget, text: str) -> QWidget:
    """``view`` under a one-line explanation of what it shows; a view wider or taller than a
    1024x640 window scrolls instead of widening the window."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(2, 4, 2, 2)
    layout.setSpacing(2)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555;")
    layout.addWidget(label)
    if view.minimumSizeHint().width() > 680 or view.minimumSizeHint().height() > 480:
        area = QScrollArea()
        area.setWidget(view)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        view = area
    layout.addWidget(view, 1)
    return page
