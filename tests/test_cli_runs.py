"""`mnist-gui runs`: what the CLI records and how it lists, renames, exports and deletes."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run(home, *args):
    env = {**os.environ, "MNIST_GUI_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "mnist_gui", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_train_records_a_run_the_runs_command_lists_exports_and_deletes(tmp_path):
    assert run(tmp_path, "train", "--hidden", "16", "--epochs", "2", "--train-subset", "1000",
               "--quiet").returncode == 0
    assert run(tmp_path, "train", "--hidden", "16", "--epochs", "1", "--train-subset", "1000",
               "--quiet", "--no-record").returncode == 0
    listed = json.loads(run(tmp_path, "runs", "--json").stdout)
    assert len(listed) == 1
    (entry,) = listed
    assert entry["outcome"] == "completed" and entry["config"]["hidden"] == [16]
    assert [e["epoch"] for e in entry["epochs"]] == [1, 2]
    assert all(0 < e["test_accuracy"] <= 1 for e in entry["epochs"])
    text = run(tmp_path, "runs").stdout
    assert entry["id"] in text and "completed" in text
    assert run(tmp_path, "runs", "rename", entry["id"], "tiny").returncode == 0
    shown = json.loads(run(tmp_path, "runs", "show", entry["id"], "--json").stdout)
    assert shown["name"] == "tiny"
    out = tmp_path / "e1.npz"
    assert run(tmp_path, "runs", "export", entry["id"], str(out), "--epoch", "1").returncode == 0
    evaluated = json.loads(run(tmp_path, "evaluate", str(out), "--json").stdout)
    assert evaluated["accuracy"] == entry["epochs"][0]["test_accuracy"]
    assert run(tmp_path, "runs", "delete", entry["id"]).returncode == 0
    assert json.loads(run(tmp_path, "runs", "--json").stdout) == []
    missing = run(tmp_path, "runs", "show", "nope")
    assert missing.returncode == 1 and "no run 'nope'" in missing.stderr


def test_a_damaged_run_never_stops_the_cli(tmp_path):
    (tmp_path / "runs" / "broken").mkdir(parents=True)
    (tmp_path / "runs" / "broken" / "run.json").write_text("{not json")
    result = run(tmp_path, "runs")
    assert result.returncode == 0 and "broken  damaged: run.json cannot be read" in result.stdout
