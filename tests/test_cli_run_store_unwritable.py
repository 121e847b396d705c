"""A run store that is a file, read-only or full does not stop training nor cost the
--save model: one warning on stderr, training goes on unrecorded, the model is saved."""

from __future__ import annotations

import errno
import os
import sys

import numpy as np
import pytest

from mnist_gui.cli import main
from mnist_gui.core.model_file import load_model
from mnist_gui.core.runs import RunStore
from mnist_gui.core.session import RunNotRecorded, RunRecorded, TrainingSession
from mnist_gui.core.training import TrainConfig, TrainingFinished

TRAIN = ["train", "--hidden", "8", "--epochs", "2", "--train-subset", "500", "--batch-size", "100",
         "--quiet"]


def train_and_save(capsys, tmp_path) -> str:
    path = tmp_path / "m.npz"
    assert main([*TRAIN, "--save", str(path)]) == 0
    err = capsys.readouterr().err
    model, meta = load_model(path)
    assert meta["metrics"]["epochs_completed"] == 2 and np.isfinite(model.params).all()
    warnings = [line for line in err.splitlines() if "run store" in line]
    assert len(warnings) == 1 and "Traceback" not in err, err  # once, not per epoch
    assert "training goes on without recording" in warnings[0]
    return warnings[0]


def test_a_store_that_is_a_file(capsys, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "runs").write_text("not a folder")
    monkeypatch.setenv("MNIST_GUI_HOME", str(home))
    train_and_save(capsys, tmp_path)
    assert (home / "runs").read_text() == "not a folder"


def test_a_home_that_is_a_file(capsys, tmp_path, monkeypatch):
    (tmp_path / "home").write_text("x")
    monkeypatch.setenv("MNIST_GUI_HOME", str(tmp_path / "home"))
    train_and_save(capsys, tmp_path)


def test_a_store_nobody_may_write_even_root(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_GUI_HOME", "/proc/mnist-gui-home")
    train_and_save(capsys, tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_read_only_store(capsys, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "runs").mkdir(parents=True)
    (home / "runs").chmod(0o555)
    monkeypatch.setenv("MNIST_GUI_HOME", str(home))
    try:
        assert "Permission denied" in train_and_save(capsys, tmp_path)
    finally:
        (home / "runs").chmod(0o755)


def fill_disk_under(monkeypatch, root, after: int) -> None:
    """Every fsync of a file under ``root`` fails with ENOSPC after the first ``after``:
    a disk that fills while the store writes, and only the store (Linux /proc/self/fd)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc/self/fd")
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(str(root)):
            calls.append(target)
            if len(calls) > after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("after", [0, 3, 8])
def test_a_store_that_fills_up(capsys, tmp_path, monkeypatch, after):
    home = tmp_path / "home"
    monkeypatch.setenv("MNIST_GUI_HOME", str(home))
    fill_disk_under(monkeypatch, home, after)
    assert "No space left on device" in train_and_save(capsys, tmp_path)


def test_the_window_s_session_goes_on_and_says_so_once(raw_mnist, tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "runs").write_text("a file")
    config = TrainConfig(hidden=[8], epochs=2, batch_size=100, train_subset=500)
    session = TrainingSession(config, raw_mnist, store=RunStore(tmp_path / "home"))
    events = list(session.events())
    problems = [e for e in events if isinstance(e, RunNotRecorded)]
    assert len(problems) == 1 and "cannot be written" in problems[0].message
    assert not any(isinstance(e, RunRecorded) for e in events)
    assert isinstance(events[-1], TrainingFinished) and events[-1].reason == "completed"
    assert session.run_id is None
