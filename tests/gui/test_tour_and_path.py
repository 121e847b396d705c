"""The suggested path: views numbered in the order a newcomer should visit them, each with
its own shortcut, and Help > Tour, which walks through them once (on the first launch only,
skippable)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QTabWidget

from mnist_gui.gui.tour import SEEN_KEY
from mnist_gui.gui.views import TAB_ORDER


def test_views_are_numbered_on_the_path_each_with_its_own_shortcut(window):
    entries = window.view_entries
    assert [e.number for e in entries] == list(range(1, len(entries) + 1))
    assert [e.name for e in entries] == TAB_ORDER  # tabs, menu and tour share one order
    shortcuts = [QKeySequence(e.shortcut).toString() for e in entries]
    assert all(shortcuts) and len(set(shortcuts)) == len(shortcuts)
    assert entries[0].name == "curves_panel" and entries[2].name == "mistakes_panel"
    # each sub-tab says its number, and the numbers grow from the first tab to the last
    numbers = []
    for group in range(window.tabs.count()):
        page = window.tabs.widget(group)
        tabs = page if isinstance(page, QTabWidget) else page.findChild(
            QTabWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if tabs is not None:
            numbers += [int(tabs.tabText(i).split()[0]) for i in range(tabs.count())]
    assert numbers == sorted(numbers) and len(numbers) >= len(entries) - 1


def test_each_views_shortcut_shows_it(window, qtbot):
    actions = {a.shortcut().toString(): a for a in window.findChildren(type(window.tour.action))
               if not a.shortcut().isEmpty()}
    for entry in window.view_entries:
        actions[QKeySequence(entry.shortcut).toString()].trigger()
        view = getattr(window, entry.name)
        qtbot.waitUntil(lambda v=view: window.is_view_shown(v))


def test_the_tour_walks_through_every_view_once_and_is_remembered(window, qtbot):
    tour = window.tour
    assert not tour.card.isVisible()  # a window a test builds never starts it
    window.tour.action.trigger()
    seen = []
    while tour.is_running():
        entry = window.view_entries[tour.step]
        assert window.is_view_shown(getattr(window, entry.name))
        title, text = tour.texts()
        assert entry.title in title and entry.explanation in text
        seen.append(entry.name)
        with qtbot.waitSignal(tour.step_shown if tour.step + 1 < tour.count else tour.ended):
            tour.next_button.click()
    assert seen == TAB_ORDER
    assert not tour.card.isVisible()
    assert str(window.settings.value(SEEN_KEY)).lower() == "true"


def test_the_tour_can_be_skipped_at_any_step(window, qtbot):
    tour = window.tour
    tour.start()
    tour.next_button.click()
    assert tour.step == 1 and tour.back_button.isEnabled()
    with qtbot.waitSignal(tour.ended) as ended:
        tour.skip_button.click()
    assert ended.args == [False] and not tour.card.isVisible() and not tour.is_running()


def test_the_tour_starts_on_the_first_launch_only_and_never_in_a_scratch_home(window, monkeypatch):
    tour = window.tour
    monkeypatch.setenv("MNIST_GUI_HOME", "/tmp/scratch")
    assert not tour.start_on_first_launch() and not tour.is_running()
    monkeypatch.delenv("MNIST_GUI_HOME")
    assert tour.start_on_first_launch() and tour.card.isVisible()
    tour.skip()
    assert not tour.start_on_first_launch()  # seen once: never again by itself
