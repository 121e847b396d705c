"""Layout pieces of the window: the grouped tabs built from the view table, a group's header
(the summary strip above Train & watch) and a view under its explanation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QLabel, QScrollArea, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from .views import GROUPS, TAB_ORDER, ViewEntry, bind_view, group_headers

if TYPE_CHECKING:
    from .main_window import MainWindow


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


class _AtLeastItsMinimum(QWidget):
    """Holds ``view`` at the scroll area's size, and never below the view's minimum size.

    A scroll area asks a widget whose layout has a height-for-width (any wrapped label) for
    its *preferred* height at that width, and scrolled Mistakes by 300 px in a window with
    room for it: this holder has no layout, so the area asks for the minimum only."""

    def __init__(self, view: QWidget) -> None:
        super().__init__()
        self.view = view
        view.setParent(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.view.minimumSizeHint().expandedTo(self.view.minimumSize())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt's
        super().resizeEvent(event)
        self.view.setGeometry(self.rect())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the view's minimum changed: the area re-reads it
        return super().event(event)


def explained(view: QWidget, text: str) -> QWidget:
    """``view`` under a one-line explanation of what it shows. The view sits in a scroll area
    that scrolls only when the window is smaller than the view's minimum: a view (or a header
    above its group) never makes the window larger than 1024x640."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(2, 4, 2, 2)
    layout.setSpacing(2)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555;")
    layout.addWidget(label)
    area = QScrollArea()
    area.setWidget(_AtLeastItsMinimum(view))
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    layout.addWidget(area, 1)
    return page


def build_view_tabs(window: "MainWindow", entries: list[ViewEntry]) -> ViewTabs:
    """The window's tabs: one per group (``GROUPS``), its views in sub-tabs numbered on the
    suggested path ("3 Mistakes"), under the group's header if it has one. A header is kept
    as ``window.<name>``, follows the state like a view and, if it has
    ``show_batch_progress``, the live run's batches (``window.progress_shown``)."""
    by_name = {entry.name: entry for entry in entries}
    headers = group_headers()
    tabs = ViewTabs()
    tabs.setObjectName("tabs")
    for group, tip in GROUPS:
        members = [by_name[name] for name in TAB_ORDER if by_name[name].group == group]
        if len(members) == 1:
            page = explained(getattr(window, members[0].name), members[0].explanation)
        else:
            page = QTabWidget()
            page.setDocumentMode(True)
            for entry in members:
                page.addTab(explained(getattr(window, entry.name), entry.explanation),
                            entry.tab_text)
                page.setTabToolTip(page.count() - 1, entry.explanation)
        if group in headers:
            name, make = headers[group]
            header = make()
            setattr(window, name, header)
            framed = QWidget()
            column = QVBoxLayout(framed)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            column.addWidget(header)
            column.addWidget(page, 1)
            page = framed
            bind_view(header, window.state)  # the binding is the header's child: it lives as long
            if hasattr(header, "show_batch_progress"):
                window.progress_shown.connect(header.show_batch_progress)
        tabs.addTab(page, group)
        tabs.setTabToolTip(tabs.count() - 1, tip)
    return tabs
