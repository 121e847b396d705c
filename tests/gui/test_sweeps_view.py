"""The Sweeps view: trials fill the table and the plots, brushing an axis filters the table,
ticked trials are overlaid in Curves, and a sweep starts from the settings form."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from mnist_gui.core.config import TrainConfig
from mnist_gui.core.runs import RunStore
from mnist_gui.core.sweep import SweepDefinition, SweepStore, parse_param
from mnist_gui.core.sweep_worker import run_worker
from mnist_gui.gui.panels.sweeps_panel import CHECK, NUMBER, VALUE, SweepsPanel

BASE = TrainConfig(validation=200, train_subset=500, epochs=2, hidden=[16], batch_size=50,
                   optimizer="sgd", schedule="constant")


def _ran(home, *params, base=BASE, **options):
    """A grid sweep run to its end in this process."""
    sweep = SweepStore(home).create(SweepDefinition(
        [parse_param(p) for p in params], base=base.to_dict(), sampler="grid", **options))
    run_worker(sweep, home=home)
    return sweep


@pytest.fixture
def make_panel(qtbot, tmp_path):
    made = []

    def make():
        view = SweepsPanel(RunStore(tmp_path))
        qtbot.addWidget(view)
        view.resize(1200, 900)
        view.show()
        made.append(view)
        return view

    yield make
    for view in made:
        assert view.shutdown(10_000)


def _shown(qtbot, view, sweep_id, trials):
    qtbot.waitUntil(lambda: view.snapshot() is not None and view.snapshot().id == sweep_id
                    and len(view.snapshot().trials) == trials, timeout=30_000)


def test_trials_fill_a_sortable_table_and_brushing_an_axis_filters_it(qtbot, tmp_path,
                                                                       make_panel):
    sweep = _ran(tmp_path, "lr=0.05,0.1,0.2", "activation=relu|tanh")
    view = make_panel()
    _shown(qtbot, view, sweep.id, 6)
    trials = {t.number: t for t in sweep.trials()}
    table = view.trials_table
    assert table.rowCount() == 6
    table.sortItems(VALUE, Qt.SortOrder.DescendingOrder)
    shown = [int(table.item(row, NUMBER).text()) for row in range(6)]
    assert [trials[n].value for n in shown] == sorted((t.value for t in trials.values()),
                                                     reverse=True)
    view.brush("lr", 0.1, 0.2)
    assert sorted(view.visible_trials()) == sorted(
        n for n, t in trials.items() if t.params["lr"] in (0.1, 0.2))
    view.brush("activation", "tanh", "tanh")
    assert sorted(view.visible_trials()) == sorted(
        n for n, t in trials.items() if t.params["lr"] in (0.1, 0.2)
        and t.params["activation"] == "tanh")
    best = max(t.value for t in trials.values())
    view.clear_brushes()
    view.brush("value", 100 * best, 100 * best)
    assert [trials[n].value for n in view.visible_trials()] == [best]
    view.clear_brushes()
    assert len(view.visible_trials()) == 6
    # the importance of each setting (Optuna's evaluator), drawn as bars
    qtbot.waitUntil(lambda: set(view.importances()) == {"lr", "activation"}, timeout=30_000)
    assert view.importance_bars is not None


def test_ticked_trials_are_asked_to_be_overlaid(qtbot, tmp_path, make_panel):
    sweep = _ran(tmp_path, "lr=0.05,0.2")
    view = make_panel()
    _shown(qtbot, view, sweep.id, 2)
    trials = sweep.trials()
    row = next(r for r in range(2) if int(view.trials_table.item(r, NUMBER).text())
               == trials[1].number)
    with qtbot.waitSignal(view.overlay_requested) as overlay:
        view.trials_table.item(row, CHECK).setCheckState(Qt.CheckState.Checked)
    assert overlay.args[0] == trials[1].run_ids
    assert view.checked_trials() == [trials[1].number]


def test_pruned_curves_stop_where_they_stopped_and_seeds_draw_a_band(qtbot, tmp_path,
                                                                      make_panel):
    base = BASE.updated(epochs=3)
    sweep = _ran(tmp_path, "lr=0.1,0.15,0.2,1e-6", base=base, prune="median", seeds=2)
    view = make_panel()
    _shown(qtbot, view, sweep.id, 4)
    snapshot = view.snapshot()
    pruned = [t for t in snapshot.trials if t.state == "pruned"]
    assert [t.params["lr"] for t in pruned] == [1e-6] and list(pruned[0].curve) == [1]
    # each trial's two seeds: their mean and spread per epoch (the pruned one's: epoch 1)
    assert sorted(snapshot.seed_curves) == [t.number for t in snapshot.trials]
    assert snapshot.seed_curves[pruned[0].number][0] == [1]
    assert all(snapshot.seed_curves[t.number][0] == [1, 2, 3] for t in snapshot.trials
               if t.state == "complete")
    items = view.curves_plot.getPlotItem().items
    bands = [item for item in items if isinstance(item, pg.FillBetweenItem)]
    assert len(bands) == 4
    lines = [item for item in items if isinstance(item, pg.PlotDataItem)
             and item.xData is not None and len(item.xData) > 0
             and pg.mkPen(item.opts["pen"]).style() == Qt.PenStyle.DashLine]
    assert [list(line.xData) for line in lines] == [[1.0]]


def test_a_sweep_started_from_the_form_fills_in_live_and_its_trials_overlay_in_curves(
        qtbot, window):
    from PySide6.QtWidgets import QApplication

    window.config_panel.set_config(BASE, "custom")
    view = window.sweeps_panel
    window.show_view(view)
    view.tick_setting("lr", "0.05,0.2")
    view.sampler_combo.setCurrentIndex(view.sampler_combo.findData("grid"))
    with qtbot.waitSignal(view.sweep_started, timeout=60_000) as started:
        view.start_button.click()
    sweep_id = started.args[0]
    qtbot.waitUntil(lambda: view.snapshot() is not None and view.snapshot().id == sweep_id
                    and view.snapshot().state == "finished" and len(view.snapshot().trials)
                    == 2, timeout=180_000)
    qtbot.waitUntil(lambda: view.workers_running() == 0, timeout=30_000)
    trial = view.snapshot().trials[0]
    assert trial.state == "complete" and trial.params["lr"] in (0.05, 0.2)
    qtbot.waitUntil(lambda: trial.run_ids[0] in {r.id for r in window.runs_panel.runs()},
                    timeout=30_000)
    view.set_checked_trials([trial.number])
    assert [r.id for r in window.runs_panel.checked_runs()] == trial.run_ids
    QApplication.processEvents()


def test_a_trials_seeds_overlaid_in_curves_draw_their_mean_and_band(qtbot, tmp_path):
    from mnist_gui.gui.panels.curves_panel import CurvesPanel

    sweep = _ran(tmp_path, "lr=0.1,0.2", seeds=3)
    trial = sweep.trials()[0]
    store = RunStore(tmp_path)
    runs = [store.get(run_id) for run_id in trial.run_ids]
    curves = CurvesPanel()
    qtbot.addWidget(curves)
    curves.set_checked_runs(runs + [store.get(sweep.trials()[1].run_ids[0])])
    ((ids, epochs, mean, std),) = curves.seed_bands()
    assert ids == trial.run_ids and list(epochs) == [1.0, 2.0]
    tests = [[100 * e["test_accuracy"] for e in run.epochs] for run in runs]
    assert mean == pytest.approx([sum(col) / 3 for col in zip(*tests)])
    assert std == pytest.approx([float(np.std(col)) for col in zip(*tests)])
    assert any(isinstance(item, pg.FillBetweenItem) for item in curves.accuracy_plot.items())
    curves.set_checked_runs(runs[:1])
    assert curves.seed_bands() == []
