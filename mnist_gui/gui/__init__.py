"""The desktop app (PySide6 + pyqtgraph). ``from mnist_gui.gui import MainWindow``."""

from __future__ import annotations

import os

# pyqtgraph picks a binding by what is importable; naming ours gives real import errors
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402

# row-major: an image array's rows are screen rows, as NumPy prints them
pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)

__all__ = ["MainWindow"]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562: the window is imported on first use,
    # so a panel (``gui.panels.*``) can be imported and tested on its own
    if name == "MainWindow":
        from .main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
