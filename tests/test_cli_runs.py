"""`mnist-gui runs`: what the CLI records and how it lists, renames, exports and deletes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from mnist_gui.cli import main
from mnist_gui.core.data import prepare
from mnist_gui.core.model_file import load_model
from mnist_gui.core.runs import RunStore
from mnist_gui.core.training import TrainConfig, Trainer


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


# ------------------------------------------------------------------ in-process (issue 17)

TINY = TrainConfig(hidden=[8], epochs=3, batch_size=50, train_subset=300, lr=0.1,
                   optimizer="nesterov", dropout=0.2, schedule="cosine")


@pytest.fixture
def home(tmp_path, monkeypatch, raw_mnist):
    """A run store of this test, and the bundled data already read for `runs continue`."""
    import mnist_gui.core.data as data_module

    monkeypatch.setenv("MNIST_GUI_HOME", str(tmp_path))
    monkeypatch.setattr(data_module, "load_raw", lambda folder=None: raw_mnist)
    return tmp_path


def recorded(home, raw_mnist, name="", **changes):
    config = TINY.updated(**changes)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    recorder = RunStore(home).start(trainer, name=name)
    for event in trainer.run():
        recorder.record(event)
    return trainer, recorder.id


def test_runs_continue_gives_the_uninterrupted_weights_bit_for_bit(home, raw_mnist, capsys):
    whole, run_id = recorded(home, raw_mnist)
    assert main(["runs", "continue", run_id, "--epoch", "1"]) == 0
    out = capsys.readouterr().out
    assert f"continuing run {run_id} from epoch 1 to 3" in out and "epoch   3/3" in out
    store = RunStore(home)
    (child,) = [run for run in store.runs() if run.parent == run_id]
    assert child.parent_epoch == 1 and [e["epoch"] for e in child.epochs] == [2, 3]
    assert child.config == store.get(run_id).config  # the run's own settings
    model, _ = store.load_model(child.id)
    np.testing.assert_array_equal(model.params, whole.model.params)


def test_runs_continue_goes_past_the_end_only_when_asked(home, raw_mnist, capsys):
    _, run_id = recorded(home, raw_mnist, epochs=1)
    assert main(["runs", "continue", run_id]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--epochs" in err
    assert main(["runs", "continue", run_id, "--epochs", "2", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["epoch"] for line in lines if line["event"] == "epoch"] == [2]
    assert main(["runs", "continue", "nope"]) == 1


def test_names_and_ids_never_reach_the_terminal_raw(home, raw_mnist, capsys):
    _, run_id = recorded(home, raw_mnist, epochs=1, name="\x1b[2J\x1b]0;pwned\x07evil\nline")
    for args in (["runs"], ["runs", "show", run_id]):
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\\x1b[2J" in out
        assert "\nline" not in out
    assert main(["runs", "show", "\x1b[31mred"]) == 1
    assert "\x1b" not in capsys.readouterr().err


def test_runs_export_epoch_0_has_no_final_metrics(home, raw_mnist, tmp_path, capsys):
    _, run_id = recorded(home, raw_mnist, epochs=1)
    out = tmp_path / "e0.npz"
    assert main(["runs", "export", run_id, str(out), "--epoch", "0"]) == 0
    _, meta = load_model(out)
    assert meta["metrics"] == {"epoch": 0}


def test_runs_delete_refuses_a_live_run_and_rename_keeps_while_it_trains(home, raw_mnist,
                                                                        capsys):
    config = TINY.updated(epochs=1)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    recorder = RunStore(home).start(trainer, name="before")
    assert main(["runs", "delete", recorder.id]) == 1
    assert "still training" in capsys.readouterr().err
    assert main(["runs", "rename", recorder.id, "during"]) == 0
    for event in trainer.run():
        recorder.record(event)
    assert RunStore(home).get(recorder.id).name == "during"
    assert main(["runs", "delete", recorder.id]) == 0


def test_a_damaged_run_json_still_shows_and_deletes(home, raw_mnist, capsys):
    _, run_id = recorded(home, raw_mnist, epochs=1)
    path = home / "runs" / run_id
    info = json.loads((path / "run.json").read_text())
    (path / "run.json").write_text(json.dumps({**info, "started": "yesterday", "pid": 2**40}))
    assert main(["runs"]) == 0
    assert "damaged: run.json: 'started' is 'yesterday'" in capsys.readouterr().out
    assert main(["runs", "show", run_id]) == 0 and "epoch   1" in capsys.readouterr().out
    assert main(["runs", "export", run_id, str(home / "m.npz")]) == 0
    assert main(["runs", "delete", run_id]) == 0


def test_an_error_about_a_run_never_prints_its_id_raw(home, raw_mnist, capsys):
    _, run_id = recorded(home, raw_mnist, epochs=1)
    odd = "evil\x1b]0;x\x07\nid"
    (home / "runs" / run_id).rename(home / "runs" / odd)
    (home / "runs" / odd / "final.npz").write_bytes(b"PK not a model")
    assert main(["runs", "export", odd, str(home / "m.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\x07" not in err


def test_the_final_model_of_a_stopped_run_carries_no_other_epochs_metrics(home, raw_mnist):
    config = TINY.updated(epochs=2)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    recorder = RunStore(home).start(trainer)
    for event in trainer.run():
        recorder.record(event)
        if getattr(event, "epoch", 0) == 2 and getattr(event, "batch", 0) == 2:
            trainer.stop()  # during epoch 2: the final weights are no epoch's
    assert RunStore(home).get(recorder.id).outcome == "stopped"
    _, meta = load_model(RunStore(home).export(recorder.id, home / "final.npz"))
    assert "metrics" not in meta or meta["metrics"] is None


def test_runs_continue_stops_on_sigterm_after_the_batch_and_records_it(home, raw_mnist,
                                                                       capsys, monkeypatch):
    import os
    import signal

    from mnist_gui.core import training

    _, run_id = recorded(home, raw_mnist, epochs=1)
    real_run = training.Trainer.run
    before = signal.getsignal(signal.SIGTERM)

    def run_then_term(self):  # SIGTERM arrives during the first batch of the continuation
        for event in real_run(self):
            if isinstance(event, training.BatchFinished) and event.batch == 1:
                os.kill(os.getpid(), signal.SIGTERM)
            yield event

    monkeypatch.setattr(training.Trainer, "run", run_then_term)
    assert main(["runs", "continue", run_id, "--epochs", "3"]) == 143
    assert "interrupted" in capsys.readouterr().err
    (child,) = [run for run in RunStore(home).runs() if run.parent == run_id]
    assert child.outcome == "stopped" and child.epochs == []
    assert signal.getsignal(signal.SIGTERM) == before
