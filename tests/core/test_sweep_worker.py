"""Sweeps run: every grid point once, each trial a recorded run, pruning that fires, seeds
in lockstep, and a worker killed with SIGKILL whose sweep resumes without repeating a
completed trial. Tiny data (500 training, 200 validation images), so each trial is short."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from mnist_gui.core.config import TrainConfig
from mnist_gui.core.sweep import SweepDefinition, SweepStore, parse_param, recover_interrupted
from mnist_gui.core.sweep_worker import run_worker

BASE = TrainConfig(validation=200, train_subset=500, epochs=2, hidden=[16], batch_size=50,
                   optimizer="sgd", schedule="constant").to_dict()


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_GUI_HOME", str(tmp_path))
    return SweepStore(tmp_path)


def _wait_for(condition, what, limit=240.0):
    """Poll a subprocess's progress through the storage (no Qt here to wait on)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_grid_runs_every_point_once_and_each_trial_is_a_recorded_run(store):
    definition = SweepDefinition([parse_param("lr=0.05,0.2"), parse_param("activation=relu|tanh")],
                                 base=BASE, sampler="grid")
    sweep = store.create(definition)
    assert run_worker(sweep, home=store.runs.home) == 4
    trials = sweep.trials()
    assert sorted((t.params["lr"], t.params["activation"]) for t in trials) == sorted(
        (lr, a) for lr in (0.05, 0.2) for a in ("relu", "tanh"))
    assert all(t.state == "complete" and t.epochs == 2 and len(t.run_ids) == 1 for t in trials)
    for trial in trials:
        run = store.runs.get(trial.run_ids[0])
        assert run.sweep == {"id": sweep.id, "trial": trial.number, "seed": 0}
        assert run.outcome == "completed"
        assert run.config["lr"] == trial.params["lr"]
        assert run.epochs[-1]["val_accuracy"] == pytest.approx(trial.value)
    assert sweep.state() == "finished"
    summary = sweep.summary()
    assert summary["best"]["value"] == max(t.value for t in trials)
    assert set(sweep.importances()) <= {"lr", "activation"}


def test_median_pruning_stops_a_hopeless_configuration_after_its_first_epoch(store):
    # the grid runs in order: three good learning rates first, then one that cannot learn
    base = {**BASE, "epochs": 4}
    definition = SweepDefinition([parse_param("lr=0.1,0.15,0.2,1e-6")], base=base,
                                 sampler="grid", prune="median")
    sweep = store.create(definition)
    run_worker(sweep, home=store.runs.home)
    by_lr = {t.params["lr"]: t for t in sweep.trials()}
    assert [by_lr[lr].state for lr in (0.1, 0.15, 0.2)] == ["complete"] * 3
    hopeless = by_lr[1e-6]
    assert hopeless.state == "pruned" and hopeless.epochs == 1
    run = store.runs.get(hopeless.run_ids[0])
    assert run.outcome == "stopped" and [e["epoch"] for e in run.epochs] == [1]


def test_seeds_train_each_configuration_several_times_and_average_them(store):
    definition = SweepDefinition([parse_param("lr=0.1,0.2")], base=BASE, sampler="grid", seeds=2)
    sweep = store.create(definition)
    run_worker(sweep, home=store.runs.home)
    for trial in sweep.trials():
        runs = [store.runs.get(run_id) for run_id in trial.run_ids]
        assert [r.sweep["seed"] for r in runs] == [0, 1]
        assert runs[0].config["seed"] != runs[1].config["seed"]
        finals = [r.epochs[-1]["val_accuracy"] for r in runs]
        assert trial.value == pytest.approx(sum(finals) / 2)


def test_random_and_tpe_run_the_number_of_trials_asked_for(store):
    for sampler in ("random", "tpe"):
        definition = SweepDefinition([parse_param("lr=0.01..0.5:log"), parse_param(
            "hidden=4..32")], base=BASE, sampler=sampler, n_trials=3)
        sweep = store.create(definition)
        run_worker(sweep, home=store.runs.home, seed=1)
        trials = sweep.trials()
        assert len(trials) == 3 and all(t.state == "complete" for t in trials)
        assert all(0.01 <= t.params["lr"] <= 0.5 and 4 <= t.params["hidden"][0] <= 32
                   for t in trials)


def _worker(sweep, home):
    env = {**os.environ, "MNIST_GUI_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "mnist_gui", "sweep", "worker", sweep.id,
                             "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_sweep_whose_worker_was_killed_resumes_without_repeating_a_completed_trial(store):
    base = {**BASE, "epochs": 40}
    definition = SweepDefinition([parse_param("lr=0.1,0.2,0.3")], base=base, sampler="grid")
    sweep = store.create(definition)
    worker = _worker(sweep, store.runs.home)
    try:
        # kill -9 once trial 0 is complete and trial 1 has trained an epoch
        _wait_for(lambda: any(t.number == 1 and t.state == "running" and t.epochs >= 1
                              for t in sweep.trials()), "trial 1 to train an epoch")
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait()
    before = {t.number: t for t in sweep.trials()}
    assert before[0].state == "complete" and before[1].state == "running"
    assert sweep.state() == "interrupted"
    assert recover_interrupted(sweep.study()) == [1]
    run_worker(sweep, home=store.runs.home)
    trials = sweep.trials()
    complete = [t for t in trials if t.state == "complete"]
    assert sorted(t.params["lr"] for t in complete) == [0.1, 0.2, 0.3]  # each exactly once
    assert next(t for t in complete if t.params["lr"] == 0.1).number == 0  # never re-run
    assert next(t for t in trials if t.number == 1).state == "failed"
    assert next(t for t in complete if t.params["lr"] == 0.2).retry_of == 1
    assert store.runs.get(before[1].run_ids[0]).outcome == "interrupted"
    assert sweep.state() == "finished"


def test_two_worker_processes_share_one_journal_and_never_run_a_point_twice(store):
    definition = SweepDefinition([parse_param("lr=0.05,0.1,0.15,0.2,0.25,0.3")], base=BASE,
                                 sampler="grid")
    sweep = store.create(definition)
    workers = [_worker(sweep, store.runs.home) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=300) == 0, worker.stderr.read().decode()
    trials = sweep.trials()
    assert sorted(t.params["lr"] for t in trials) == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    assert all(t.state == "complete" for t in trials)
    # (a worker that asked as the other took the last point leaves an "extra" trial that
    # trained nothing, left out of the sweep's trials)
    pids = {ft.user_attrs["worker"]["pid"] for ft in sweep.frozen_trials()
            if not ft.user_attrs.get("extra")}
    assert pids <= {w.pid for w in workers}
