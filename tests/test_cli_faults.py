"""The CLI under faults: broken data folders, hostile images, Ctrl+C mid-training."""

from __future__ import annotations

import gzip
import os
import signal
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

from mnist_gui.core.model_file import load_model

from .core.test_data import idx_labels, write_mnist_folder
from .test_cli import run


@pytest.fixture
def data_folder(tmp_path):
    return write_mnist_folder(tmp_path / "data", n_train=200, n_test=50)


def replace(folder, stem: str, data: bytes, gz: bool = True) -> None:
    (folder / f"{stem}.gz").unlink()
    if gz:
        (folder / f"{stem}.gz").write_bytes(gzip.compress(data))
    else:
        (folder / f"{stem}.gz").write_bytes(data)


def train_on(folder):
    return run("train", "--data", str(folder), "--hidden", "8", "--epochs", "1",
               "--batch-size", "50")


def test_a_good_custom_folder_trains(data_folder):
    result = train_on(data_folder)
    assert result.returncode == 0, result.stderr
    assert f"{data_folder}: 200 train" in result.stdout


@pytest.mark.parametrize(
    "stem,data,gz,message",
    [
        ("train-images-idx3-ubyte", struct.pack(">IIII", 0x803, 200, 28, 28) + bytes(1000), True,
         "truncated"),
        ("train-labels-idx1-ubyte", struct.pack(">II", 0x999, 200) + bytes(200), True,
         "bad magic number"),
        ("train-labels-idx1-ubyte", idx_labels([3] * 199 + [12]), True, "label 12 at index 199"),
        ("t10k-images-idx3-ubyte", struct.pack(">IIII", 0x803, 50, 27, 28) + bytes(50 * 27 * 28),
         True, "train and test images differ in size"),
        ("t10k-labels-idx1-ubyte", idx_labels([1] * 50), False, "named .gz but is not gzip"),
        ("train-images-idx3-ubyte", struct.pack(">IIII", 0x803, 2**31, 28, 28) + bytes(64), True,
         "header declares"),
    ],
)
def test_broken_data_files_give_one_line_naming_the_file(data_folder, stem, data, gz, message):
    replace(data_folder, stem, data, gz)
    result = train_on(data_folder)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_in_the_data_folder(data_folder):
    (data_folder / "train-labels-idx1-ubyte.gz").unlink()
    result = train_on(data_folder)
    assert result.returncode == 1 and "missing train-labels-idx1-ubyte" in result.stderr


def png_bytes(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (the pixel data is a single empty row)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1))) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "tiny.npz"
    result = run("train", "--hidden", "16", "--epochs", "1", "--train-subset", "1000",
                 "--save", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.png", b"", "the file is empty"),
        ("huge.png", png_bytes(100_000, 100_000), "too large"),
        ("text.jpg", b"just some text, not a JPEG at all", "not an image"),
        ("cut.png", png_bytes(64, 64)[:30], "image"),
    ],
)
def test_hostile_images_are_refused(tiny_model, tmp_path, name, content, message):
    image = tmp_path / name
    image.write_bytes(content)
    result = run("predict", str(tiny_model), str(image))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_folder_as_model_or_image(tiny_model, tmp_path):
    assert "file not found" in run("predict", str(tmp_path), str(tmp_path)).stderr
    assert "file not found" in run("predict", str(tiny_model), str(tmp_path)).stderr


def test_ctrl_c_stops_after_the_batch_saves_and_exits_130(tmp_path):
    path = tmp_path / "interrupted.npz"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mnist_gui", "train", "--hidden", "32", "--epochs", "500",
         "--train-subset", "2000", "--save", str(path), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        first = process.stdout.readline()  # blocks until the first epoch is reported
        assert '"event": "epoch"' in first
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    model, meta = load_model(path)
    assert meta["metrics"]["reason"] == "stopped"
    assert meta["metrics"]["epochs_completed"] >= 1
    assert np.isfinite(model.params).all()
    assert '"event": "finished"' in out
