"""The training toolbar (Train, Pause, Stop, Train more, the rate now and a new one, the
network's size) and the run's part of the status bar (speed, time left, progress)."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStatusBar,
    QStyle,
    QToolBar,
    QWidget,
)

from ..core.session import Progress
from ..core.training import TrainingFinished, TrainingStarted
from .text import duration, plural

#: a time left shown rises only when the new estimate is this much above it: the estimate
#: wobbles with every evaluation pause, and a time left that creeps up during steady
#: progress reads as "it is getting slower"
ETA_RISE = 1.15


class EtaDisplay:
    """The time left as shown: it counts down with the clock between estimates, follows
    any estimate below that, and rises only past ``ETA_RISE`` times it."""

    def __init__(self) -> None:
        self._shown = math.inf
        self._at = 0.0

    def text(self, estimate: float, now: float) -> str:
        """``estimate``: seconds left by the run's average speed; ``now``: a monotonic
        clock in seconds. "" while the estimate is unknown."""
        if not math.isfinite(estimate):
            return ""
        counted_down = self._shown - (now - self._at)
        if not math.isfinite(counted_down) or estimate <= counted_down or estimate > ETA_RISE * counted_down:
            self._shown, self._at = estimate, now
            counted_down = estimate
        return f"{duration(max(counted_down, 0.0))} left"


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of pushing its neighbours
    (the full text is its tooltip)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        self._tip_is_text = False
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._update_tip()

    def is_elided(self) -> bool:
        """Whether the text is shown shortened (the tooltip then holds all of it)."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def _update_tip(self) -> None:
        # the whole text on hover whenever it is shortened (a tooltip set by hand stays)
        if self.is_elided():
            self.setToolTip(self.text())
            self._tip_is_text = True
        elif self._tip_is_text:
            self.setToolTip("")
            self._tip_is_text = False

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt's
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt's
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()


def _button(parent: QWidget, icon: QStyle.StandardPixmap | None, text: str, name: str,
            tip: str) -> QPushButton:
    button = (QPushButton(parent.style().standardIcon(icon), text) if icon is not None
              else QPushButton(text))
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


class TrainingBar(QToolBar):
    """The toolbar's widgets are attributes (the window exposes them under the same
    names: ``train_button``, ``pause_button``, ``stop_button``, ``more_button``,
    ``more_spin``, ``live_lr_edit``, ``lr_now_label``, ``settings_label``)."""

    RATE_TIP = "The learning rate of the last batch (after the schedule)"

    def __init__(self, parent: QWidget) -> None:
        super().__init__("Training", parent)
        self.setObjectName("trainingToolbar")
        self.setMovable(False)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(4, 2, 4, 2)
        pix = QStyle.StandardPixmap
        self.train_button = _button(parent, pix.SP_MediaPlay, "Train", "trainButton",
                                    "Start a new training run with the settings on the left (Ctrl+T)")
        self.pause_button = _button(parent, pix.SP_MediaPause, "Pause", "pauseButton",
                                    "Pause or resume the run (Ctrl+P)")
        self.stop_button = _button(parent, pix.SP_MediaStop, "Stop", "stopButton",
                                   "Stop after the current batch; the model so far is kept (Ctrl+.)")
        self.more_button = _button(parent, None, "Train more:", "trainMoreButton",
                                   "Continue the last run for this many more epochs (recorded as "
                                   "its continuation) with that run's own settings")
        self.more_spin = QSpinBox()
        self.more_spin.setObjectName("moreEpochsSpin")
        self.more_spin.setRange(1, 1000)
        self.more_spin.setValue(5)
        self.more_spin.setSuffix(" epochs")
        self.more_spin.setToolTip("How many epochs 'Train more' adds to the last run")
        self.live_lr_edit = QLineEdit()
        self.live_lr_edit.setObjectName("liveLrEdit")
        self.live_lr_edit.setPlaceholderText("new rate, Enter")
        self.live_lr_edit.setMaximumWidth(110)
        self.live_lr_edit.setToolTip(
            "Change the learning rate while training runs: type a number > 0 and press Enter "
            "(the schedule still scales it)")
        for widget in (self.train_button, self.pause_button, self.stop_button, self.more_button,
                       self.more_spin):
            row.addWidget(widget)
        row.addSpacing(12)
        lr_title = QLabel("Learning rate now:")
        lr_title.setToolTip(self.RATE_TIP)
        row.addWidget(lr_title)
        self.lr_now_label = QLabel("-")
        self.lr_now_label.setObjectName("lrNowLabel")
        self.lr_now_label.setMinimumWidth(50)
        row.addWidget(self.lr_now_label)
        row.addWidget(self.live_lr_edit)
        row.addSpacing(12)
        # the network's size, or why Train is disabled: always in sight, never scrolled away
        self.settings_label = ElidedLabel()
        self.settings_label.setObjectName("settingsSummaryLabel")
        row.addWidget(self.settings_label, 1)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addWidget(box)

    def show_rate(self, lr: float, base: float | None) -> None:
        """The rate of the last batch, and by how much the schedule scaled the run's rate
        (a typed-in rate shown scaled, with no word of why, read as a bug)."""
        text = f"{lr:.4g}"
        if base and abs(lr - base) > 1e-12 * base:
            text += f" ({lr / base:.2g} × {base:g})"
            self.lr_now_label.setToolTip(
                f"The schedule scales the rate {base:g} by {lr / base:.3g} at this point of the run")
        else:
            self.lr_now_label.setToolTip(self.RATE_TIP)
        self.lr_now_label.setText(text)

    def reset_rate(self) -> None:
        self.lr_now_label.setText("-")
        self.lr_now_label.setToolTip(self.RATE_TIP)
        self.live_lr_edit.clear()
        self.live_lr_edit.setStyleSheet("")


class RunStatus:
    """The run's widgets in the status bar: speed, time left, progress."""

    def __init__(self, status: QStatusBar) -> None:
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setMinimumWidth(200)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("speedLabel")
        self.speed_label.setMinimumWidth(120)
        self.speed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.speed_label.setToolTip("Training images per second (pauses excluded)")
        self.eta_label = QLabel("")
        self.eta_label.setObjectName("etaLabel")
        self.eta_label.setMinimumWidth(80)
        self.eta_label.setToolTip("Time left at the speed so far")
        for widget in (self.speed_label, self.eta_label, self.progress_bar):
            status.addPermanentWidget(widget)
        self.idle()

    def idle(self) -> None:
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("idle")
        self.speed_label.setText("")
        self.eta_label.setText("")

    def paused(self) -> None:
        self.speed_label.setText("paused")
        self.eta_label.setText("")

    def show_progress(self, progress: Progress, eta: str, paused: bool) -> None:
        self.progress_bar.setValue((progress.epoch - 1) * progress.n_batches + progress.batch)
        self.progress_bar.setFormat(
            f"epoch {progress.epoch}/{progress.epochs} · batch {progress.batch}/{progress.n_batches}")
        if paused:
            self.paused()
        else:
            self.speed_label.setText(f"{progress.samples_per_second:,.0f} images/s")
            self.eta_label.setText(eta)

    def show_started(self, event: TrainingStarted, epochs_done: int) -> None:
        """A run of ``event.epochs`` epochs starts; ``epochs_done`` of them are already
        trained (a continued run: the bar starts there, as the run list says)."""
        self.progress_bar.setRange(0, max(event.epochs * event.n_batches, 1))
        self.progress_bar.setValue(epochs_done * event.n_batches)
        self.progress_bar.setFormat(f"epoch {epochs_done + 1}/{event.epochs}")

    def show_finished(self, final: TrainingFinished) -> None:
        self.progress_bar.setFormat(f"{final.reason}: {plural(final.epochs_completed, 'epoch')}")
        self.speed_label.setText("")
        self.eta_label.setText("")
