"""The app as a user starts it (``mnist-gui``, no arguments) shows its window: the whole path
from the entry point (language, settings, window) runs, not just ``MainWindow()``."""

from __future__ import annotations

import os
import subprocess
import sys

# The entry point in a fresh process; the first paint of the main window ends it. Nothing
# else: a failing import or constructor on the way exits non-zero with its traceback.
PROBE = r"""
import os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(["mnist-gui"])
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(getattr(obj, "window", lambda: None)(), QMainWindow):
            print("SHOWN", obj.window().windowTitle(), flush=True)
            QTimer.singleShot(0, lambda: os._exit(0))
        return False
first_paint = FirstPaint()
app.installEventFilter(first_paint)
from mnist_gui.__main__ import main
sys.argv = ["mnist-gui"]
sys.exit(main())
"""


def test_the_entry_point_shows_the_window(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MNIST_GUI_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SHOWN mnist-gui" in result.stdout
