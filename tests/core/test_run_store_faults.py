"""The run store under hostile files: whatever is written into a run's files, listing, showing
and deleting never fail, and a damaged run says why (issue 17)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnist_gui import cli
from mnist_gui.core import runs as runs_module
from mnist_gui.core.data import prepare
from mnist_gui.core.errors import MnistGuiError
from mnist_gui.core.runs import RUN_SCHEMA, RunStore, RunStoreError
from mnist_gui.core.training import TrainConfig, Trainer

from .test_runs import record

TINY = TrainConfig(hidden=[8], epochs=2, batch_size=50, train_subset=300, lr=0.1,
                   optimizer="nesterov", dropout=0.2, schedule="cosine")
FILES = ["run.json", "name.json", "epochs.jsonl", "batches.jsonl", "digits.npz", "final.npz",
         "lock", "snapshots/epoch-0001.npz", "snapshots/epoch-0001.resume.npz",
         "snapshots/step-0001-0003-0006.npz"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)
HYPOTHESIS = settings(max_examples=15, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def data(raw_mnist):
    return prepare(raw_mnist, TINY.data_spec())


@pytest.fixture(scope="module")
def template(data, tmp_path_factory):
    """A recorded 2-epoch run (every file a run can have), copied by each test."""
    store = RunStore(tmp_path_factory.mktemp("template"))
    _, run = record(store, TINY, data, name="template")
    (run.path / "snapshots" / "resume.npz").write_bytes(b"")  # so it can be spoilt too
    return run.path


@contextlib.contextmanager
def store_with_copy(template):
    """A fresh store holding a copy of the template run: (store, run folder)."""
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "runs" / template.name
        shutil.copytree(template, path)
        yield RunStore(home), path


def cli_main(home, *args):
    """`mnist-gui ARGS` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.environ.get("MNIST_GUI_HOME")
    os.environ["MNIST_GUI_HOME"] = str(home)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(list(args))
    finally:
        os.environ["MNIST_GUI_HOME"] = previous or ""
    return status, out.getvalue(), err.getvalue()


def assert_store_survives(store, path):
    """Listing, showing, the parts, renaming, export and delete: none raises (export may
    refuse with a clear error); damage has a reason."""
    (run,) = store.runs()
    assert run.damaged is None or run.damaged.strip()
    run.batch_curve()
    run.digit_history()
    run.snapshots()
    json.dumps(run.summary(), default=str, allow_nan=False)  # what `runs show --json` prints
    status, out, _ = cli_main(store.home, "runs")
    assert status == 0 and runs_module.printable(run.id) in out
    status, out, _ = cli_main(store.home, "runs", "show", run.id)
    assert status == 0 and "\x1b" not in out
    store.rename(run.id, "renamed")
    assert store.get(run.id).name == "renamed"
    try:
        store.export(run.id, store.home / "out.npz")
    except MnistGuiError as exc:
        assert str(exc) and "\n" not in str(exc)
    store.delete(run.id)
    assert not path.exists() and store.runs() == []


# ------------------------------------------------------------------ property-based


@HYPOTHESIS
@given(key=st.sampled_from(sorted(RUN_SCHEMA) + ["other"]), value=JSON)
def test_any_json_value_in_any_run_json_field_never_breaks_the_store(template, key, value):
    with store_with_copy(template) as (store, path):
        info = json.loads((path / "run.json").read_text())
        info[key] = value
        (path / "run.json").write_text(json.dumps(info))
        if key in RUN_SCHEMA and not RUN_SCHEMA[key].test(value):
            assert f"'{key}'" in store.get(path.name).damaged  # listed with the reason
        assert_store_survives(store, path)


@HYPOTHESIS
@given(name=st.sampled_from(["run.json", "name.json", "epochs.jsonl", "batches.jsonl"]),
       value=JSON, append=st.booleans())
def test_any_json_record_in_any_json_file_never_breaks_the_store(template, name, value,
                                                                 append):
    with store_with_copy(template) as (store, path):
        line = json.dumps(value) + "\n"
        if name.endswith(".jsonl") and append:
            with open(path / name, "a") as fh:
                fh.write(line)
        else:
            (path / name).write_text(line)
        assert_store_survives(store, path)


@HYPOTHESIS
@given(name=st.sampled_from(FILES), data=st.binary(max_size=300), keep=st.integers(0, 4000))
def test_any_bytes_in_any_run_file_never_break_the_store(template, name, data, keep):
    with store_with_copy(template) as (store, path):
        original = (path / name).read_bytes() if (path / name).exists() else b""
        # arbitrary bytes, or the real file cut short and followed by them
        (path / name).write_bytes(original[:keep] + data if keep else data)
        assert_store_survives(store, path)


FILE_NAMES = st.one_of(
    st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
            min_size=1, max_size=30),
    st.from_regex(r"\A(epoch|step)-[0-9²-]{0,12}\.npz\Z"),
    st.from_regex(r"\A\.[a-z.-]{0,12}\.[0-9²a-z]{0,12}\.tmp\Z"),
).filter(lambda name: name not in (".", "..") and len(name.encode()) < 200)


@settings(HYPOTHESIS, max_examples=10)  # each reads every snapshot (the weight history)
@given(folder=st.sampled_from(["", "snapshots"]), name=FILE_NAMES, data=st.binary(max_size=64))
def test_any_file_name_in_a_run_never_breaks_the_store(template, folder, name, data):
    with store_with_copy(template) as (store, path):
        target = path / folder / name
        if target.is_dir():
            return  # e.g. "snapshots" itself
        target.write_bytes(data)
        store.get(path.name).weight_history(99.0)
        assert_store_survives(store, path)


# ------------------------------------------------------------------ each fixed case


@pytest.mark.parametrize("field, value", [
    ("started", "yesterday"), ("duration", "long"), ("pid", 2**40), ("name", ["a"]),
    ("config", 5), ("config", {"lr": "fast"}), ("outcome", 3), ("parent_epoch", 1.5),
    ("started", 10**400), ("version", 99), ("format", "other"),
])
def test_a_run_json_field_of_the_wrong_type_lists_the_run_as_damaged_saying_which(
        template, field, value):
    with store_with_copy(template) as (store, path):
        info = json.loads((path / "run.json").read_text())
        info[field] = value
        (path / "run.json").write_text(json.dumps(info))
        (run,) = store.runs()
        assert f"'{field}'" in run.damaged
        assert run.epochs and isinstance(run.started, float | int)  # what could be read is
        assert_store_survives(store, path)


@pytest.mark.parametrize("line, why", [
    (b"5", "not a JSON object"), (b"\xff\xfe", "not JSON"), (b'{"epoch": 2.0}', "'epoch'"),
    (b'{"train_loss": 1, "test_accuracy": 0.5}', "no 'epoch'"),
    (b'{"epoch": 3, "train_loss": "NaN", "test_accuracy": 0.5}', "'train_loss'"),
    (b'{"epoch": 3, "train_loss": NaN, "test_accuracy": 0.5}', "not JSON"),
    (b'{"epoch": 1' + b"0" * 5000 + b', "train_loss": 1, "test_accuracy": 0.5}', "not JSON"),
    (b'{"epoch": 1, "train_loss": 1, "test_accuracy": 0.5}', "comes after 2"),
])
def test_a_bad_epochs_line_keeps_the_good_epochs_and_says_which_line(template, line, why):
    with store_with_copy(template) as (store, path):
        with open(path / "epochs.jsonl", "ab") as fh:
            fh.write(line + b"\n")
        (run,) = store.runs()
        assert why in run.damaged and [e["epoch"] for e in run.epochs] == [1, 2]
        assert_store_survives(store, path)


def test_a_damaged_digits_file_or_batch_curve_is_absent_not_an_error(template):
    with store_with_copy(template) as (store, path):
        assert store.get(path.name).digit_history() is not None
        np.savez(path / "digits.npz", epochs=np.zeros(3), p_true=np.zeros((2, 5)))
        with open(path / "batches.jsonl", "a") as fh:
            fh.write('{"steps": [1], "losses": ["x"], "accuracies": [1]}\n')
        run = store.get(path.name)
        assert run.digit_history() is None and len(run.batch_curve()["steps"]) == 0


def test_a_symlinked_run_folder_is_never_followed_listed_or_deleted_through(template,
                                                                          tmp_path):
    with store_with_copy(template) as (store, path):
        outside = tmp_path / "outside"
        shutil.move(path, outside)
        path.symlink_to(outside, target_is_directory=True)
        (run,) = store.runs()
        assert "symbolic link" in run.damaged and run.epochs == []
        with pytest.raises(RunStoreError, match="symbolic link"):
            store.export(run.id, tmp_path / "x.npz")
        store.delete(run.id)
        assert not path.is_symlink() and (outside / "run.json").exists()


def test_a_symlinked_file_inside_a_run_is_not_followed(template, tmp_path):
    with store_with_copy(template) as (store, path):
        secret = tmp_path / "secret.json"
        secret.write_text((path / "run.json").read_text())
        (path / "run.json").unlink()
        (path / "run.json").symlink_to(secret)
        assert "not a regular file" in store.get(path.name).damaged or \
            "cannot be opened" in store.get(path.name).damaged


@pytest.mark.parametrize("odd", ["..foo", ".hidden", "a b\tc", "-rf", "x\x1b[31m",
                                 os.fsdecode(b"not-utf8-\xff")])
def test_a_run_folder_with_an_odd_name_is_addressable_by_its_id(template, odd):
    with store_with_copy(template) as (store, path):
        path.rename(path.parent / odd)
        (run,) = store.runs()
        assert run.id == odd and run.damaged is None
        assert store.get(odd).epochs
        store.rename(odd, "renamed")
        assert store.get(odd).name == "renamed"
        store.delete(odd)
        assert store.runs() == []
    for bad in ["..", ".", "", "../runs", "a/b"]:
        with pytest.raises(RunStoreError, match="no run"):
            store.get(bad)


def test_leftover_tmp_files_are_removed_only_once_their_writer_is_dead(template, data):
    with store_with_copy(template) as (store, path):
        dead = [path / ".run.json.999999999.tmp", path / "snapshots" / ".epoch-0002.npz.x1.tmp",
                path / ".name.json.\u00b2.tmp"]
        alive = path / f".name.json.{os.getpid()}.tmp"
        for tmp in dead + [alive]:
            tmp.write_bytes(b"half")
        store.runs()
        assert not any(tmp.exists() for tmp in dead) and alive.exists()
        # a run whose recorder lives keeps its temporary files
        trainer = Trainer(TINY, data)
        recorder = store.start(trainer)
        tmp = recorder.path / "snapshots" / ".epoch-0001.npz.abc.tmp"
        tmp.write_bytes(b"being written")
        store.runs()
        assert tmp.exists()
        recorder.finish("stopped")
        store.runs()
        assert not tmp.exists()


def test_a_run_id_collision_is_retried_with_a_new_id_never_overwriting(template, data,
                                                                     monkeypatch):
    with store_with_copy(template) as (store, path):
        before = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
        (store.root / f"{path.name}-1").write_text("a file in the way")
        monkeypatch.setattr(runs_module, "_new_run_id", lambda: path.name)  # always taken
        recorder = store.start(Trainer(TINY, data))
        assert recorder.id == f"{path.name}-2"
        assert {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()} == before
        recorder.finish("stopped")


def test_a_rename_during_training_survives_the_runs_end(tmp_path, data):
    store = RunStore(tmp_path)
    trainer = Trainer(TINY, data)
    recorder = store.start(trainer, name="old")
    for event in trainer.run():
        recorder.record(event)
        if recorder.id and store.get(recorder.id).epochs and store.get(recorder.id).name == "old":
            store.rename(recorder.id, "new")  # after the first epoch, while it trains
    run = store.get(recorder.id)
    assert run.outcome == "completed" and run.name == "new"


def test_a_dead_recorder_that_was_pid_1_is_interrupted_and_can_be_deleted(template):
    with store_with_copy(template) as (store, path):
        info = json.loads((path / "run.json").read_text())
        (path / "run.json").write_text(json.dumps({**info, "outcome": "running", "pid": 1}))
        (path / "lock").unlink()  # as written before lock files
        assert store.get(path.name).outcome == "interrupted"
        (path / "lock").write_bytes(b"")  # a lock file nobody holds
        assert store.get(path.name).outcome == "interrupted"
        store.delete(path.name)
        assert not path.exists()


def test_a_live_recorder_is_running_whatever_its_pid_and_cannot_be_deleted(tmp_path, data):
    store = RunStore(tmp_path)
    recorder = store.start(Trainer(TINY, data))
    info = json.loads((recorder.path / "run.json").read_text())
    (recorder.path / "run.json").write_text(json.dumps({**info, "pid": 1}))
    assert store.get(recorder.id).outcome == "running"
    with pytest.raises(RunStoreError, match="still training"):
        store.delete(recorder.id)
    recorder.finish("stopped")
    assert store.get(recorder.id).outcome == "stopped"
    store.delete(recorder.id)
    assert store.runs() == []


def test_an_exported_epoch_carries_that_epochs_metrics(template, tmp_path):
    from mnist_gui.core.model_file import load_model

    with store_with_copy(template) as (store, path):
        run = store.get(path.name)
        _, meta0 = load_model(store.export(run.id, tmp_path / "e0.npz", epoch=0))
        assert meta0["metrics"] == {"epoch": 0}  # untrained: nothing was measured
        _, meta1 = load_model(store.export(run.id, tmp_path / "e1.npz", epoch=1))
        assert meta1["metrics"]["test_accuracy"] == run.epochs[0]["test_accuracy"]
        assert meta1["metrics"]["epoch"] == 1


def test_printable_escapes_control_characters_and_undecodable_bytes():
    assert runs_module.printable("ok é 7") == "ok é 7"
    assert runs_module.printable("a\x1b[31m\nb\r\u202e\udcff") == \
        "a\\x1b[31m\\nb\\r\\u202e\\udcff"


def test_liveness_without_a_lock_file_goes_by_pid_and_process_start_time(template):
    with store_with_copy(template) as (store, path):
        (path / "lock").unlink()
        info = json.loads((path / "run.json").read_text())
        legacy = {**info, "outcome": "running", "pid": os.getpid(), "lock": False}
        # this process started after the run: its pid was reused, the recorder is gone
        (path / "run.json").write_text(json.dumps({**legacy, "started": 1000.0}))
        assert store.get(path.name).outcome == "interrupted"
        (path / "run.json").write_text(json.dumps({**legacy, "started": time.time()}))
        assert store.get(path.name).outcome == "running"
        with pytest.raises(RunStoreError, match="still training"):
            store.delete(path.name)
        # a run whose recorder locked it, with the lock file gone, is over
        (path / "run.json").write_text(json.dumps({**legacy, "lock": True,
                                                   "started": time.time()}))
        assert store.get(path.name).outcome == "interrupted"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("name", ["run.json", "name.json", "epochs.jsonl", "batches.jsonl",
                                  "digits.npz", "final.npz", "lock", "snapshots/epoch-0001.npz",
                                  "snapshots/resume.npz", "snapshots/.epoch-0002.npz.x.tmp"])
def test_a_fifo_in_place_of_a_file_never_blocks_a_reader(template, name):
    with store_with_copy(template) as (store, path):
        (path / name).unlink(missing_ok=True)
        os.mkfifo(path / name)
        assert_store_survives(store, path)


def test_a_store_that_is_a_file_lists_nothing_and_refuses_to_record_clearly(tmp_path, data):
    (tmp_path / "runs").write_text("not a folder")
    store = RunStore(tmp_path)
    assert store.runs() == []
    with pytest.raises(RunStoreError, match="cannot record the run"):
        store.start(Trainer(TINY, data))


def test_a_finished_run_is_never_running_for_its_live_pid_or_another_readers_probe(template):
    with store_with_copy(template) as (store, path):
        info = json.loads((path / "run.json").read_text())
        assert info["outcome"] == "completed" and info["lock"] is True
        # read as a run from before lock files, by the process that recorded it
        (path / "lock").unlink()
        (path / "run.json").write_text(json.dumps({**info, "lock": False, "pid": os.getpid(),
                                                   "started": time.time()}))
        assert store.get(path.name).outcome == "completed"
        # another reader probing the lock at this moment does not make it look live
        (path / "lock").write_bytes(b"")
        fd = os.open(path / "lock", os.O_RDONLY)
        try:
            if runs_module._try_lock(fd, shared=True):
                assert store.get(path.name).outcome == "completed"
        finally:
            os.close(fd)
        store.delete(path.name)
        assert not path.exists()


def test_export_never_writes_into_the_run_store(template):
    with store_with_copy(template) as (store, path):
        final = path / "final.npz"
        before = final.read_bytes()
        with pytest.raises(RunStoreError, match="will not write into the run store"):
            store.export(path.name, final)
        assert final.read_bytes() == before
