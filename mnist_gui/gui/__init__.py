"""The desktop app (PySide6 + pyqtgraph). ``from mnist_gui.gui import MainWindow``."""

from __future__ import annotations

import os

# pyqtgraph picks a binding by what is importable; naming ours gives real import errors
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402

# row-major: an image array's rows are screen rows, as NumPy prints them
pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)

from .main_window import MainWindow  # noqa: E402

__all__ = ["MainWindow"]
