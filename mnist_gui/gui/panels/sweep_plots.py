"""The Sweeps view's plots other than parallel coordinates: each setting's importance, the
metric against each setting, and each trial's metric after every epoch (pruned trials
dashed and stopped where they were stopped; several seeds as mean ± std)."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .parallel_coordinates import Axis, first_value, show_value

STATE_COLORS = {"complete": "#0072B2", "pruned": "#E69F00", "failed": "#D55E00",
                "running": "#009E73"}


def draw_importance(plot: pg.PlotItem, importances: dict[str, float],
                    bars: pg.BarGraphItem | None) -> pg.BarGraphItem | None:
    """Horizontal bars of ``importances`` (setting -> share), replacing ``bars``; the new
    bars (None: too few trials to say)."""
    if bars is not None:
        plot.removeItem(bars)
    items = sorted(importances.items(), key=lambda kv: kv[1])
    if not items:
        plot.setTitle("Importance needs at least two completed trials that differ")
        return None
    plot.setTitle("")
    widths = [value for _name, value in items]
    bars = pg.BarGraphItem(x0=0, y=list(range(len(items))), height=0.6, width=widths,
                           brush="#0072B2")
    plot.addItem(bars)
    plot.getAxis("left").setTicks([[(i, name) for i, (name, _v) in enumerate(items)]])
    plot.setYRange(-0.6, len(items) - 0.4, padding=0)
    plot.setXRange(0, max(max(widths), 1e-9) * 1.05, padding=0)
    return bars


def draw_metric_vs_settings(view: pg.GraphicsLayoutWidget, params: list[Any], metric: str,
                            trials: list[Any]) -> None:
    """One scatter plot per swept setting (``params``: ParamSpecs): each scored trial's
    value against its setting, coloured by its state."""
    view.clear()
    scored = [t for t in trials if t.value is not None]
    for column, spec in enumerate(params):
        name = spec.name
        plot = view.addPlot(row=0, col=column)
        plot.setLabel("bottom", name)
        if column == 0:
            plot.setLabel("left", f"{metric} accuracy (%)")
        axis = Axis(name, [t.params.get(name) for t in scored] or
                    [t.params.get(name) for t in trials], spec)
        if axis.categories is not None:
            xs = [axis.categories.index(show_value(t.params.get(name)))
                  if show_value(t.params.get(name)) in axis.categories else 0 for t in scored]
            plot.getAxis("bottom").setTicks([list(enumerate(axis.categories))])
        else:
            xs = [axis.transform(first_value(t.params.get(name))) for t in scored]
            if axis.log:
                plot.setLabel("bottom", f"{name} (log10)")
        brushes = [pg.mkBrush(STATE_COLORS.get(t.state, "#777")) for t in scored]
        plot.addItem(pg.ScatterPlotItem(xs, [100 * t.value for t in scored], size=9,
                                        brush=brushes, pen=None))


def draw_trial_curves(plot: pg.PlotItem, trials: list[Any],
                      seed_curves: dict[int, tuple[list[int], list[float], list[float]]]
                      ) -> None:
    """Each trial's metric (%) after every epoch, coloured by its value; a pruned trial
    dashed with an x where it stopped; ``seed_curves`` (trial -> epochs, mean, std) as a
    band of ± one standard deviation."""
    plot.clear()
    values = [t.value for t in trials if t.value is not None]
    lows, highs = (min(values), max(values)) if values else (0.0, 1.0)
    cmap = pg.colormap.get("viridis")
    for trial in trials:
        if not trial.curve:
            continue
        epochs = sorted(trial.curve)
        ys = [100 * trial.curve[e] for e in epochs]
        t = 0.5 if trial.value is None or highs == lows else (trial.value - lows) / (highs - lows)
        color = cmap.map(t, mode="qcolor")
        pruned = trial.state == "pruned"
        pen = pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine if pruned
                       else Qt.PenStyle.SolidLine)
        band = seed_curves.get(trial.number)
        if band is not None:
            band_epochs, mean, std = band
            upper = pg.PlotDataItem(band_epochs, [100 * (m + s) for m, s in zip(mean, std)])
            lower = pg.PlotDataItem(band_epochs, [100 * (m - s) for m, s in zip(mean, std)])
            fill = QColor(color)
            fill.setAlpha(50)
            plot.addItem(pg.FillBetweenItem(upper, lower, brush=fill))
        plot.addItem(pg.PlotDataItem(epochs, ys, pen=pen))
        if pruned:  # where it was stopped
            plot.addItem(pg.ScatterPlotItem([epochs[-1]], [ys[-1]], symbol="x", size=12,
                                            pen=pg.mkPen(color, width=2)))
