"""What every controller shares: the window it works for, and where its errors go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from ..main_window import MainWindow


class Controller(QObject):
    """A concern of the window (training, files, moments, digits). Its slots are
    ``guard.guarded``: an unexpected error goes to the window's status line, once."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.state = window.state

    def show_unexpected_error(self, where: str, exc: BaseException) -> None:
        self.window.show_unexpected_error(where, exc)
