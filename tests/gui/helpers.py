"""Helpers shared by the GUI tests."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from mnist_gui.core.presets import PRESETS


def quick_settings(win, epochs: int = 2, subset: int = 3000, preset: str = "fast", **changes) -> None:
    """A short run: the preset with fewer epochs on a training subset (through the settings
    panel's public ``set_config``)."""
    config = PRESETS[preset].config.updated(epochs=epochs, train_subset=subset, **changes)
    win.config_panel.set_config(config, "custom")
    assert win.config_panel.is_valid(), win.settings_label.text()


def choose_preset(win, name: str) -> None:
    combo = win.config_panel.preset_combo
    combo.setCurrentIndex(combo.findData(name))


def send_mouse(widget, kind, point: QPointF, button=Qt.MouseButton.LeftButton) -> None:
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else button
    event = QMouseEvent(kind, point, widget.mapToGlobal(point), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def draw_stroke(canvas, points) -> None:
    """Press at the first point, move through the rest, release: as a hand would."""
    side = min(canvas.width(), canvas.height())
    x0, y0 = (canvas.width() - side) / 2, (canvas.height() - side) / 2
    to_widget = [QPointF(x0 + fx * side, y0 + fy * side) for fx, fy in points]
    send_mouse(canvas, QEvent.Type.MouseButtonPress, to_widget[0])
    for p in to_widget[1:]:
        send_mouse(canvas, QEvent.Type.MouseMove, p)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, to_widget[-1])


def right_click(canvas) -> None:
    centre = QPointF(canvas.width() / 2, canvas.height() / 2)
    send_mouse(canvas, QEvent.Type.MouseButtonPress, centre, Qt.MouseButton.RightButton)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, centre, Qt.MouseButton.RightButton)


def line(a, b, n=12):
    return [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for t in np.linspace(0, 1, n)]


def open_model(window, qtbot, path, timeout=60_000):
    with qtbot.waitSignal(window.model_loaded, timeout=timeout):
        window.open_model(str(path))
