"""Every misclassified test digit of the current model, with the confusion matrix, the
per-class report and the most uncertain correct answers; a selected digit is shown large
with the network's probabilities for every class."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.evaluation import ModelEvaluation
from ...core.metrics import Mistakes
from ..guard import guarded
from ..state import Change, CurrentModel
from ..summary_strip import SummaryCard
from ..widgets import ComboBox

ACCURACY_HEADER = "right"
ACCURACY_TIP = "Of the true {digit}s, {accuracy:.1f}% are classified correctly"
ACCURACY_COLUMN = 46  # px: "100%" over its bar
MATRIX_ROW = 18  # px per confusion-matrix row: ten of them fit under a 1024x640 window
THUMB = 56  # thumbnail side in pixels (28 x 2)
CELL = QSize(THUMB + 64, THUMB + 40)  # a thumbnail and its two-line "true 6, said 1, 99% sure"
CAPTION = "true {true}, said {said},\n{sure:.0f}% sure"
TIP = "Test image #{row}: true {true}, said {said}, {sure:.1f}% sure"
DETAIL = "Test image #{row}: true {true} (green bar), said {said} ({sure:.1f}% sure)"
NO_RESULTS = "Train or load a model to see the test digits it gets wrong."
ERRORS_OF = "{errors:,} of {n:,}"
SUMMARY = "{title}: {errors:,} of {n:,} test digits wrong (accuracy {accuracy:.2f}%, loss {loss:.4f})"
CARDS = [("accuracy", "Test accuracy", "Share of the test digits the model gets right"),
         ("loss", "Test loss", "Mean loss on the test digits (lower is better)"),
         ("confidence", "Mean confidence", "The probability of its answer, averaged over the "
          "test digits"),
         ("errors", "Mistakes", "Test digits it gets wrong, of all test digits")]
SORTS = ("most confident first", "least confident first", "by true digit", "by predicted digit")
KINDS = ("mistakes", "most uncertain correct", "correctly classified")


def digit_pixmap(image: np.ndarray, side: int, shape: tuple[int, int] = (28, 28)) -> QPixmap:
    """A (784,) uint8 digit as a black-on-white pixmap of ``side`` pixels."""
    pixels = np.ascontiguousarray(255 - image.reshape(shape), dtype=np.uint8)
    qimage = QImage(pixels.data, shape[1], shape[0], shape[1], QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(qimage.copy()).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class DigitListModel(QAbstractListModel):
    """One row per digit shown: thumbnail, "true → predicted (confidence)"."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = np.zeros(0, np.int64)  # row in the evaluated set
        self.true = np.zeros(0, np.int64)
        self.predicted = np.zeros(0, np.int64)
        self.confidence = np.zeros(0)
        self.images = np.zeros((0, 784), np.uint8)
        self.classes: list[int] = list(range(10))
        self._pixmaps: dict[int, QPixmap] = {}

    def set_items(self, rows, true, predicted, confidence, images, classes) -> None:
        self.beginResetModel()
        self.rows, self.true, self.predicted = rows, true, predicted
        self.confidence, self.images, self.classes = confidence, images, classes
        self._pixmaps = {}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        i = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            t, p = self.classes[self.true[i]], self.classes[self.predicted[i]]
            return CAPTION.format(true=t, said=p, sure=100 * self.confidence[i])
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self._pixmaps.get(i)
            if pixmap is None:
                pixmap = self._pixmaps[i] = digit_pixmap(self.images[self.rows[i]], THUMB)
            return pixmap
        if role == Qt.ItemDataRole.ToolTipRole:
            t, p = self.classes[self.true[i]], self.classes[self.predicted[i]]
            return TIP.format(row=self.rows[i], true=t, said=p, sure=100 * self.confidence[i])
        if role == Qt.ItemDataRole.SizeHintRole:
            return CELL  # else the caption is cut to the icon's width
        if role == Qt.ItemDataRole.ForegroundRole and self.true[i] != self.predicted[i]:
            return QColor("#b00000")
        return None


class AccuracyBarDelegate(QStyledItemDelegate):
    """Draws a cell holding a fraction (``UserRole``) as a horizontal bar under its text: the
    confusion matrix's accuracy column, one bar per true digit, on the digit's own row."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        fraction = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(fraction, float):
            rect = option.rect.adjusted(2, 3, -2, -3)
            painter.save()
            painter.fillRect(rect, QColor("#e8edf3"))
            painter.fillRect(rect.adjusted(0, 0, -round(rect.width() * (1 - fraction)), 0),
                             QColor("#9fc5e8"))
            painter.restore()
            option.backgroundBrush = QBrush()  # the bar is the background
        super().paint(painter, option, index)


class MistakesPanel(QWidget):
    """Public slots: ``clear()``, ``show_evaluation(evaluation)``."""

    digit_selected = Signal(int)  # row in the evaluated set
    follows = frozenset({Change.RESET, Change.EVALUATION, Change.ENDED})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._evaluation: ModelEvaluation | None = None
        self._correct: Mistakes | None = None  # every correct answer, made when first asked
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        self.summary = QLabel(NO_RESULTS)
        self.summary.setObjectName("mistakesSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        # the accuracy first, large; then loss, mean confidence and the error count
        self.cards = {key: SummaryCard(key, title, tip) for key, title, tip in CARDS}
        self.cards["accuracy"].value.setStyleSheet(
            "font-size: 30px; font-weight: bold; color: #0b5394;")
        cards = QHBoxLayout()
        cards.setSpacing(6)
        for key, card in self.cards.items():
            cards.addWidget(card, 2 if key == "accuracy" else 1)
        layout.addLayout(cards)

        controls = QGridLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        self.kind_combo = ComboBox()
        self.kind_combo.setObjectName("mistakesKindCombo")
        self.kind_combo.addItems(KINDS)
        self.kind_combo.setToolTip(
            "mistakes: digits the model gets wrong; most uncertain correct: right answers with "
            "the smallest margin over the runner-up; correctly classified: every right answer")
        self.sort_combo = ComboBox()
        self.sort_combo.setObjectName("sortCombo")
        self.sort_combo.addItems(SORTS)
        self.true_combo = ComboBox()
        self.true_combo.setObjectName("trueFilterCombo")
        self.predicted_combo = ComboBox()
        self.predicted_combo.setObjectName("predictedFilterCombo")
        for combo in (self.kind_combo, self.sort_combo, self.true_combo, self.predicted_combo):
            # wide enough for the longest item: never "most confident fi"
            combo.setSizeAdjustPolicy(ComboBox.SizeAdjustPolicy.AdjustToContents)
        # above the list, in its column: the matrix beside them gets the panel's full height
        controls.addWidget(QLabel("Show"), 0, 0)
        controls.addWidget(self.kind_combo, 0, 1, 1, 3)
        controls.addWidget(QLabel("Sort"), 1, 0)
        controls.addWidget(self.sort_combo, 1, 1, 1, 3)
        controls.addWidget(QLabel("True"), 2, 0)
        controls.addWidget(self.true_combo, 2, 1)
        controls.addWidget(QLabel("Said"), 2, 2)
        controls.addWidget(self.predicted_combo, 2, 3)
        controls.setColumnStretch(1, 1)
        controls.setColumnStretch(3, 1)

        self.list_hint = QLabel("")
        self.list_hint.setObjectName("mistakesListHint")
        self.list_hint.setWordWrap(True)
        self.list_hint.setStyleSheet("color: #555555;")
        self.list_hint.hide()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        list_column = QWidget()
        list_layout = QVBoxLayout(list_column)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(2)
        list_layout.addLayout(controls)
        list_layout.addWidget(self.list_hint)
        self.model = DigitListModel()
        self.list_view = QListView()
        self.list_view.setObjectName("errorsView")
        self.list_view.setModel(self.model)
        self.list_view.setViewMode(QListView.ViewMode.IconMode)
        self.list_view.setIconSize(QSize(THUMB, THUMB))
        self.list_view.setGridSize(CELL)
        self.list_view.setWordWrap(True)
        self.list_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.list_view.setMovement(QListView.Movement.Static)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.list_view.setBatchSize(200)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setMinimumWidth(CELL.width() + 24)
        list_layout.addWidget(self.list_view, 1)
        splitter.addWidget(list_column)

        # the side: the confusion matrix with each digit's accuracy, the per-class report,
        # and the selected digit large, one at a time (all ten rows fit a 1024x640 window)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("mistakesSideTabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.setUsesScrollButtons(True)
        matrix_page = QWidget()
        matrix_layout = QVBoxLayout(matrix_page)
        matrix_layout.setContentsMargins(0, 2, 0, 0)
        matrix_layout.setSpacing(2)
        matrix_title = QLabel("Rows: the true digit; columns: what it said; right: its accuracy")
        matrix_title.setStyleSheet("color: #555555;")
        matrix_title.setWordWrap(True)
        matrix_title.setToolTip("Click a cell to list those digits")
        self.confusion_table = QTableWidget()
        self.confusion_table.setObjectName("confusionTable")
        self.confusion_table.setToolTip("rows: true digit, columns: what the model said; click "
                                        "a cell to list those digits")
        self.confusion_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.confusion_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.confusion_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion_table.horizontalHeader().setMinimumSectionSize(24)
        self.confusion_table.verticalHeader().setMinimumSectionSize(MATRIX_ROW)
        # ten rows of MATRIX_ROW px, never scrolled: the rows stretch, never shrink below it
        self.confusion_table.setMinimumHeight(11 * MATRIX_ROW + 6)
        self.confusion_table.setItemDelegate(AccuracyBarDelegate(self.confusion_table))
        # a count of four digits fits a 1024 px window's column whole ("1088", not "10…")
        self.confusion_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.confusion_table.setStyleSheet("QTableWidget::item { padding: 0px; }")
        small = self.confusion_table.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.confusion_table.setFont(small)
        matrix_layout.addWidget(matrix_title)
        matrix_layout.addWidget(self.confusion_table, 1)
        self.side_tabs.addTab(matrix_page, "Confusion matrix")

        self.report_table = QTableWidget()
        self.report_table.setObjectName("reportTable")
        self.report_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.report_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.report_table.horizontalHeader().setStretchLastSection(True)
        self.report_table.verticalHeader().setDefaultSectionSize(20)
        self.report_table.setToolTip(
            "precision: of the digits it called k, the share that are k; recall: of the true "
            "k, the share it found; F1: their harmonic mean; support: how many true k")
        self.side_tabs.addTab(self.report_table, "Per digit")

        detail_page = QWidget()
        detail_layout = QGridLayout(detail_page)
        detail_layout.setContentsMargins(0, 2, 0, 0)
        self.detail_image = QLabel()
        self.detail_image.setObjectName("detailImage")
        self.detail_image.setFixedSize(140, 140)
        self.detail_image.setStyleSheet("background: white; border: 1px solid #ccc;")
        self.detail_label = QLabel("Select a digit in the list.")
        self.detail_label.setWordWrap(True)
        self.detail_plot = pg.PlotWidget()
        self.detail_plot.setObjectName("detailPlot")
        self.detail_plot.setBackground("w")
        self.detail_plot.setYRange(0, 1)
        self.detail_plot.setMouseEnabled(False, False)
        self.detail_plot.hideButtons()
        self.detail_plot.setToolTip("The model's probability for each digit: green the true "
                                    "digit, red a wrong answer")
        self.detail_bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                           brush="#1f77b4")
        self.detail_plot.addItem(self.detail_bars)
        detail_layout.addWidget(self.detail_image, 0, 0)
        detail_layout.addWidget(self.detail_label, 0, 1)
        detail_layout.addWidget(QLabel("Probability of each digit"), 1, 0, 1, 2)
        detail_layout.addWidget(self.detail_plot, 2, 0, 1, 2)
        detail_layout.setColumnStretch(1, 1)
        detail_layout.setRowStretch(2, 1)
        self.side_tabs.addTab(detail_page, "Selected digit")
        splitter.addWidget(self.side_tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([2 * CELL.width() + 24, 340])  # two columns of digits, if room

        for combo in (self.kind_combo, self.sort_combo, self.true_combo, self.predicted_combo):
            combo.currentIndexChanged.connect(self._refresh_list)
        self.confusion_table.cellClicked.connect(self._on_confusion_cell_clicked)
        self.list_view.selectionModel().currentChanged.connect(self._on_digit_current_changed)
        self._set_classes(list(range(10)))

    # ------------------------------------------------------------------------ view

    def render(self, state: CurrentModel) -> None:
        evaluation = state.shown_evaluation
        if evaluation is not None:
            self.show_evaluation(evaluation, state.evaluation_title)
            return
        self.clear()
        if state.viewing_moment:
            self.summary.setText(f"Cannot score {state.moment_label}: {state.moment_error}"
                                 if state.moment_error else
                                 f"Scoring {state.moment_label} on the test set…")
        elif state.running:
            self.summary.setText(f"{state.source}: its test results come when an epoch ends.")
        elif state.shown_model is not None:
            self.summary.setText(f"{state.source}: scoring it on the test set…")

    # ------------------------------------------------------------------------ slots

    def clear(self) -> None:
        """Show nothing (no model, or a new one whose results are not in yet)."""
        self._evaluation = None
        self._correct = None
        self.model.set_items(*(np.zeros(0, np.int64),) * 3, np.zeros(0), np.zeros((0, 784), np.uint8),
                             list(range(10)))
        self.summary.setText(NO_RESULTS)
        for card in self.cards.values():
            card.set("")
        self._set_hint("")
        self.confusion_table.clear()
        self.confusion_table.setRowCount(0)
        self.confusion_table.setColumnCount(0)
        self.report_table.clear()
        self.report_table.setRowCount(0)
        self.report_table.setColumnCount(0)
        self._set_classes(list(range(10)))
        self._clear_detail(10)

    @property
    def evaluation(self) -> ModelEvaluation | None:
        """The results shown, or None."""
        return self._evaluation

    def show_evaluation(self, evaluation: ModelEvaluation, title: str | None = None) -> None:
        """Show a model's test-set results (``core.evaluation.ModelEvaluation``); ``title``
        says where they come from (default "Epoch N")."""
        report = evaluation.report
        if self._evaluation is None or self._evaluation.report.classes != report.classes:
            self._set_classes(report.classes)
            self._clear_detail(len(report.classes))
        self._evaluation = evaluation
        self._correct = None
        n = len(report.y_true)
        self.summary.setText(SUMMARY.format(
            title=title or f"Epoch {evaluation.epoch}", errors=len(report.mistakes), n=n,
            accuracy=100 * report.accuracy, loss=report.loss))
        confidence = float(report.probabilities.max(axis=1).mean()) if n else float("nan")
        for key, text in (("accuracy", f"{100 * report.accuracy:.2f}%"),
                          ("loss", f"{report.loss:.4f}"),
                          ("confidence", f"{100 * confidence:.1f}%"),
                          ("errors", ERRORS_OF.format(errors=len(report.mistakes), n=n))):
            self.cards[key].set(text)
        self._fill_confusion(report)
        self._fill_report(report)
        self._refresh_list()

    # --------------------------------------------------------------------- internals

    def _set_classes(self, classes: list[int]) -> None:
        for combo in (self.true_combo, self.predicted_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("all", -1)
            for index, c in enumerate(classes):
                combo.addItem(str(c), index)
            combo.blockSignals(False)

    def _fill_confusion(self, report) -> None:
        cm = report.confusion
        k = len(report.classes)
        table = self.confusion_table
        table.clear()
        table.setRowCount(k)
        table.setColumnCount(k + 1)
        labels = [str(c) for c in report.classes]
        table.setHorizontalHeaderLabels([*labels, ACCURACY_HEADER])
        table.setVerticalHeaderLabels(labels)
        header = table.horizontalHeader()
        header.setSectionResizeMode(k, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(k, ACCURACY_COLUMN)
        for i, recall in enumerate(report.report.recall):
            item = QTableWidgetItem(f"{100 * recall:.0f}%" if np.isfinite(recall) else "")
            item.setData(Qt.ItemDataRole.UserRole, float(np.nan_to_num(recall)))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(ACCURACY_TIP.format(digit=labels[i], accuracy=100 * recall))
            table.setItem(i, k, item)
        off_max = max(int((cm - np.diag(np.diag(cm))).max()), 1)
        for i in range(k):
            for j in range(k):
                item = QTableWidgetItem(str(int(cm[i, j])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if i == j:
                    item.setBackground(QColor("#dff0d8"))
                elif cm[i, j]:
                    alpha = int(40 + 200 * cm[i, j] / off_max)
                    item.setBackground(QColor(214, 39, 40, alpha))
                table.setItem(i, j, item)

    def digit_accuracies(self) -> list[str]:
        """The accuracy written on each true digit's bar (the matrix's last column)."""
        table = self.confusion_table
        column = table.columnCount() - 1
        return [table.item(i, column).text() for i in range(table.rowCount())] if column > 0 else []

    def _set_hint(self, text: str) -> None:
        self.list_hint.setText(text)
        self.list_hint.setVisible(bool(text))

    def _fill_report(self, report) -> None:
        r = report.report
        table = self.report_table
        table.clear()
        table.setRowCount(len(r.classes) + 2)
        table.setColumnCount(4)
        table.setHorizontalHeaderLabels(["precision", "recall", "F1", "support"])
        labels = [str(c) for c in r.classes] + ["macro avg", "weighted avg"]
        table.setVerticalHeaderLabels(labels)
        rows = list(zip(r.precision, r.recall, r.f1, r.support))
        total = int(r.support.sum())
        rows += [(*r.macro, total), (*r.weighted, total)]
        for i, (p, rec, f, s) in enumerate(rows):
            for j, text in enumerate((f"{p:.4f}", f"{rec:.4f}", f"{f:.4f}", str(int(s)))):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(i, j, item)

    def _clear_detail(self, k: int) -> None:
        self.detail_image.clear()
        self.detail_label.setText("Select a digit in the list.")
        self.detail_bars.setOpts(x=np.arange(k), height=np.zeros(k), brushes=["#1f77b4"] * k)

    def _chosen(self) -> Mistakes:
        """The digits of the kind chosen: mistakes, uncertain or all correct answers."""
        report = self._evaluation.report
        kind = self.kind_combo.currentIndex()
        if kind == 0:
            return report.mistakes
        if kind == 1:
            return report.uncertain
        if self._correct is None:
            predicted = report.probabilities.argmax(axis=1)
            rows = np.flatnonzero(predicted == report.y_true)
            self._correct = Mistakes(rows, report.y_true[rows], predicted[rows],
                                     report.probabilities[rows, predicted[rows]])
        return self._correct

    @guarded
    def _refresh_list(self) -> None:
        if self._evaluation is None:
            return
        report = self._evaluation.report
        chosen = self._chosen()
        keep = np.ones(len(chosen), bool)
        true_filter = self.true_combo.currentData()
        predicted_filter = self.predicted_combo.currentData()
        if true_filter is not None and true_filter >= 0:
            keep &= chosen.true == true_filter
        if predicted_filter is not None and predicted_filter >= 0:
            keep &= chosen.predicted == predicted_filter
        rows, true, pred, conf = chosen.index[keep], chosen.true[keep], chosen.predicted[keep], chosen.confidence[keep]
        sort = self.sort_combo.currentIndex()
        if sort == 0:
            order = np.argsort(-conf, kind="stable")
        elif sort == 1:
            order = np.argsort(conf, kind="stable")
        elif sort == 2:
            order = np.lexsort((-conf, true))
        else:
            order = np.lexsort((-conf, pred))
        self.model.set_items(rows[order], true[order], pred[order], conf[order],
                             self._evaluation.images, report.classes)
        self._set_hint(self._why_empty(true_filter, predicted_filter) if not len(rows) else "")
        if len(rows):
            self.list_view.setCurrentIndex(self.model.index(0))
        else:
            self._clear_detail(len(report.classes))
        self._highlight_cell(true_filter, predicted_filter)

    def _why_empty(self, true_filter: int | None, predicted_filter: int | None) -> str:
        classes = self._evaluation.report.classes
        t = classes[true_filter] if true_filter is not None and true_filter >= 0 else None
        p = classes[predicted_filter] if predicted_filter is not None and predicted_filter >= 0 else None
        kind = self.kind_combo.currentIndex()
        if kind == 0:
            if t is not None and t == p:
                return (f"A {t} predicted as {t} is not a mistake: choose \"correctly classified\" "
                        "(or click the diagonal cell) to see them.")
            if t is not None and p is not None:
                return f"No test {t} was mistaken for a {p}."
            if t is not None:
                return f"Every test {t} is classified correctly."
            if p is not None:
                return f"Nothing was wrongly predicted as {p}."
            return "No mistakes: every test digit is classified correctly."
        if t is not None and p is not None and t != p:
            return f"A {t} predicted as {p} is a mistake, not a correct answer: choose \"mistakes\"."
        return "No correctly classified digits match these filters."

    def _highlight_cell(self, true_filter: int | None, predicted_filter: int | None) -> None:
        """The confusion cell of the two filters stays selected, and only while both are set."""
        table = self.confusion_table
        table.blockSignals(True)
        if (true_filter is not None and true_filter >= 0 and predicted_filter is not None
                and predicted_filter >= 0 and true_filter < table.rowCount()
                and predicted_filter < table.columnCount()):
            table.setCurrentCell(true_filter, predicted_filter)
        else:
            table.clearSelection()
            table.setCurrentCell(-1, -1)
        table.blockSignals(False)

    @guarded
    def _on_confusion_cell_clicked(self, row: int, column: int) -> None:
        """Filter to that cell: mistakes off the diagonal, the correct answers on it (the
        accuracy column filters to the true digit's mistakes)."""
        if self._evaluation is not None and column >= len(self._evaluation.report.classes):
            column = -1
        for combo, value in ((self.kind_combo, 2 if row == column else 0),
                             (self.true_combo, self.true_combo.findData(row)),
                             (self.predicted_combo, max(self.predicted_combo.findData(column), 0))):
            combo.blockSignals(True)
            combo.setCurrentIndex(value)
            combo.blockSignals(False)
        self._refresh_list()

    @guarded
    def _on_digit_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self._evaluation is None:
            return
        i = current.row()
        row = int(self.model.rows[i])
        report = self._evaluation.report
        self.detail_image.setPixmap(digit_pixmap(self._evaluation.images[row], 140))
        probabilities = report.probabilities[row]
        k = len(report.classes)
        colors = ["#1f77b4"] * k
        colors[int(self.model.true[i])] = "#2ca02c"
        if self.model.predicted[i] != self.model.true[i]:
            colors[int(self.model.predicted[i])] = "#d62728"
        self.detail_bars.setOpts(x=np.arange(k), height=probabilities, brushes=colors)
        axis = self.detail_plot.getAxis("bottom")
        axis.setTicks([[(j, str(c)) for j, c in enumerate(report.classes)]])
        t, p = report.classes[self.model.true[i]], report.classes[self.model.predicted[i]]
        self.detail_label.setText(DETAIL.format(
            row=row, true=t, said=p, sure=100 * probabilities[self.model.predicted[i]]))
        self.digit_selected.emit(row)
