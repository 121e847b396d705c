"""QApplication set-up and the entry point of the desktop app."""

from __future__ import annotations

import os
import signal
import sys

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..core.data import resources_dir
from .guard import report_unexpected
from .heap import limit_heap_retention


def _x_server_answers(display: str) -> bool:
    """Whether a local X display (":N" or "unix:N") has a server: Qt's xcb plugin aborts the
    process when it cannot connect. Remote displays (host:N) are assumed to answer."""
    import re
    import socket

    match = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if not match:
        return True
    path = f"/tmp/.X11-unix/X{match.group(1)}"
    for address in (path, "\0" + path):  # the socket file, then Linux's abstract socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            try:
                probe.connect(address)
                return True
            except OSError:
                continue
    return False


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """Why the window cannot open here (no display on Linux), or None. Without a display
    Qt aborts with its xcb message (exit 134) instead of saying so."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if env.get("QT_QPA_PLATFORM") or env.get("WAYLAND_DISPLAY"):
        return None  # the user chose a platform, or Wayland: Qt's own choice
    display = env.get("DISPLAY", "")
    if not display:
        why = "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    elif not _x_server_answers(display):
        why = f"no display found (no X server answers on DISPLAY={display})"
    else:
        return None
    return (f"{why}: the window needs a desktop session. Run it under a virtual X server "
            "with 'xvfb-run mnist-gui', or use the command line ('mnist-gui --help': train, "
            "evaluate, predict, ...)")


def main(argv: list[str] | None = None) -> int:
    problem = display_problem()
    if problem is not None:
        sys.stderr.write(f"mnist-gui: {problem}\n")
        return 1
    limit_heap_retention()  # before any worker thread: see heap.py
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("mnist-gui")
    app.setOrganizationName("mnist-gui")
    icon = resources_dir() / "icons" / "mnist-gui.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    from .language import install_language
    from .main_window import MainWindow
    from .window_settings import default_settings

    install_language(default_settings())  # before any widget: each sets its texts once
    window = MainWindow()
    window.show()
    window.tour.start_on_first_launch()
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
