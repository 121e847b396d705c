"""The run store: round trips, killed and damaged runs, exports, exact continuation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from mnist_gui.core.data import prepare
from mnist_gui.core.evaluation import evaluate_on_test_set
from mnist_gui.core.model_file import load_model
from mnist_gui.core.runs import FIRST_EPOCH_SNAPSHOTS, RunStore, RunStoreError
from mnist_gui.core.training import TrainConfig, Trainer

SMALL = TrainConfig(hidden=[24], epochs=3, batch_size=100, train_subset=2000, lr=0.1,
                    optimizer="nesterov", dropout=0.2, schedule="cosine")


def record(store, config, dataset, name=""):
    trainer = Trainer(config, dataset)
    recorder = store.start(trainer, name=name)
    for event in trainer.run():
        recorder.record(event)
    return trainer, store.get(recorder.id)


@pytest.fixture(scope="module")
def data(raw_mnist):
    return prepare(raw_mnist, SMALL.data_spec())


def test_a_recorded_run_round_trips(tmp_path, data, raw_mnist):
    store = RunStore(tmp_path)
    trainer, run = record(store, SMALL, data, name="first")
    assert run.outcome == "completed" and run.damaged is None and run.name == "first"
    assert [e["epoch"] for e in run.epochs] == [1, 2, 3]
    assert run.epochs[-1]["test_accuracy"] == trainer.history[-1].test_accuracy
    assert TrainConfig.from_dict(run.config) == SMALL
    # epoch snapshots, ~10 inside the first epoch, and the exact final weights
    positions = [p for p, _ in run.snapshots()]
    assert positions[0] == 0.0 and positions[-3:] == [1.0, 2.0, 3.0]
    assert sum(0 < p < 1 for p in positions) == FIRST_EPOCH_SNAPSHOTS - 1
    final, _ = store.load_model(run.id)
    np.testing.assert_array_equal(final.params, trainer.model.params)
    curve = run.batch_curve()
    assert len(curve["steps"]) == 60 and curve["steps"][-1] == pytest.approx(3.0)
    history = run.digit_history()
    np.testing.assert_array_equal(history.epochs, [1, 2, 3])
    assert history.p_true.shape == (3, 10_000)
    np.testing.assert_allclose(history.p_true[-1], trainer.history[-1].test_p_true, atol=1e-3)
    assert history.correct[-1].mean() == trainer.history[-1].test_accuracy
    store.rename(run.id, "renamed")
    assert store.get(run.id).name == "renamed"
    store.delete(run.id)
    assert store.runs() == []


def test_an_exported_epoch_scores_what_was_recorded(tmp_path, data, raw_mnist):
    store = RunStore(tmp_path)
    _, run = record(store, SMALL, data)
    model_path = store.export(run.id, tmp_path / "epoch2.npz", epoch=2)
    from mnist_gui.core.model_file import load_model

    model, meta = load_model(model_path)
    accuracy = evaluate_on_test_set(model, raw_mnist).report.accuracy
    assert accuracy == run.epochs[1]["test_accuracy"]  # float32 snapshots: exactly
    with pytest.raises(RunStoreError, match="no snapshot of epoch 9"):
        store.export(run.id, tmp_path / "x.npz", epoch=9)


def test_continuing_from_an_epoch_gives_the_uninterrupted_weights(tmp_path, data):
    store = RunStore(tmp_path)
    whole, run = record(store, SMALL, data)
    continued = store.resume_trainer(run.id, 1, data)
    continued.train()
    np.testing.assert_array_equal(continued.model.params, whole.model.params)
    assert [e.epoch for e in continued.history] == [2, 3]
    # a different setting makes a different continuation
    other = store.resume_trainer(run.id, 1, data, SMALL.updated(lr=0.01))
    other.train()
    assert not np.array_equal(other.model.params, whole.model.params)


def test_damaged_runs_are_listed_as_such_and_the_rest_still_load(tmp_path, data):
    store = RunStore(tmp_path)
    runs = [record(store, SMALL.updated(epochs=1), data)[1] for _ in range(4)]
    (runs[0].path / "run.json").write_text('{"format": "mnist-gui-run", "vers')  # truncated
    (runs[1].path / "snapshots" / "epoch-0001.npz").unlink()
    (runs[2].path / "snapshots" / "epoch-0001.npz").write_bytes(b"not a zip")
    info = json.loads((runs[3].path / "run.json").read_text())
    (tmp_path / "runs" / "zz-newer").mkdir()
    (tmp_path / "runs" / "zz-newer" / "run.json").write_text(json.dumps({**info, "version": 99}))
    listed = {run.id: run for run in store.runs()}
    assert "cannot be read" in listed[runs[0].id].damaged
    assert "epoch 1 is missing" in listed[runs[1].id].damaged
    assert "epoch 1 is corrupt" in listed[runs[2].id].damaged
    assert "newer mnist-gui" in listed["zz-newer"].damaged
    assert listed[runs[3].id].damaged is None and listed[runs[3].id].outcome == "completed"


def test_a_run_killed_after_2_of_5_epochs_is_interrupted_with_2_epochs(tmp_path, raw_mnist):
    env = {**os.environ, "MNIST_GUI_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "mnist_gui", "train", "--hidden", "24", "--epochs", "5",
         "--train-subset", "2000", "--batch-size", "100", "--json", "--name", "killed"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    epochs = 0
    for line in process.stdout:
        if json.loads(line).get("event") == "epoch":
            epochs += 1
            if epochs == 2:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(timeout=60)
    store = RunStore(tmp_path)
    (run,) = store.runs()
    assert run.outcome == "interrupted" and run.damaged is None and run.name == "killed"
    assert len(run.epochs) in (2, 3)  # the kill may land after epoch 3 was written
    model, _ = store.load_model(run.id, 2)
    accuracy = evaluate_on_test_set(model, raw_mnist).report.accuracy
    assert accuracy == run.epochs[1]["test_accuracy"]


def test_large_runs_keep_float16_epoch_snapshots_within_a_tenth_of_a_point(tmp_path, data,
                                                                          raw_mnist, monkeypatch):
    import mnist_gui.core.runs as runs_module

    monkeypatch.setattr(runs_module, "EXACT_SNAPSHOT_BUDGET", 1)  # as if the run were huge
    store = RunStore(tmp_path)
    trainer, run = record(store, SMALL.updated(epochs=2), data)
    model, _ = store.load_model(run.id, 1)
    accuracy = evaluate_on_test_set(model, raw_mnist).report.accuracy
    assert abs(accuracy - run.epochs[0]["test_accuracy"]) <= 0.001
    final, _ = store.load_model(run.id)  # the final weights stay exact
    np.testing.assert_array_equal(final.params, trainer.model.params)
    continued = store.resume_trainer(run.id, 2, data, SMALL.updated(epochs=3))
    continued.train()  # from the latest epoch's exact state
    assert continued.history[-1].epoch == 3


def test_a_runs_weight_history_comes_from_its_epoch_snapshots(tmp_path, data):
    store = RunStore(tmp_path)
    _, run = record(store, SMALL, data)
    initial, changes = run.weight_history(2.5)
    start, _ = load_model(run.snapshot_path(0))
    assert all(np.array_equal(a, b) for a, b in zip(initial, start.W))
    models = [load_model(run.snapshot_path(e))[0] for e in (0, 1, 2)]
    for layer in range(2):
        assert [e for e, _ in changes[layer]] == [1, 2]  # up to epoch 2.5: whole epochs 1, 2
        for (epoch, ratio), (old, new) in zip(changes[layer], zip(models, models[1:])):
            expected = np.linalg.norm(new.W[layer] - old.W[layer]) / np.linalg.norm(old.W[layer])
            assert ratio == pytest.approx(expected, rel=1e-5)


def test_a_run_stopped_inside_an_epoch_ends_its_timeline_where_it_stopped(tmp_path, data):
    from mnist_gui.core.training import BatchFinished

    store = RunStore(tmp_path)
    trainer = Trainer(SMALL, data)
    recorder = store.start(trainer)
    for event in trainer.run():
        recorder.record(event)
        if isinstance(event, BatchFinished) and (event.epoch, event.batch) == (2, 7):
            trainer.controls.stop()
    run = store.get(recorder.id)
    assert run.outcome == "stopped" and [e["epoch"] for e in run.epochs] == [1]
    epoch, path = run.snapshots()[-1]
    assert epoch == pytest.approx(1 + 7 / 20)
    model, _ = load_model(path)
    np.testing.assert_allclose(model.params, trainer.model.params, rtol=1e-2, atol=1e-3)
