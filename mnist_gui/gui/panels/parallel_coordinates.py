"""Parallel coordinates in pyqtgraph: one vertical axis per swept setting and one for the
metric, one line per trial coloured by its value (viridis: dark low, yellow high), and a
brush on every axis: drag its handles (or ``brush(name, low, high)``) to keep only the
trials inside every brushed range; the others fade, and ``brushed`` tells the owner (the
Sweeps view filters its table by ``passes(trial)``).
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from ..guard import guarded

#: a brush that covers the axis from end to end filters nothing
FULL = (-0.02, 1.02)


def show_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "none" if value is None else str(value)


class Axis:
    """One parallel-coordinates axis: how a value maps to [0, 1] and back."""

    def __init__(self, name: str, values: list[Any], spec: Any = None) -> None:
        self.name = name
        self.log = bool(spec is not None and spec.is_range and spec.log)
        flat = [v[0] if isinstance(v, list) and len(v) == 1 else v for v in values]
        numeric = [v for v in flat if isinstance(v, (int, float)) and not isinstance(v, bool)]
        self.categories: list[str] | None = None
        #: the values labelled beside the axis (a short list or choice); else its two ends
        self.ticks: list[Any] = []
        listed = [first_value(v) for v in spec.values] if spec is not None and not spec.is_range \
            else []
        if listed and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                          for v in listed):
            numeric, flat = numeric + listed, flat + listed
        if len(numeric) != len(flat) or not flat:
            order = [show_value(v) for v in (spec.values if spec is not None and not spec.is_range
                                        else values)]
            self.categories = list(dict.fromkeys(order + [show_value(v) for v in values]))
            self.low, self.high = 0.0, float(max(len(self.categories) - 1, 1))
            if len(self.categories) <= 8:
                self.ticks = list(self.categories)
        else:
            low, high = min(numeric), max(numeric)
            if spec is not None and spec.is_range:
                low, high = spec.low, spec.high
            elif low > 0 and high / low >= 20:
                self.log = True  # e.g. rates 0.01, 0.03, 0.1, 0.3: evenly spaced
            if listed and len(set(listed)) <= 8:
                self.ticks = sorted(set(listed))
            self.low, self.high = self.transform(low), self.transform(high)
            if self.high == self.low:
                self.low, self.high = self.low - 0.5, self.high + 0.5

    def transform(self, x: float) -> float:
        """``x`` as the axis measures it (its log10 on a log axis)."""
        return math.log10(x) if self.log and x > 0 else float(x)

    def position(self, value: Any) -> float | None:
        """``value`` on this axis, 0 (bottom) to 1 (top); None if it has none."""
        if value is None and self.categories is None:
            return None
        if self.categories is not None:
            text = show_value(value)
            if text not in self.categories:
                return None
            return self.categories.index(text) / self.high if len(self.categories) > 1 else 0.5
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        return (self.transform(value) - self.low) / (self.high - self.low)

    def label(self, position: float) -> str:
        if self.categories is not None:
            index = int(round(position * self.high))
            return self.categories[index] if 0 <= index < len(self.categories) else ""
        t = self.low + position * (self.high - self.low)
        return f"{10 ** t:.3g}" if self.log else f"{t:.4g}"


def first_value(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


class ParallelCoordinates(pg.PlotWidget):
    """The trials of a sweep on parallel axes; ``show_trials`` draws (and redraws) them."""

    brushed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parallelPlot")
        self.setBackground("w")
        self.setToolTip("One line per trial, coloured by its value (dark: low, yellow: high). "
                        "Drag an axis's handles to keep only the trials inside.")
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        self._axes: list[Axis] = []
        self._brushes: dict[str, tuple[float, float]] = {}
        self._rois: list[pg.ROI] = []
        self._lines: dict[int, pg.PlotDataItem] = {}
        self._trials: list[Any] = []

    def reset(self) -> None:
        """Another sweep: no axes, lines or brushes."""
        self.getPlotItem().clear()
        self._axes, self._brushes, self._rois, self._lines, self._trials = [], {}, [], {}, []

    def brush(self, name: str, low: float | str, high: float | str) -> None:
        """Keep only the trials whose ``name`` (a swept setting, or "value" for the metric
        in %) lies in [low, high] (categories: by their labels)."""
        axis_index = next(i for i, a in enumerate(self._axes) if a.name == name)
        axis = self._axes[axis_index]
        if name == "value":
            low, high = float(low) / 100, float(high) / 100
        a, b = axis.position(low), axis.position(high)
        if a is None or b is None:
            raise ValueError(f"{low!r}..{high!r} is not on the {name} axis")
        lo, hi = min(a, b) - 1e-6, max(a, b) + 1e-6
        roi = self._rois[axis_index]
        roi.setPos([axis_index - 0.06, lo])
        roi.setSize([0.12, hi - lo])  # sigRegionChanged filters

    def clear_brushes(self) -> None:
        for i, roi in enumerate(self._rois):
            roi.setPos([i - 0.06, FULL[0]])
            roi.setSize([0.12, FULL[1] - FULL[0]])

    def passes(self, trial: Any) -> bool:
        """Whether ``trial`` (a core.sweep.TrialInfo) is inside every brushed range."""
        for axis in self._axes:
            if axis.name not in self._brushes:
                continue
            low, high = self._brushes[axis.name]
            position = axis.position(trial.value if axis.name == "value"
                                     else trial.params.get(axis.name))
            if position is None or not low <= position <= high:
                return False
        return True

    def show_trials(self, params: list[Any], metric: str, trials: list[Any]) -> None:
        """Draw ``trials`` (core.sweep.TrialInfo) on one axis per ``params`` (the swept
        settings' ParamSpecs) and one for their value ("val" or "test" ``metric``)."""
        plot = self.getPlotItem()
        self._trials = list(trials)
        axes = [Axis(p.name, [t.params.get(p.name) for t in trials], p) for p in params]
        values = [t.value for t in trials if t.value is not None]
        axes.append(Axis("value", values or [0.0, 1.0]))
        same = [a.name for a in axes] == [a.name for a in self._axes]
        if not same:  # another sweep: new axes and brushes
            plot.clear()
            self._lines = {}
            self._rois = []
            for i, axis in enumerate(axes):
                plot.addItem(pg.InfiniteLine(i, angle=90, pen=pg.mkPen("#888")))
                title = pg.TextItem(axis.name if axis.name != "value" else
                                    f"{metric} accuracy", color="#222",
                                    anchor=(0.5, 0.0))
                title.setPos(i, 1.25)
                plot.addItem(title)
                roi = pg.ROI([i - 0.06, FULL[0]], [0.12, FULL[1] - FULL[0]],
                             pen=pg.mkPen(0, 114, 178, 160, width=1), movable=True,
                             rotatable=False, resizable=False)
                roi.addScaleHandle([0.5, 1], [0.5, 0])
                roi.addScaleHandle([0.5, 0], [0.5, 1])
                roi.sigRegionChanged.connect(self._on_brush_moved)
                plot.addItem(roi)
                self._rois.append(roi)
            plot.setXRange(-0.5, len(axes) - 0.5, padding=0)
            plot.setYRange(-0.12, 1.26, padding=0)
        else:
            for item in list(plot.items):
                if getattr(item, "_end_label", False):
                    plot.removeItem(item)
        self._axes = axes
        for i, axis in enumerate(axes):  # the ends' values (the metric's range changes)
            if axis.ticks:  # each value of a short list, beside the axis
                for tick in axis.ticks:
                    position = axis.position(tick)
                    if position is None:
                        continue
                    label = pg.TextItem(show_value(tick), color="#555", anchor=(1.0, 0.5))
                    label._end_label = True
                    label.setPos(i - 0.07, position)
                    plot.addItem(label)
                continue
            for position, anchor in ((0.0, (0.5, -0.1)), (1.0, (0.5, 1.1))):
                text = axis.label(position)
                if axis.name == "value" and text:
                    text = f"{100 * float(text):.1f}%"
                label = pg.TextItem(text, color="#555", anchor=anchor)
                label._end_label = True
                label.setPos(i, position + (0.03 if position else -0.03))
                plot.addItem(label)
        lows, highs = (min(values), max(values)) if values else (0.0, 1.0)
        cmap = pg.colormap.get("viridis")
        seen = set()
        for trial in trials:
            points = [axis.position(trial.params.get(axis.name)) if axis.name != "value"
                      else axis.position(trial.value) for axis in axes]
            xs = [i for i, p in enumerate(points) if p is not None]
            ys = [p for p in points if p is not None]
            if trial.value is None:
                pen = pg.mkPen(150, 150, 150, 120, width=1, style=Qt.PenStyle.DotLine)
            else:
                t = 0.5 if highs == lows else (trial.value - lows) / (highs - lows)
                pen = pg.mkPen(cmap.map(t, mode="qcolor"), width=2)
            line = self._lines.get(trial.number)
            if line is None:
                line = pg.PlotDataItem()
                plot.addItem(line)
                self._lines[trial.number] = line
            line.setData(xs, ys)
            line.setPen(pen)
            line.full_pen = pen
            seen.add(trial.number)
        for number in set(self._lines) - seen:
            plot.removeItem(self._lines.pop(number))
        self._fade()

    @guarded
    def _on_brush_moved(self, roi: pg.ROI) -> None:
        if roi not in self._rois:
            return
        axis = self._axes[self._rois.index(roi)]
        low = float(roi.pos()[1])
        high = low + float(roi.size()[1])
        if low <= FULL[0] + 1e-6 and high >= FULL[1] - 1e-6:
            self._brushes.pop(axis.name, None)
        else:
            self._brushes[axis.name] = (low, high)
        self._fade()
        self.brushed.emit()

    def _fade(self) -> None:
        passing = {t.number for t in self._trials if self.passes(t)}
        faded = pg.mkPen(200, 200, 200, 80, width=1)
        for number, line in self._lines.items():
            line.setPen(getattr(line, "full_pen", faded) if number in passing else faded)
