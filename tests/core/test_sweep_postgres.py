"""Sweeps on a real PostgreSQL server (Optuna's RDBStorage): two worker processes share one
study. Skipped, saying why, only where the server or its driver cannot be had."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mnist_gui.core.config import TrainConfig
from mnist_gui.core.sweep import SweepDefinition, SweepStore, parse_param

from ..postgres_server import PostgresServer, server_binaries

BASE = TrainConfig(validation=200, train_subset=500, epochs=2, hidden=[16], batch_size=50,
                   optimizer="sgd", schedule="constant").to_dict()


@pytest.fixture(scope="module")
def postgres_url():
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL's server is not installed (Debian: apt-get install postgresql; "
                    ".ci/run installs it)")
    pytest.importorskip("psycopg2", reason="the PostgreSQL driver (mnist-gui[postgres]) is "
                        "not installed")
    server = PostgresServer(binaries)
    try:
        url = server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        pytest.skip(f"PostgreSQL could not start here: {exc}")
    yield url
    server.stop()


def test_two_worker_processes_share_one_study_on_postgresql(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_GUI_HOME", str(tmp_path))
    store = SweepStore(tmp_path)
    definition = SweepDefinition([parse_param("lr=0.05,0.1,0.2,0.3"), parse_param(
        "activation=relu|tanh")], base=BASE, sampler="grid", prune="median")
    sweep = store.create(definition, postgres_url)
    env = {**os.environ, "MNIST_GUI_HOME": str(tmp_path)}
    workers = [subprocess.Popen([sys.executable, "-m", "mnist_gui", "sweep", "worker", sweep.id,
                                 "--storage", postgres_url, "--quiet"], env=env,
                                stderr=subprocess.PIPE) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=300) == 0, worker.stderr.read().decode()
    trials = sweep.trials()
    assert sorted((t.params["lr"], t.params["activation"]) for t in trials) == sorted(
        (lr, a) for lr in (0.05, 0.1, 0.2, 0.3) for a in ("relu", "tanh"))
    assert all(t.state in ("complete", "pruned") for t in trials)
    # (a worker that asked as the other took the last point leaves an "extra" trial that
    # trained nothing, left out of the sweep's trials)
    pids = {ft.user_attrs["worker"]["pid"] for ft in sweep.frozen_trials()
            if not ft.user_attrs.get("extra")}
    assert pids <= {w.pid for w in workers}
    # the sweep is listed here and read from the database, whoever ran its trials
    again = SweepStore(tmp_path).get(sweep.id)
    assert again.storage_url == postgres_url and again.state() == "finished"
    assert again.summary()["best"]["value"] == max(t.value for t in trials
                                                   if t.state == "complete")
