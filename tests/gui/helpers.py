"""Helpers shared by the GUI tests."""

from __future__ import annotations


def quick_settings(win, epochs: int = 2, subset: int = 3000, preset: str = "fast") -> None:
    """A short run: the preset with fewer epochs on a training subset."""
    panel = win.config_panel
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData(preset))
    panel.epochs_spin.setValue(epochs)
    panel.subset_spin.setValue(subset)
