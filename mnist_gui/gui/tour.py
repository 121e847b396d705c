"""Help > Tour: the views one by one, in the order of the suggested path (the view table's),
each brought to the front with a line on what it shows. Non-modal (a card over the window's
corner; the window stays usable), skippable at any step.

It starts by itself on the first launch only (``start_on_first_launch``, called by the app's
``main``; remembered in the window's settings as ``tourSeen``), never in a window a test
builds, nor with ``$MNIST_GUI_HOME`` set (a scratch home: a test, a demo, a script).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout

from .guard import guarded

if TYPE_CHECKING:
    from .main_window import MainWindow

SEEN_KEY = "tourSeen"
MENU_TEXT = "&Tour of the views"
STEP_TITLE = "Step {step} of {count}: {title}"
SHORTCUT = "Shortcut: {shortcut}"
WELCOME = ("Welcome. The views are numbered in the order to visit them; this tour shows each "
           "once. Train a network first (Train, top left), then follow the numbers.")
BACK, NEXT, FINISH, SKIP = "Back", "Next", "Finish", "Skip tour"
CARD_STYLE = ("QFrame#tourCard { background: #fffbe6; border: 1px solid #c9b458; "
              "border-radius: 6px; }")
CARD_WIDTH = 340
MARGIN = 16  # px from the window's bottom-right corner


class Tour(QObject):
    """The tour of ``window``'s views. Signals ``step_shown(int)`` (0-based step) and
    ``ended(bool)`` (True: finished, False: skipped)."""

    step_shown = Signal(int)
    ended = Signal(bool)

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.step = -1  # -1: not running
        self.action = None  # its Help menu item (``install``)
        self.card = QFrame(window)
        self.card.setObjectName("tourCard")
        self.card.setStyleSheet(CARD_STYLE)
        self.card.setFixedWidth(CARD_WIDTH)
        self.title = QLabel()
        self.title.setObjectName("tourTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.text = QLabel()
        self.text.setObjectName("tourText")
        self.text.setWordWrap(True)
        self.back_button = QPushButton(BACK)
        self.back_button.setObjectName("tourBackButton")
        self.next_button = QPushButton(NEXT)
        self.next_button.setObjectName("tourNextButton")
        self.next_button.setDefault(True)
        self.skip_button = QPushButton(SKIP)
        self.skip_button.setObjectName("tourSkipButton")
        self.skip_button.setToolTip("Close the tour (Help > Tour of the views shows it again)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self.card)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.card.hide()
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.skip_button.clicked.connect(self.skip)
        window.installEventFilter(self)

    @classmethod
    def install(cls, window: "MainWindow", menu: QMenu) -> "Tour":
        """A tour of ``window`` and its item in ``menu`` (Help)."""
        tour = cls(window)
        action = menu.addAction(MENU_TEXT)
        action.setObjectName("tourAction")
        action.triggered.connect(tour._on_menu_triggered)
        tour.action = action
        return tour

    @property
    def count(self) -> int:
        return len(self.window.view_entries)

    def is_running(self) -> bool:
        return self.step >= 0

    def texts(self) -> tuple[str, str]:
        """The card's title and text now."""
        return self.title.text(), self.text.text()

    @guarded
    def _on_menu_triggered(self, _checked: bool = False) -> None:
        self.start()

    @guarded
    def start(self, _checked: bool = False) -> None:
        """Show the first view (and remember that the tour was seen)."""
        self.window.settings.setValue(SEEN_KEY, True)
        self._show(0)

    def start_on_first_launch(self) -> bool:
        """Start if this user has never seen the tour; never with $MNIST_GUI_HOME set."""
        if os.environ.get("MNIST_GUI_HOME"):
            return False
        if str(self.window.settings.value(SEEN_KEY, "")).lower() in ("true", "1"):
            return False
        self.start()
        return True

    @guarded
    def next(self, _checked: bool = False) -> None:
        if self.step + 1 >= self.count:
            self._end(True)
        else:
            self._show(self.step + 1)

    @guarded
    def back(self, _checked: bool = False) -> None:
        if self.step > 0:
            self._show(self.step - 1)

    @guarded
    def skip(self, _checked: bool = False) -> None:
        self._end(False)

    def _show(self, step: int) -> None:
        entry = self.window.view_entries[step]
        self.step = step
        self.window.show_view(getattr(self.window, entry.name))
        self.title.setText(STEP_TITLE.format(step=step + 1, count=self.count, title=entry.tab_text))
        lines = [WELCOME] if step == 0 else []
        lines.append(entry.explanation)
        if entry.shortcut:
            lines.append(SHORTCUT.format(shortcut=entry.shortcut))
        self.text.setText("\n\n".join(lines))
        self.back_button.setEnabled(step > 0)
        self.next_button.setText(FINISH if step + 1 == self.count else NEXT)
        self.card.show()
        self._place()
        self.card.raise_()
        self.step_shown.emit(step)

    def _end(self, finished: bool) -> None:
        if not self.is_running():
            return
        self.step = -1
        self.card.hide()
        self.ended.emit(finished)

    def _place(self) -> None:
        self.card.adjustSize()
        area = self.window.centralWidget().geometry()
        self.card.move(area.right() - self.card.width() - MARGIN,
                       area.bottom() - self.card.height() - MARGIN)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Resize and self.is_running():
            self._place()
        return False

