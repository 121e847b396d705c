"""Health: is each layer learning? Gradient and update sizes, activation histograms, dead or
saturated units, pre-activation statistics (``core/health.py``), and plain-language findings
with a fix the user can apply to the settings form in one click.

Public API (the window wires it; the panel never sees the trainer):

* ``show_health(report)``: a ``core.health.HealthReport`` (as often as it comes: the panel
  keeps every report's numbers for the history plots and redraws at most every
  ``REDRAW_MS``);
* ``show_findings(findings)``: the list ``HealthMonitor.after_epoch`` returns (the epoch
  rules, e.g. overfitting), shown in place of the last report's findings;
* ``clear()`` (a new run or model);
* signal ``fix_requested(dict)``: TrainConfig field -> value, from a finding's Apply button.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.health import Finding, HealthReport
from ..guard import guarded
from ..state import Change, CurrentModel
from ..panel_parts import SparseLogAxis
from ..text import compact, percent, scientific

REDRAW_MS = 250
IDLE_TEXT = QT_TRANSLATE_NOOP("HealthPanel", "No findings yet: they appear while a model trains.")
#: the least height of each row of plots (history, histograms): at 1024 x 640 they were
#: squeezed to 60 px; the panel grows taller than the window instead (which then scrolls)
PLOT_MIN_HEIGHT = 140
# shown through tr() (QT_TRANSLATE_NOOP only marks them for lupdate)
COLUMNS = [
    QT_TRANSLATE_NOOP("HealthPanel", "layer"),
    "‖∇W‖",
    QT_TRANSLATE_NOOP("HealthPanel", "update / weight"),
    QT_TRANSLATE_NOOP("HealthPanel", "dead / saturated"),
    QT_TRANSLATE_NOOP("HealthPanel", "pre-act. mean"),
    QT_TRANSLATE_NOOP("HealthPanel", "pre-act. spread"),
]
COLUMN_TIPS = [
    QT_TRANSLATE_NOOP(
        "HealthPanel", "Weight layer (1 = the first), its normalisation if any, and its activation"
    ),
    QT_TRANSLATE_NOOP(
        "HealthPanel", "Frobenius norm of the loss gradient for this layer's weights"
    ),
    QT_TRANSLATE_NOOP(
        "HealthPanel",
        "How much one step changed the weights, relative to their size (about 1e-3 is typical)",
    ),
    QT_TRANSLATE_NOOP(
        "HealthPanel",
        "ReLU: units never active on the probe digits; sigmoid/tanh: units stuck near a bound",
    ),
    QT_TRANSLATE_NOOP(
        "HealthPanel",
        "Mean of the pre-activations z = xW + b on the probe digits (after the layer's "
        "normalisation, if it has one: what the activation takes)",
    ),
    QT_TRANSLATE_NOOP(
        "HealthPanel", "Standard deviation of the pre-activations (near 0 or huge: trouble)"
    ),
]
COLOURS = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233),
           (213, 94, 0), (120, 120, 120)]


def _fmt(value: float | None, exponent: bool = False) -> str:
    """3 significant digits ("—" for none), in the language's format."""
    if value is None or not np.isfinite(value):
        return "—"
    return scientific(value, 2) if exponent else compact(value, 3)


class HealthPanel(QWidget):
    """Measurements arrive from the training controller (``show_health``,
    ``show_findings``); the state says when a run starts (clear) and ends."""

    fix_requested = Signal(dict)
    follows = frozenset({Change.RESET, Change.ENDED})
    follows_hidden = frozenset({Change.RESET, Change.ENDED})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._latest: HealthReport | None = None
        self._generation = -1
        self._findings: list[Finding] = []
        self._history: list[tuple[int, list[float], list[float | None]]] = []
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

        self.findings_box = QFrame()
        self.findings_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.findings_box.setToolTip(self.tr("What the rules found, each with a suggested change"))
        self._findings_layout = QVBoxLayout(self.findings_box)
        self._findings_layout.setContentsMargins(6, 4, 6, 4)
        self._idle_text = self.tr(IDLE_TEXT)
        self.empty_label = QLabel(self.tr(IDLE_TEXT))
        self.empty_label.setWordWrap(True)  # one line made Health wider than a 1024 px window
        self._findings_layout.addWidget(self.empty_label)
        self._rows: list[QWidget] = []
        self._texts: list[QLabel] = []
        self._shown_keys: list[tuple] | None = None
        self.apply_buttons: list[QPushButton] = []

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setToolTip(self.tr("Per layer, at the latest measurement"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for c, (name, tip) in enumerate(zip(COLUMNS, COLUMN_TIPS)):
            item = QTableWidgetItem(self.tr(name))
            item.setToolTip(self.tr(tip))
            self.table.setHorizontalHeaderItem(c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setFixedHeight(60)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.plots.setToolTip(self.tr(
            "Top: gradient norm and update/weight ratio per layer over the run (log scale). "
            "Bottom: each layer's output histogram"))
        # no legend over the curves: each layer's colour is its histogram's, titled below
        self.grad_plot = self._history_plot(
            0, self.tr("gradient norm ‖∇W‖ (colours: layers below)")
        )
        self.ratio_plot = self._history_plot(1, self.tr("update / weight (dotted: 1e-3)"))
        self.ratio_plot.addItem(pg.InfiniteLine(-3, angle=0, pen=pg.mkPen(150, 150, 150, style=Qt.PenStyle.DotLine)))
        self._grad_lines: list[pg.PlotDataItem] = []
        self._ratio_lines: list[pg.PlotDataItem] = []
        self._hist_plots: list[pg.PlotItem] = []
        self._hist_items: list[pg.PlotDataItem] = []
        self._hist_layout = self.plots.addLayout(row=1, col=0, colspan=2)
        self._hist_layout.setMinimumHeight(PLOT_MIN_HEIGHT)
        grid = self.plots.ci.layout
        _, top, _, bottom = grid.getContentsMargins()
        self.plots.setMinimumHeight(round(2 * PLOT_MIN_HEIGHT + max(grid.verticalSpacing(), 0)
                                          + top + bottom + 2 * self.plots.frameWidth()) + 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.findings_box)
        layout.addWidget(self.table)
        layout.addWidget(self.plots, 1)

    # ------------------------------------------------------------------------ view

    def render(self, state: CurrentModel) -> None:
        if state.generation != self._generation:
            self._generation = state.generation
            self.clear()
            if state.kind == "file":
                self._set_idle(self.tr(
                    "Health is measured while a run trains: an opened model has no "
                    "measurements. Train, or continue its run, to see them."))
            elif state.kind == "tuned":
                self._set_idle(self.tr("Fine-tuning is not measured: train or continue a run "
                                       "to see the health of its layers."))
        if state.kind == "live" and not state.running:
            self.run_ended()

    def _set_idle(self, text: str) -> None:
        self._idle_text = text
        if not self._findings:
            self.empty_label.setText(text)

    # ------------------------------------------------------------------------ public
    def show_health(self, report: HealthReport) -> None:
        self._latest = report
        self._findings = list(report.findings)
        self._history.append((report.batch, [h.grad_norm for h in report.layers],
                              [h.update_ratio for h in report.layers]))
        self._schedule()

    def show_findings(self, findings: list[Finding]) -> None:
        self._findings = list(findings)
        self._schedule()

    def run_ended(self) -> None:
        """The run ended: if it was too short for a measurement, say so (not "while a model
        trains", which it just did)."""
        if self._latest is None:
            self._idle_text = self.tr("No measurements: the run ended before the first (at "
                                      "most one every 100 batches).")
            if not self._findings:
                self.empty_label.setText(self._idle_text)

    def clear(self) -> None:
        self._idle_text = self.tr(IDLE_TEXT)
        self._latest = None
        self._findings = []
        self._history = []
        self._timer.stop()
        self._dirty = False
        self.table.setRowCount(0)
        self.table.setFixedHeight(60)
        self._set_layers(0)
        # no stale ranges from the last run: a neutral view (with no data, auto-range alone
        # keeps the old one), fitted again to the next run's first numbers
        for plot in (self.grad_plot, self.ratio_plot):
            plot.setRange(xRange=(0, 1), yRange=(-1, 1), padding=0)
            plot.enableAutoRange()
        self._show_findings()

    # ------------------------------------------------------------------ drawing
    def _schedule(self) -> None:
        if not self.isVisible():
            self._dirty = True  # drawn when shown: a hidden panel costs the training nothing
        elif not self._timer.isActive():
            self._redraw()  # the first change shows at once, later ones at most every REDRAW_MS
            self._timer.start()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:  # noqa: ANN001 - a QShowEvent
        super().showEvent(event)
        if self._dirty:
            self._on_timer_timeout()

    @guarded
    def _on_timer_timeout(self) -> None:
        if self._dirty and self.isVisible():
            self._dirty = False
            self._redraw()
            self._timer.start()

    def _redraw(self) -> None:
        self._show_findings()
        report = self._latest
        if report is None:
            return
        layers = report.layers
        if len(self._hist_items) != len(layers):
            self._set_layers(len(layers))
        self.table.setRowCount(len(layers))
        for r, h in enumerate(layers):
            if h.dead_fraction is not None:
                unhealthy = self.tr("{share} dead").format(share=percent(h.dead_fraction, 0))
            elif h.saturated_fraction is not None:
                unhealthy = self.tr("{share} saturated").format(
                    share=percent(h.saturated_fraction, 0))
            else:
                unhealthy = "—"
            label = h.activation if h.normalization is None else (
                f"{h.normalization.replace('_norm', ' norm')}, {h.activation}")
            cells = [
                f"{h.layer} ({label})",
                _fmt(h.grad_norm),
                _fmt(h.update_ratio, exponent=True),
                unhealthy,
                _fmt(h.preact_mean),
                _fmt(h.preact_std),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        header = self.table.horizontalHeader().height()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(header + rows + 2 * self.table.frameWidth() + 2)
        batches = np.array([b for b, _, _ in self._history], np.float64)
        for l in range(len(layers)):
            grads = np.array([g[l] if l < len(g) else np.nan for _, g, _ in self._history], np.float64)
            ratios = np.array([np.nan if l >= len(u) or u[l] is None else u[l]
                               for _, _, u in self._history], np.float64)
            self._grad_lines[l].setData(batches, _positive(grads), connect="finite")
            self._ratio_lines[l].setData(batches, _positive(ratios), connect="finite")
            h = layers[l]
            self._hist_items[l].setData(h.edges, h.histogram.astype(np.float64))
            what = (self.tr("layer {layer} output ({activation})") if l < len(layers) - 1
                    else self.tr("layer {layer} logits (before {activation})"))
            colour = pg.mkColor(*COLOURS[l % len(COLOURS)]).name()
            self._hist_plots[l].setTitle(what.format(layer=h.layer, activation=h.activation),
                                         color=colour, size="8pt")

    def _show_findings(self) -> None:
        # the fix is part of the key: a button must never apply an older finding's change
        keys = [(f.rule, f.layer, f.fix_label, tuple(sorted(f.fix.items()))) for f in self._findings]
        # the empty line follows every change: a measurement arriving after "no
        # measurements" was said (same empty findings) used to leave it above a filled table
        self.empty_label.setVisible(not self._findings)
        if not self._findings and self._latest is not None:
            self.empty_label.setText(self.tr("No findings: every rule is quiet."))
        elif not self._findings:
            self.empty_label.setText(self._idle_text)
        if keys == self._shown_keys:  # same findings, newer numbers: keep the buttons
            for label, finding in zip(self._texts, self._findings):
                label.setText(_finding_text(finding))
            return
        self._shown_keys = keys
        for row in self._rows:
            self._findings_layout.removeWidget(row)
            row.deleteLater()
        self._rows = []
        self._texts = []
        self.apply_buttons = []
        for finding in self._findings:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(_finding_text(finding))
            text.setWordWrap(True)
            text.setToolTip(self.tr("Rule '{rule}' (see Help > Health rules)").format(
                rule=finding.rule))
            button = QPushButton(self.tr("Apply"))
            button.setToolTip(self.tr("Put this change in the settings form: {change}").format(
                change=", ".join(f"{k} = {v}" for k, v in finding.fix.items())))
            button.setObjectName(f"health_apply_{finding.rule}")
            fix = dict(finding.fix)
            button.clicked.connect(lambda _=False, fix=fix: self._on_apply_clicked(fix))
            line.addWidget(text, 1)
            line.addWidget(button)
            self._findings_layout.addWidget(row)
            self._rows.append(row)
            self._texts.append(text)
            self.apply_buttons.append(button)

    @guarded
    def _on_apply_clicked(self, fix: dict) -> None:
        self.fix_requested.emit(dict(fix))

    def _set_layers(self, n: int) -> None:
        for item in self._grad_lines:
            self.grad_plot.removeItem(item)
        for item in self._ratio_lines:
            self.ratio_plot.removeItem(item)
        self._hist_layout.clear()
        self._grad_lines, self._ratio_lines, self._hist_plots, self._hist_items = [], [], [], []
        for l in range(n):
            colour = COLOURS[l % len(COLOURS)]
            pen = pg.mkPen(colour, width=2)
            self._grad_lines.append(self.grad_plot.plot([], [], pen=pen))
            self._ratio_lines.append(self.ratio_plot.plot([], [], pen=pen))
            plot = self._hist_layout.addPlot(row=0, col=l)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.getAxis("left").setStyle(showValues=False)
            item = pg.PlotDataItem(np.arange(2, dtype=float), np.zeros(1), stepMode="center",
                                   fillLevel=0, brush=pg.mkBrush(*colour, 150), pen=pen)
            plot.addItem(item)
            self._hist_plots.append(plot)
            self._hist_items.append(item)

    def _history_plot(self, col: int, title: str) -> pg.PlotItem:
        # labels 1, 2 and 5 of each decade only (pyqtgraph's 1..9 pile up), and no grid
        # (its translucent lines are the slowest part of a repaint)
        plot = self.plots.addPlot(row=0, col=col, axisItems={"left": SparseLogAxis("left")})
        plot.setTitle(title, color="k", size="9pt")
        plot.setLogMode(y=True)
        plot.setLabel("bottom", self.tr("batch"))
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        return plot


def _finding_text(finding: Finding) -> str:
    message = finding.message[:1].upper() + finding.message[1:]
    end = "" if message.endswith(("?", ".", "!")) else "."
    # the finding's words come from core.health, in English (the core has no Qt)
    return QCoreApplication.translate("HealthPanel", "⚠ {message}{end} Try: {fix}.").format(
        message=message, end=end, fix=finding.fix_label)


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: non-positive ones become gaps (NaN)."""
    out = values.copy()
    out[~(out > 0)] = np.nan
    return out
