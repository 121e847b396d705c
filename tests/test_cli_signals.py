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
