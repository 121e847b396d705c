"""Every test digit's learning: filter the test set by when digits were learned, forgotten or
never learned, and show one digit's p(true class) over the run as a small curve.

Public API: ``set_history(history, images, labels=None)``, ``set_filter(kind, epoch=None)``,
``filtered_indices()``, ``show_digit(index)``, ``clear()``. Signals: ``filter_changed(list)``
(the test indices now listed), ``digit_selected(int)`` (a thumbnail was clicked).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.digit_history import DigitHistory
from ..guard import guarded
from ..panel_parts import digit_grid, digit_icon
from ..state import Change, CurrentModel
from ..text import count, number

ALL, LEARNED_AT, FORGOTTEN, NEVER_LEARNED = "all", "learned_at", "forgotten", "never_learned"
FILTERS = {
    # shown through tr() (QT_TRANSLATE_NOOP only marks them for lupdate)
    ALL: QT_TRANSLATE_NOOP("DigitHistoryView", "All test digits"),
    LEARNED_AT: QT_TRANSLATE_NOOP("DigitHistoryView", "Learned at epoch"),
    FORGOTTEN: QT_TRANSLATE_NOOP("DigitHistoryView", "Forgotten (right, then wrong later)"),
    NEVER_LEARNED: QT_TRANSLATE_NOOP("DigitHistoryView", "Never learned"),
}
TEST_ORDER, HARDEST, LATEST = "test_order", "hardest", "latest"
SORTS = {
    TEST_ORDER: QT_TRANSLATE_NOOP("DigitHistoryView", "Test-set order"),
    HARDEST: QT_TRANSLATE_NOOP("DigitHistoryView", "Lowest p(true class) now first"),
    LATEST: QT_TRANSLATE_NOOP("DigitHistoryView", "Learned latest first"),
}
#: ``DigitHistory.status()`` as shown
STATUSES = {
    "learned": QT_TRANSLATE_NOOP("DigitHistoryView", "learned"),
    "never learned": QT_TRANSLATE_NOOP("DigitHistoryView", "never learned"),
    "forgotten": QT_TRANSLATE_NOOP("DigitHistoryView", "forgotten"),
    "forgotten, then learned again": QT_TRANSLATE_NOOP(
        "DigitHistoryView", "forgotten, then learned again"
    ),
}
#: thumbnails shown at most (the filter's full list is ``filtered_indices()``)
MAX_SHOWN = 300
THUMB = 36
RIGHT, WRONG = (40, 150, 60), (210, 50, 50)


def _as_uint8_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    return images.reshape(len(images), 28, 28)


class DigitHistoryView(QWidget):
    """A filter over the test digits by their learning history, and one digit's curve."""

    filter_changed = Signal(list)
    digit_selected = Signal(int)
    follows = frozenset({Change.RESET, Change.EPOCH, Change.DATA})

    def select_run(self, run: object | None, state: CurrentModel) -> None:
        """Show recorded run ``run``'s history (None, or the live run: the state's)."""
        self._selected_run = run
        self._shown_key = None
        self.render(state)

    def render(self, state: CurrentModel) -> None:
        """The selected run's digit history, else the live (or last) run's, built from its
        epochs' p(true) arrays; the test digits come from the data in use."""
        run = self._selected_run
        if run is not None and run.id == state.run_id and state.kind == "live":
            run = None
        if run is not None:
            key = ("run", run.id, len(run.epochs), id(state.raw))
            if key == self._shown_key:
                return
            self._shown_key = key
            history = run.digit_history() if not run.damaged else None
            digits = self._digits(state, list(run.config.get("digits") or range(10))
                                  if isinstance(run.config, dict) else list(range(10)))
            if history is None or digits is None or len(digits[1]) != history.correct.shape[1]:
                self.set_history(history, None)
            else:
                self.set_history(history, *digits)
            return
        epochs = [e for e in state.history if e.test_p_true is not None and e.test_predicted is not None]
        model = state.model
        key = ("live", state.generation, len(epochs), id(state.raw))
        if key == self._shown_key:
            return
        self._shown_key = key
        digits = None if model is None else self._digits(state, list(model.classes))
        if not epochs or digits is None or len(digits[1]) != len(epochs[0].test_p_true):
            self.clear()
            return
        images, labels = digits
        index = {c: i for i, c in enumerate(model.classes)}
        y_true = np.array([index[int(c)] for c in labels], np.int64)
        history = DigitHistory.from_epochs(
            [e.epoch for e in epochs], [e.test_p_true for e in epochs],
            [e.test_predicted for e in epochs], y_true)
        self.set_history(history, images, labels)

    def _digits(self, state: CurrentModel, classes: list[int]) -> tuple[np.ndarray, np.ndarray] | None:
        """(test images (N, 784) uint8, their digits (N,)) of these classes, as a history's
        columns are; one set kept (None without data)."""
        raw = state.raw
        if raw is None:
            return None
        key = (id(raw), tuple(int(c) for c in classes))
        if self._digits_key != key:
            keep = np.isin(raw.test_labels, key[1])
            self._digits_key, self._digits_cache = key, (raw.test_images[keep], raw.test_labels[keep])
        return self._digits_cache

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: DigitHistory | None = None
        self._selected_run: object | None = None  # a recorded run chosen in Runs
        self._shown_key: tuple | None = None  # what the last render showed
        # the test digits of the last (data, classes) asked for, as a history's columns are
        self._digits_key: tuple | None = None
        self._digits_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._images: np.ndarray | None = None
        self._labels: np.ndarray | None = None
        self._indices: list[int] = []
        self._shown: int | None = None

        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("digitFilterCombo")
        for key, text in FILTERS.items():
            self.filter_combo.addItem(self.tr(text), key)
        self.filter_combo.setToolTip(self.tr("Which test digits to list, by their learning over "
                                             "the run"))
        self.epoch_spin = QSpinBox()
        self.epoch_spin.setObjectName("learnedEpochSpin")
        self.epoch_spin.setToolTip(self.tr("The epoch after which the listed digits stayed right"))
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("digitSortCombo")
        for key, text in SORTS.items():
            self.sort_combo.addItem(self.tr(text), key)
        self.sort_combo.setToolTip(self.tr("The order of the listed digits"))
        for combo in (self.filter_combo, self.epoch_spin, self.sort_combo):
            # a wheel over an unfocused control scrolls the page, not the setting
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_edited)
        self.epoch_spin.valueChanged.connect(self._on_filter_edited)
        self.sort_combo.currentIndexChanged.connect(self._on_filter_edited)
        self.count_label = QLabel("")
        self.count_label.setObjectName("digitHistoryCount")

        self.grid = digit_grid("digitHistoryList", THUMB, 0,
                               QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setToolTip(self.tr("The digits the filter keeps; click one to see its p(true "
                                     "class) over the run"))
        self.grid.currentRowChanged.connect(self._on_grid_row_changed)

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("digitHistoryPlot")
        self.plot.setBackground("w")
        self.plot.setMinimumWidth(220)
        self.plot.setToolTip(self.tr("p(true class) of the selected digit after each epoch: "
                                     "green where it was classified right, red where wrong"))
        self.plot.setLabel("left", self.tr("p(true class)"))
        self.plot.setLabel("bottom", self.tr("epoch"))
        self.plot.setYRange(0, 1, padding=0.05)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.addItem(pg.InfiniteLine(0.5, angle=0, pen=pg.mkPen((150, 150, 150),
                                                                     style=Qt.PenStyle.DashLine)))
        self.curve = self.plot.plot([], [], pen=pg.mkPen((30, 90, 200), width=2), symbol="o",
                                    symbolSize=7)
        self.digit_label = QLabel(self.tr("Select a digit."))
        self.digit_label.setObjectName("digitHistoryCaption")
        self.digit_label.setMinimumHeight(2 * self.digit_label.fontMetrics().lineSpacing() + 4)

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Show")))
        controls.addWidget(self.filter_combo)
        controls.addWidget(self.epoch_spin)
        controls.addWidget(QLabel(self.tr("sorted by")))
        controls.addWidget(self.sort_combo)
        controls.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.plot, 1)
        right.addWidget(self.digit_label)
        left = QVBoxLayout()
        left.addWidget(self.grid, 1)
        left.addWidget(self.count_label)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(body, 1)
        self.clear()

    # ------------------------------------------------------------------ public

    @property
    def images(self) -> np.ndarray | None:
        """The shown history's test images, (N, 784) or (N, 28, 28) uint8 (None: none)."""
        return self._images

    @property
    def labels(self) -> np.ndarray | None:
        return self._labels

    def set_history(self, history: DigitHistory | None, images: np.ndarray | None,
                    labels: np.ndarray | None = None) -> None:
        """A run's digit history with its test images ((N, 784) or (N, 28, 28), uint8 or
        in [0, 1]) and labels; None: nothing to show."""
        if history is None or history.correct.size == 0:
            self.clear()
            return
        n = history.correct.shape[1]
        if images is not None and len(images) != n:
            raise ValueError(f"the history has {n} test digits but {len(images)} images came")
        self.history = history
        self._images = None if images is None else _as_uint8_images(images)
        self._labels = None if labels is None else np.asarray(labels)
        epochs = [int(e) for e in history.epochs]
        self.epoch_spin.blockSignals(True)
        self.epoch_spin.setRange(min(epochs), max(epochs))
        self.epoch_spin.blockSignals(False)
        # the axis is this run's, not the last digit's of another run
        self.plot.setXRange(epochs[0] - 0.2, epochs[-1] + 0.2, padding=0)
        step = max(1, -(-len(epochs) // 10))
        self.plot.getAxis("bottom").setTicks([[(e, str(e)) for e in epochs[::step]], []])
        self._set_enabled(True)
        self._refilter()
        if self._shown is not None and self._shown < n:
            self.show_digit(self._shown)
        else:
            self._clear_curve()

    def clear(self) -> None:
        self.history = None
        self._images = self._labels = None
        self._indices = []
        self._shown = None
        self.grid.clear()
        self._clear_curve()
        self.count_label.setText(self.tr("No digit history: train or select a run."))
        self._set_enabled(False)

    def set_filter(self, kind: str, epoch: int | None = None, sort: str | None = None) -> None:
        """Choose the filter (``ALL``, ``LEARNED_AT``, ``FORGOTTEN``, ``NEVER_LEARNED``),
        the epoch for ``LEARNED_AT`` and the order (``TEST_ORDER``, ``HARDEST``, ``LATEST``)."""
        if kind not in FILTERS or (sort is not None and sort not in SORTS):
            raise ValueError(f"filter: expected one of {', '.join(FILTERS)}, got {kind!r}")
        for widget in (self.filter_combo, self.epoch_spin, self.sort_combo):
            widget.blockSignals(True)
        try:
            self.filter_combo.setCurrentIndex(self.filter_combo.findData(kind))
            if epoch is not None:
                self.epoch_spin.setValue(int(epoch))
            if sort is not None:
                self.sort_combo.setCurrentIndex(self.sort_combo.findData(sort))
        finally:
            for widget in (self.filter_combo, self.epoch_spin, self.sort_combo):
                widget.blockSignals(False)
        self._refilter()

    def filtered_indices(self) -> list[int]:
        """The test indices the filter keeps, in the chosen order."""
        return list(self._indices)

    def show_digit(self, index: int) -> None:
        """Draw test digit ``index``'s p(true class) after each epoch of the run."""
        history = self.history
        if history is None or not 0 <= index < history.correct.shape[1]:
            self._clear_curve()
            return
        self._shown = int(index)
        p = history.p_true[:, index].astype(np.float64)
        right = history.correct[:, index]
        brushes = [pg.mkBrush(RIGHT if ok else WRONG) for ok in right]
        self.curve.setData(history.epochs.astype(np.float64), p, symbolBrush=brushes,
                           symbolPen=None)
        epochs = [int(e) for e in history.epochs]
        self.plot.setXRange(epochs[0] - 0.2, epochs[-1] + 0.2, padding=0)
        step = max(1, -(-len(epochs) // 10))  # at most ~10 whole-epoch ticks
        self.plot.getAxis("bottom").setTicks([[(e, str(e)) for e in epochs[::step]], []])
        learned = int(history.learned_at[index])
        status = str(history.status()[index])
        label = "" if self._labels is None else self.tr(" (a {digit})").format(
            digit=int(self._labels[index]))
        when = (self.tr(", learned at epoch {epoch}").format(epoch=learned)
                if learned and status != "never learned" else "")
        self.digit_label.setText(self.tr("Test digit #{index}{label}: {status}{when}\np(true "
                                         "class) after the last epoch: {p}").format(
            index=index, label=label, status=self.tr(STATUSES.get(status, status)), when=when,
            p=number(p[-1], 2)))

    # ------------------------------------------------------------------ private

    def _set_enabled(self, enabled: bool) -> None:
        self.filter_combo.setEnabled(enabled)
        self.sort_combo.setEnabled(enabled)
        self.epoch_spin.setEnabled(enabled and self.filter_combo.currentData() == LEARNED_AT)

    def _clear_curve(self) -> None:
        self.curve.setData([], [])
        self.digit_label.setText(self.tr("Select a digit to see its\np(true class) over the run."))

    def _compute(self) -> list[int]:
        history = self.history
        if history is None:
            return []
        kind = self.filter_combo.currentData()
        learned_at = history.learned_at
        if kind == LEARNED_AT:
            keep = (learned_at == self.epoch_spin.value()) & ~history.never_learned
        elif kind == FORGOTTEN:
            keep = history.forgotten
        elif kind == NEVER_LEARNED:
            keep = history.never_learned
        else:
            keep = np.ones(history.correct.shape[1], bool)
        indices = np.flatnonzero(keep)
        sort = self.sort_combo.currentData()
        if sort == HARDEST:
            indices = indices[np.argsort(history.p_true[-1, indices], kind="stable")]
        elif sort == LATEST:
            indices = indices[np.argsort(-learned_at[indices], kind="stable")]
        return [int(i) for i in indices]

    def _refilter(self) -> None:
        self._indices = self._compute()
        self._set_enabled(self.history is not None)
        self._fill_grid()
        n = len(self._indices)
        total = 0 if self.history is None else self.history.correct.shape[1]
        shown = (self.tr("; the first {shown} are shown").format(shown=MAX_SHOWN)
                 if n > MAX_SHOWN else "")
        self.count_label.setText(self.tr("%Ln digit(s) of {total}{shown}", "", n).format(
            total=count(total), shown=shown))
        self.count_label.setToolTip(self.tr("How many test digits the filter keeps"))
        self.filter_changed.emit(self.filtered_indices())

    def _fill_grid(self) -> None:
        self.grid.blockSignals(True)
        try:
            self.grid.clear()
            status = self.history.status() if self.history is not None else None
            for index in self._indices[:MAX_SHOWN]:
                item = QListWidgetItem()
                if self._images is not None:
                    item.setIcon(digit_icon(self._images[index], THUMB))
                else:
                    item.setText(str(index))
                label = "" if self._labels is None else self.tr(", a {digit}").format(
                    digit=int(self._labels[index]))
                item.setToolTip(self.tr("Test digit #{index}{label}: {status}").format(
                    index=index, label=label,
                    status=self.tr(STATUSES.get(status[index], status[index]))))
                item.setData(Qt.ItemDataRole.UserRole, index)
                self.grid.addItem(item)
        finally:
            self.grid.blockSignals(False)

    @guarded
    def _on_filter_edited(self) -> None:
        self._refilter()

    @guarded
    def _on_grid_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._indices):
            index = self._indices[row]
            self.show_digit(index)
            self.digit_selected.emit(index)
