"""Readable at a newcomer's 1024x640 (and at the default 1440x900): with a model opened, every
view shows every label, button and combo box text whole (it fits, wraps, or is shortened with
"…" and the whole text in its tooltip), and the confusion matrix shows its ten rows without
scrolling."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)

from mnist_gui.gui.training_bar import ElidedLabel
from mnist_gui.gui.widgets import ElidedComboBox

from .helpers import open_model


def _shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0


def _in_window(widget: QWidget, rect: QRect, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, rect.topLeft()), rect.size())


def _cut_by_parents(widget: QWidget, rect: QRect, window: QWidget, scrolled_ok: bool) -> bool:
    """Whether an ancestor of ``widget`` cuts part of its ``rect`` off. With ``scrolled_ok``,
    content of a scroll area that scrolls does not count (it can be scrolled to)."""
    rect = _in_window(widget, rect, window)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget()
        if (scrolled_ok and isinstance(area, QAbstractScrollArea) and parent is area.viewport()
                and (area.verticalScrollBar().isVisible() or area.horizontalScrollBar().isVisible())):
            return False
        if not _in_window(parent, parent.rect(), window).contains(rect):
            return True
        parent = parent.parentWidget()
    return False


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text.strip() or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    if isinstance(label, ElidedLabel):
        if label.is_elided() and label.toolTip() != text:
            return "shortened without its whole text in the tooltip"
        return None
    if label.wordWrap():
        if label.minimumSizeHint().width() > label.width() + 1:
            return f"a word wider than the label ({label.minimumSizeHint().width()} > {label.width()} px)"
        needed = label.heightForWidth(label.width())
        if needed > label.height() + 1:
            return f"wrapped text taller than the label ({needed} > {label.height()} px)"
        return None
    if label.minimumSizeHint().width() > label.width() + 1:
        return f"text wider than the label ({label.minimumSizeHint().width()} > {label.width()} px)"
    if label.minimumSizeHint().height() > label.height() + 1:
        return f"text taller than the label ({label.minimumSizeHint().height()} > {label.height()} px)"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    if not button.text().strip():
        return None
    hint = button.sizeHint()
    if hint.width() > button.width() + 1:
        return f"text wider than the button ({hint.width()} > {button.width()} px)"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    """The longest item must fit the box's text field, or the box shortens the shown item
    with its whole text in the tooltip (``widgets.ElidedComboBox``)."""
    if isinstance(combo, ElidedComboBox):
        if combo.is_elided() and not combo.toolTip().startswith(combo.currentText()):
            return "shortened without its whole text in the tooltip"
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    metrics = combo.fontMetrics()
    icon = combo.iconSize().width() + 4 if any(not combo.itemIcon(i).isNull()
                                                for i in range(combo.count())) else 0
    for i in range(combo.count()):
        text = combo.itemText(i)
        if metrics.horizontalAdvance(text) + icon > field.width() + 1:
            return f"item {text!r} wider than the box ({metrics.horizontalAdvance(text)} > {field.width()} px)"
    return None


def _describe(widget: QWidget) -> str:
    names = []
    w = widget
    while w is not None and len(names) < 3:
        names.append(w.objectName() or type(w).__name__)
        w = w.parentWidget()
    text = getattr(widget, "text", None)
    text = text() if callable(text) else getattr(widget, "currentText", lambda: "")()
    return f"{'/'.join(names)} {text[:50]!r}"


def cut_texts(window: QWidget) -> list[str]:
    """Every visible label, button or combo box of ``window`` whose text is cut."""
    problems = []
    for kind, check in ((QLabel, _label_problem), (QAbstractButton, _button_problem),
                        (QComboBox, _combo_problem)):
        for widget in window.findChildren(kind):
            if not _shown(widget, window):
                continue
            why = check(widget)
            if why is None and _cut_by_parents(widget, widget.rect(), window, True) and (
                    getattr(widget, "text", lambda: "")() or isinstance(widget, QComboBox)):
                why = "cut off by the widget around it"
            if why:
                problems.append(f"{_describe(widget)}: {why}")
    return problems


@pytest.mark.parametrize("size", [(1024, 640), (1440, 900)], ids=["1024x640", "1440x900"])
def test_no_view_cuts_a_label_button_or_combo_text(window, qtbot, trained_model_file, size):
    window.resize(*size)
    open_model(window, qtbot, trained_model_file)
    problems = []
    for entry in window.view_entries:
        view = getattr(window, entry.name)
        window.show_view(view)
        qtbot.waitUntil(lambda: window.is_view_shown(view) and not window.is_busy(), timeout=180_000)
        qtbot.wait(50)  # one round of layout after the render (no time is asserted)
        problems += [f"{entry.title}: {problem}" for problem in cut_texts(window)]
        if _scrolls_sideways(view):
            problems.append(f"{entry.title}: wider than the window (it scrolls sideways)")
    assert sorted(set(problems)) == []


def _scrolls_sideways(view: QWidget) -> bool:
    parent = view.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent is not None and parent.horizontalScrollBar().isVisible()


def test_the_confusion_matrix_shows_its_ten_rows_without_scrolling_at_1024x640(
        window, qtbot, trained_model_file):
    window.resize(1024, 640)
    open_model(window, qtbot, trained_model_file)
    window.show_view(window.mistakes_panel)
    table = window.mistakes_panel.confusion_table
    qtbot.waitUntil(lambda: table.rowCount() == 10 and table.isVisible())
    qtbot.wait(50)
    assert not table.verticalScrollBar().isVisible()
    viewport = table.viewport()
    for row in range(10):
        cell = table.visualRect(table.model().index(row, 0))
        assert viewport.rect().contains(cell), f"row {row} is not inside the table"
        # nor scrolled out of sight by the view's own scroll area
        assert not _cut_by_parents(viewport, cell, window, scrolled_ok=False), f"row {row}"


def test_the_check_finds_a_cut_label_and_accepts_an_elided_one(qtbot):
    """Not vacuous: a label narrower than its text is reported; an elided one with its text
    in the tooltip is not."""
    box = QWidget()
    qtbot.addWidget(box)
    cut = QLabel("Pixels that push towards the answer", box)
    cut.setGeometry(0, 0, 60, 20)
    elided = ElidedLabel("Pixels that push towards the answer", box)
    elided.setGeometry(0, 30, 60, 20)
    box.resize(200, 60)
    box.show()
    qtbot.waitExposed(box)
    problems = cut_texts(box)
    assert len(problems) == 1 and "Pixels that push" in problems[0]
    assert elided.toolTip() == "Pixels that push towards the answer"


def test_the_check_finds_a_cut_combo_and_accepts_one_that_elides(qtbot):
    box = QWidget()
    qtbot.addWidget(box)
    long_item = "Article 2: sigmoid + softmax, momentum, 98%"
    plain, elided = QComboBox(box), ElidedComboBox(box)
    for i, combo in enumerate((plain, elided)):
        combo.addItem(long_item)
        combo.setGeometry(0, 30 * i, 90, 24)
    elided.setToolTip("A ready-made configuration")
    box.resize(200, 60)
    box.show()
    qtbot.waitExposed(box)
    problems = cut_texts(box)
    assert len(problems) == 1 and "Article 2" in problems[0] and "QComboBox" in problems[0]
    assert elided.is_elided() and elided.toolTip().startswith(long_item)
    assert elided.toolTip().endswith("A ready-made configuration")
