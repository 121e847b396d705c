"""What the window remembers between launches: its geometry and docks, the settings form
(and its preset) and Robustness's confidence threshold, in QSettings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from ..core.errors import ConfigError
from ..core.presets import DEFAULT_PRESET
from ..core.training import TrainConfig

if TYPE_CHECKING:
    from .main_window import MainWindow

#: the window's size on first launch (later: as the user left it)
FIRST_SIZE = (1440, 900)


def default_settings() -> QSettings:
    """The user's settings; with $MNIST_GUI_HOME set, a file in it, so a scratch home (a
    test, a demo) never inherits nor changes the user's form."""
    home = os.environ.get("MNIST_GUI_HOME")
    if home:
        return QSettings(str(Path(home).expanduser() / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings("mnist-gui", "mnist-gui")


def restore(window: MainWindow) -> None:
    """Put back what ``save`` kept; anything unreadable (another version's) keeps the
    defaults."""
    settings = window.settings
    geometry = settings.value("geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    else:
        window.resize(*FIRST_SIZE)
    state = settings.value("windowState")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    try:
        window.robustness_panel.set_threshold(float(settings.value("confidenceThreshold") or 0.0))
    except (TypeError, ValueError):
        pass
    text = settings.value("config")
    preset = settings.value("preset", DEFAULT_PRESET)
    if isinstance(text, str):
        try:
            config = TrainConfig.from_dict(json.loads(text)).check()
            window.config_panel.set_config(config, str(preset))
        except (ValueError, TypeError, ConfigError):
            pass  # settings from another version: keep the defaults


def save(window: MainWindow) -> None:
    settings = window.settings
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("windowState", window.saveState())
    settings.setValue("confidenceThreshold", window.robustness_panel.threshold())
    try:
        settings.setValue("config", json.dumps(window.config_panel.config().to_dict()))
        settings.setValue("preset", window.config_panel.preset_name())
    except ConfigError:
        pass  # an invalid form is not remembered: the last valid one stays
    settings.sync()
