"""The summary strip above Train & watch: the numbers that matter, large enough to read from a
metre away (epoch, learning rate now, train and test loss and accuracy, best test accuracy so
far, seconds per epoch, time left), for whichever model the views show, and saying which.

A view like the others (``follows`` / ``render(state)``); the live run's batches add the rate
and the time left between epochs (``show_batch_progress``, fed from the window's
``progress_shown``).
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QLayout, QSizePolicy, QVBoxLayout, QWidget

from ..core.session import Progress
from .guard import guarded
from .state import Change, CurrentModel, epoch_number
from .training_bar import ElidedLabel, EtaDisplay

#: the strip's cards: (key, title, tooltip), in reading order. Plain literals, one place.
CARDS: list[tuple[str, str, str]] = [
    ("epoch", "Epoch", "The epoch shown, of the run's epochs"),
    ("lr", "Learning rate", "The learning rate now (after the schedule)"),
    ("train_loss", "Train loss", "Mean loss over the last epoch's training batches (lower is better)"),
    ("test_loss", "Test loss", "Loss on the test digits (lower is better)"),
    ("train_accuracy", "Train accuracy", "Share of the last epoch's training digits it got right"),
    ("test_accuracy", "Test accuracy", "Share of the test digits it gets right"),
    ("best", "Best test accuracy", "The best test accuracy of the run so far, and its epoch"),
    ("seconds", "Per epoch", "Seconds per epoch: the last epoch's training and scoring time"),
    ("left", "Time left", "Time left in the run at its speed so far"),
]
NO_VALUE = "–"
NO_MODEL = "No model yet: train one or open a saved model."
SHOWING = "Showing: {source}"
BEST_OF = "epoch {epoch}"
RUN_ENDED = "{outcome}"
VALUE_STYLE = "font-size: 20px; font-weight: bold; color: #1a1a1a;"
TEST_VALUE_STYLE = "font-size: 20px; font-weight: bold; color: #0b5394;"
TITLE_STYLE = "color: #555555;"
CARD_STYLE = "QFrame#summaryCard { background: #f3f5f8; border: 1px solid #dde2ea; border-radius: 4px; }"


class SummaryCard(QFrame):
    """A small title over a large value; ``note`` (optional) under the value."""

    def __init__(self, key: str, title: str, tip: str) -> None:
        super().__init__()
        self.setObjectName("summaryCard")
        self.setStyleSheet(CARD_STYLE)
        self.setToolTip(tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(0)
        self.title = QLabel(title)
        self.title.setStyleSheet(TITLE_STYLE)
        self.value = QLabel(NO_VALUE)
        self.value.setObjectName(f"summary_{key}")
        self.value.setStyleSheet(TEST_VALUE_STYLE if key.startswith("test") else VALUE_STYLE)
        self.value.setToolTip(tip)
        layout.addWidget(self.title)
        layout.addWidget(self.value)

    def set(self, value: str) -> None:
        self.value.setText(value or NO_VALUE)


class SummaryStrip(QWidget):
    """The numbers of the shown model in large type; cards wrap to a second row when the
    window is narrow (a 1024 px window keeps every card whole)."""

    follows = frozenset({Change.RESET, Change.MODEL, Change.EVALUATION, Change.EPOCH,
                         Change.ENDED, Change.DATA})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryStrip")
        self.cards = {key: SummaryCard(key, title, tip) for key, title, tip in CARDS}
        self.caption = ElidedLabel(NO_MODEL)
        self.caption.setObjectName("summaryCaption")
        self.caption.setStyleSheet("font-weight: bold;")
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(4)
        self._columns = 0
        layout = QVBoxLayout(self)
        # the cards wrap to more rows instead of widening the window: the strip's minimum is
        # its widest card (minimumSizeHint), not one row of them
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addLayout(self._grid)
        self._eta = EtaDisplay()
        self._following_live = False
        self._generation = -1
        self._arrange(len(CARDS))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    # ------------------------------------------------------------------ the view

    def values(self) -> dict[str, str]:
        """The text of every card, by key (see ``CARDS``)."""
        return {key: card.value.text() for key, card in self.cards.items()}

    def render(self, state: CurrentModel) -> None:
        self._following_live = state.following_live_run
        if state.generation != self._generation:  # another run: its own time left
            self._generation, self._eta = state.generation, EtaDisplay()
        if state.kind == "none" and not state.viewing_moment:
            self.caption.setText(NO_MODEL)
            for card in self.cards.values():
                card.set(NO_VALUE)
            return
        self.caption.setText(SHOWING.format(source=state.source))
        rows = _epoch_rows(state)
        last = rows[-1] if rows else {}
        evaluation = state.shown_evaluation
        test_accuracy = (evaluation.report.accuracy if evaluation is not None
                         else last.get("test_accuracy"))
        test_loss = evaluation.report.loss if evaluation is not None else last.get("test_loss")
        total = last.get("epochs") or (state.shown_config or {}).get("epochs")
        shown = state.shown_epoch
        if shown is None:
            shown = last.get("epoch")
        if state.following_live_run and shown is not None:
            shown = min(math.floor(shown) + 1, total or math.inf)  # the epoch in progress
        epoch = NO_VALUE if shown is None else epoch_number(shown)
        if total and shown is not None:
            epoch = f"{epoch} / {total}"
        lr = last.get("lr", (state.shown_config or {}).get("lr"))
        self.cards["epoch"].set(epoch)
        self.cards["lr"].set(_number(lr))
        self.cards["train_loss"].set(_number(last.get("train_loss")))
        self.cards["test_loss"].set(_number(test_loss))
        self.cards["train_accuracy"].set(_percent(last.get("train_accuracy")))
        self.cards["test_accuracy"].set(_percent(test_accuracy))
        best = [(r["test_accuracy"], r.get("epoch")) for r in rows
                if r.get("test_accuracy") is not None]
        if best:
            accuracy, at = max(best, key=lambda pair: pair[0])
            self.cards["best"].set(_percent(accuracy))
            self.cards["best"].title.setToolTip(BEST_OF.format(epoch=at))
            self.cards["best"].value.setToolTip(BEST_OF.format(epoch=at))
        else:
            self.cards["best"].set(_percent(test_accuracy))
        seconds = None
        if last.get("train_seconds") is not None:
            seconds = float(last["train_seconds"]) + float(last.get("eval_seconds") or 0.0)
        self.cards["seconds"].set(f"{seconds:.1f} s" if seconds is not None else "")
        if state.following_live_run:
            if not rows:
                self.cards["left"].set("")
        elif state.kind == "live" and state.outcome and not state.viewing_moment:
            self.cards["left"].set(RUN_ENDED.format(outcome=state.outcome))
        else:
            self.cards["left"].set("")
        self._fit()

    @guarded
    def show_batch_progress(self, progress: Progress) -> None:
        """A batch of the live run: the rate now and the time left (only while the views
        follow the live run: a viewed moment keeps its own numbers)."""
        if not self._following_live:
            return
        total = progress.epochs
        self.cards["epoch"].set(f"{progress.epoch} / {total}")
        self.cards["lr"].set(_number(progress.lr))
        self.cards["left"].set(self._eta.text(progress.eta_seconds, time.monotonic())
                               .removesuffix(" left") or "")

    # ---------------------------------------------------------------- layout

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt's
        super().resizeEvent(event)
        self._fit()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        widest = max(card.minimumSizeHint().width() for card in self.cards.values())
        return QSize(widest + 8, self.height())

    def _rows_height(self, columns: int) -> int:
        """The strip's height with its cards in rows of ``columns``."""
        rows = math.ceil(len(CARDS) / columns)
        card = max(card.sizeHint().height() for card in self.cards.values())
        caption = self.caption.sizeHint().height()
        return caption + rows * card + (rows - 1) * self._grid.verticalSpacing() + 10

    def _columns_for(self, width: int) -> int:
        widest = max(card.sizeHint().width() for card in self.cards.values())
        spacing = self._grid.horizontalSpacing()
        fit = max(1, (width - 8 + spacing) // (widest + spacing))
        rows = math.ceil(len(CARDS) / fit)
        return math.ceil(len(CARDS) / rows)  # rows as even as they can be: 5 + 4, not 8 + 1

    def _fit(self) -> None:
        """As many cards a row as fit the width (a longer value can widen a card)."""
        columns = self._columns_for(self.width())
        if columns != self._columns:
            self._arrange(columns)

    def _arrange(self, columns: int) -> None:
        """Lay the cards out in rows of ``columns`` (equal widths); the strip is as tall as
        its rows."""
        self._place(columns)
        self.setFixedHeight(self._rows_height(columns))

    def _place(self, columns: int) -> None:
        self._columns = columns
        for card in self.cards.values():
            self._grid.removeWidget(card)
        for i, card in enumerate(self.cards.values()):
            self._grid.addWidget(card, i // columns, i % columns)
        for column in range(len(CARDS)):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)


def _epoch_rows(state: CurrentModel) -> list[dict]:
    """The per-epoch numbers (EpochFinished.metrics() keys) behind the shown model."""
    if state.viewing_moment:
        run = state.moment_run
        epochs = list(getattr(run, "epochs", None) or [])
        shown = state.shown_epoch
        return [e for e in epochs if shown is None or e.get("epoch", 0) <= shown]
    if state.history:
        return [e.metrics() for e in state.history]
    if isinstance(state.metrics, dict):
        return [state.metrics]  # a file's last epoch, saved with it
    return []


def _number(value: float | None) -> str:
    """A loss or a rate in at most 4 significant digits ("0.4147", "1.12e-04")."""
    if value is None or not math.isfinite(float(value)):
        return NO_VALUE
    value = float(value)
    return f"{value:.2e}" if 0 < abs(value) < 1e-3 else f"{value:.4g}"


def _percent(value: float | None) -> str:
    if value is None or not math.isfinite(float(value)):
        return NO_VALUE
    return f"{100 * float(value):.2f}%"

