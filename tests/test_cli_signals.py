"""SIGTERM (kill, timeout, docker stop) and SIGHUP (a closed terminal) during ``train --save``
are treated like Ctrl+C: stop after the batch, save, exit 128 + the signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from mnist_gui.core.model_file import load_model


@pytest.mark.parametrize("signum,code,message", [
    (signal.SIGTERM, 143, "terminated (SIGTERM)"),
    (signal.SIGHUP, 129, "hung up (SIGHUP)"),
])
def test_a_stop_signal_saves_the_model_and_exits_128_plus_the_signal(tmp_path, signum, code,
                                                                      message):
    path = tmp_path / "stopped.npz"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mnist_gui", "train", "--hidden", "16", "--epochs", "500",
         "--train-subset", "1000", "--no-record", "--save", str(path), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        first = process.stdout.readline()  # blocks until the first epoch is reported
        assert '"event": "epoch"' in first
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, err
    assert message in err and "Traceback" not in err
    model, meta = load_model(path)
    assert meta["metrics"]["reason"] == "stopped"
    assert meta["metrics"]["epochs_completed"] >= 1
    assert np.isfinite(model.params).all()
    assert '"event": "finished"' in out


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_stop_signal_while_another_command_writes_leaves_the_old_file(
        tmp_path, capsys, monkeypatch, signum, code):
    """Outside train a stop signal unwinds like Ctrl+C: the temporary file is removed and
    the file it was to replace is untouched (a kill used to leave the .tmp behind)."""
    from mnist_gui.cli import main
    from mnist_gui.core.model_file import save_model
    from mnist_gui.core.network import MLP

    model = MLP([784, 4, 10], ["relu", "softmax"])
    source = save_model(tmp_path / "m.npz", model)
    (tmp_path / "out.npz").write_bytes(b"the old file")
    real_savez = np.savez

    def savez_then_signal(fh, **arrays):
        fh.write(b"half a file")
        os.kill(os.getpid(), signum)
        real_savez(fh, **arrays)

    monkeypatch.setattr(np, "savez", savez_then_signal)
    before = signal.getsignal(signum)
    assert main(["prune", str(source), "--fraction", "0.5", "--save",
                 str(tmp_path / "out.npz")]) == code
    assert signal.getsignal(signum) == before  # restored
    assert (tmp_path / "out.npz").read_bytes() == b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "out.npz"]
    assert capsys.readouterr().err.count("\n") == 1
