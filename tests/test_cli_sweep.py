"""`mnist-gui sweep`: start, show --json (its schema), list, resume, delete, refusals.
In-process (main([...])) except where the worker processes are the point."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mnist_gui.cli import main

TINY = ["--param", "train_subset=500", "--param", "validation=200", "--param", "epochs=2",
        "--param", "batch_size=50"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_GUI_HOME", str(tmp_path))
    return tmp_path


def _json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_grid_sweep_prints_each_trial_and_the_best_and_show_gives_the_documented_json(
        home, capsys):
    assert main(["sweep", "--param", "lr=0.05,0.2", "--param", "hidden=8,16", *TINY,
                 "--sampler", "grid", "--name", "tiny", "--json"]) == 0
    events = _json_lines(capsys.readouterr().out)
    assert events[0]["event"] == "sweep"
    assert [e["event"] for e in events[1:]] == ["trial"] * 4 + ["finished"]
    sweep_id = events[0]["id"]
    assert main(["sweep", "show", sweep_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {"id", "name", "state", "trials", "best"} <= set(shown)
    assert shown["id"] == sweep_id and shown["name"] == "tiny" and shown["state"] == "finished"
    for trial in shown["trials"]:
        assert {"number", "run_id", "params", "state", "value", "epochs"} <= set(trial)
        assert trial["state"] == "complete" and trial["epochs"] == 2
        assert set(trial["params"]) == {"lr", "hidden", "train_subset", "validation", "epochs",
                                        "batch_size"}
    best = max(shown["trials"], key=lambda t: t["value"])
    assert shown["best"]["value"] == best["value"]
    assert {"number", "params", "value"} <= set(shown["best"])
    # each trial is an ordinary run, listed by `runs` with its sweep
    assert main(["runs", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert sorted(r["sweep"]["trial"] for r in runs if r["sweep"]) == [0, 1, 2, 3]


def test_list_resume_and_delete(home, capsys):
    assert main(["sweep", "--param", "lr=0.05,0.2", *TINY, "--sampler", "grid"]) == 0
    out = capsys.readouterr().out
    assert "best: trial" in out and "finished: 2 complete" in out
    assert main(["sweep", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["state"] == "finished" and len(listed["trials"]) == 2
    assert main(["sweep", "list"]) == 0
    assert listed["id"] in capsys.readouterr().out
    # a finished sweep resumes to nothing more
    assert main(["sweep", "resume", listed["id"], "--json"]) == 0
    finished = _json_lines(capsys.readouterr().out)[-1]
    assert len(finished["trials"]) == 2
    assert main(["sweep", "delete", listed["id"]]) == 0
    assert "its 2 runs stay" in capsys.readouterr().out
    assert main(["sweep", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["runs", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


@pytest.mark.parametrize("argv, says", [
    (["sweep", "--param", "nope=1"], "unknown setting 'nope'"),
    (["sweep", "--param", "lr=1..0.1"], "low < high"),
    (["sweep", "--param", "lr=0.1..1", "--sampler", "grid"], "grid sampler needs lists"),
    (["sweep", "--param", "lr=0.1,0.2", "--storage", "sqlite:///x.db"], "SQLite"),
    (["sweep", "--param", "lr=0.1,0.2", "--metric", "val", "--param", "validation=0"],
     "needs validation images"),
    (["sweep", "show", "sweep-nope"], "no sweep 'sweep-nope'"),
])
def test_bad_sweeps_are_refused_in_one_line_before_anything_starts(home, capsys, argv, says):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
    assert not (home / "runs").exists() or not any((home / "runs").iterdir())


def test_sweep_without_a_param_is_a_usage_error(home, capsys):
    assert main(["sweep"]) == 2
    assert "--param" in capsys.readouterr().err


def test_the_validation_a_preset_lacks_is_held_out(home, capsys):
    # the fast preset holds out no validation images; choosing by them needs some
    assert main(["sweep", "--param", "lr=0.1", "--param", "train_subset=6000",
                 "--param", "epochs=1", "--param", "hidden=8", "--sampler", "grid"]) == 0
    out = capsys.readouterr().out
    assert "holding out 5,000 training images for validation" in out
    assert main(["runs", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["config"]["validation"] == 5000 and run["epochs"][0]["val_accuracy"] is not None


def test_workers_2_runs_the_sweep_in_two_worker_processes(tmp_path):
    env = {**os.environ, "MNIST_GUI_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "mnist_gui", "sweep", "--param", "lr=0.05,0.1,0.2,0.3", *TINY,
         "--sampler", "grid", "--workers", "2", "--json"],
        capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    events = _json_lines(result.stdout)
    finished = events[-1]
    assert finished["event"] == "finished" and finished["state"] == "finished"
    assert sorted(t["params"]["lr"] for t in finished["trials"]) == [0.05, 0.1, 0.2, 0.3]
    assert sorted(e["number"] for e in events if e["event"] == "trial") == [0, 1, 2, 3]


def test_a_worker_stopped_by_sigterm_exits_143_and_resume_reruns_its_trial(home, capsys):
    import signal
    import time

    from mnist_gui.core.sweep import SweepStore

    from mnist_gui.core.presets import get_preset
    from mnist_gui.core.sweep import SweepDefinition, parse_param

    definition = SweepDefinition(
        [parse_param(p) for p in ("lr=0.05,0.2", "train_subset=500", "validation=200",
                                  "epochs=60", "batch_size=50", "hidden=16")],
        base=get_preset("fast").config.to_dict(), sampler="grid")
    sweep = SweepStore(home).create(definition)
    env = {**os.environ, "MNIST_GUI_HOME": str(home)}
    worker = subprocess.Popen([sys.executable, "-m", "mnist_gui", "sweep", "worker", sweep.id,
                               "--quiet"], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not any(t.state == "running" and t.epochs >= 1 for t in sweep.trials()):
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.05)  # the worker is another process: poll its storage
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 143, worker.stderr.read().decode()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert SweepStore(home).get(sweep.id).state() == "interrupted"
    assert main(["sweep", "resume", sweep.id, "--json"]) == 0
    finished = _json_lines(capsys.readouterr().out)[-1]
    assert finished["state"] == "finished"
    complete = [t for t in finished["trials"] if t["state"] == "complete"]
    assert sorted(t["params"]["lr"] for t in complete) == [0.05, 0.2]
    assert [t["state"] for t in finished["trials"]].count("failed") == 1
