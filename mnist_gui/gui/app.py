"""QApplication set-up and the entry point of the desktop app."""

from __future__ import annotations

import signal
import sys

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..core.data import resources_dir
from .guard import report_unexpected
from .heap import limit_heap_retention


def main(argv: list[str] | None = None) -> int:
    limit_heap_retention()  # before any worker thread: see heap.py
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("mnist-gui")
    app.setOrganizationName("mnist-gui")
    icon = resources_dir() / "icons" / "mnist-gui.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    from .main_window import MainWindow

    window = MainWindow()
    window.show()
    # the last line of defence for an exception in a slot no guard wraps (a library's own):
    # logged and shown once, never repeated per epoch, never the end of the process
    previous_hook = sys.excepthook

    def excepthook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, value, tb)
            return
        report_unexpected(window, "Qt slot", value.with_traceback(tb))

    sys.excepthook = excepthook
    # Ctrl+C in the terminal closes the window cleanly (Qt's loop would otherwise never
    # return to Python to see the signal); the timer gives Python a chance to run.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    timer = QTimer()
    timer.start(200)
    timer.timeout.connect(lambda: None)
    try:
        return app.exec()
    finally:
        sys.excepthook = previous_hook
