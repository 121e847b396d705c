"""The banner above the views while they show a run's earlier moment ("Viewing epoch 3 of
run X"), with the way back to the live (or last) model."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from .state import CurrentModel


class MomentBanner(QWidget):
    """Hidden unless a moment is viewed. ``label`` (``momentBanner``) says which, and
    whether a run goes on behind it; ``live_button`` (``bannerLiveButton``) goes back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("")
        self.label.setObjectName("momentBanner")
        self.label.setStyleSheet(
            "background: #fff3c4; color: #5a4500; padding: 4px; font-weight: bold;")
        self.live_button = QPushButton(self.tr("Back to live"))
        self.live_button.setObjectName("bannerLiveButton")
        self.live_button.setToolTip(self.tr("Show the live (or last) model again"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.live_button)
        self.hide()

    def show_state(self, state: CurrentModel, training: bool, paused: bool) -> None:
        """Shown with the moment's label while ``state`` views a moment, else hidden."""
        if not state.viewing_moment:
            self.hide()
            return
        if not training:
            text = self.tr("Viewing {moment}")
        elif paused:
            text = self.tr("Viewing {moment} (the run is paused behind it: Back to live shows it)")
        else:
            text = self.tr("Viewing {moment} (training goes on: Back to live shows it)")
        self.label.setText(text.format(moment=state.moment_label))
        self.show()
