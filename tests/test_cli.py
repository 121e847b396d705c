"""The CLI end to end on the bundled MNIST (short runs), in a subprocess like a user's shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "mnist_gui", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small.npz"
    result = run("train", "--hidden", "64", "--epochs", "2", "--train-subset", "5000",
                 "--optimizer", "momentum", "--lr", "0.05", "--save", str(path))
    assert result.returncode == 0, result.stderr
    return path, result


def test_train_prints_one_line_per_epoch_and_saves(trained_model):
    path, result = trained_model
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("epoch")]
    assert len(lines) == 2 and "test" in lines[0]
    assert path.exists() and f"saved {path}" in result.stdout


def test_train_json(tmp_path):
    result = run("train", "--preset", "seed-004", "--epochs", "2", "--train-subset", "3000", "--json")
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    epochs = [o for o in objects if o["event"] == "epoch"]
    assert [o["epoch"] for o in epochs] == [1, 2]
    assert 0 < epochs[-1]["test_accuracy"] <= 1 and epochs[-1]["val_accuracy"] is not None
    assert objects[-1]["event"] == "finished" and objects[-1]["reason"] == "completed"


def test_train_with_batch_norm_saves_the_layer_list_and_it_evaluates(tmp_path):
    path = tmp_path / "bn.npz"
    result = run("train", "--hidden", "32,16", "--normalization", "batch", "--epochs", "1",
                 "--train-subset", "2000", "--save", str(path))
    assert result.returncode == 0, result.stderr
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        assert "batch_norm_running_var2" in npz.files
    assert [layer["kind"] for layer in meta["layers"]] == [
        "dense", "batch_norm", "relu", "dense", "batch_norm", "relu", "dense"]
    assert meta["config"]["normalization"] == "batch"
    evaluated = run("evaluate", str(path), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["accuracy"] > 0.8


def test_evaluate(trained_model):
    path, _ = trained_model
    result = run("evaluate", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert 0.85 < report["accuracy"] <= 1
    assert np.array(report["confusion_matrix"]).sum() == 10_000
    text = run("evaluate", str(path))
    assert "precision" in text.stdout and "confusion matrix" in text.stdout


def test_predict_a_test_digit_saved_as_png(trained_model, raw_mnist, tmp_path):
    from PySide6.QtGui import QImage

    path, _ = trained_model
    found = 0
    for i in range(10):
        digit = 255 - raw_mnist.test_images[i].reshape(28, 28)  # as dark ink on white paper
        big = np.kron(digit, np.ones((4, 4), np.uint8)).copy()
        image = QImage(big.data, 112, 112, 112, QImage.Format.Format_Grayscale8)
        png = tmp_path / f"digit{i}.png"
        assert image.save(str(png))
        result = run("predict", str(path), str(png), "--json")
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        assert sum(answer["probabilities"].values()) == pytest.approx(1, abs=1e-4)
        found += answer["digit"] == int(raw_mnist.test_labels[i])
    assert found >= 8


def test_presets_lists_every_preset():
    result = run("presets")
    for name in ("seed-000", "seed-001", "seed-002", "seed-003", "seed-004", "fast", "best"):
        assert name in result.stdout


@pytest.mark.parametrize(
    "args,code,message",
    [
        (("train", "--lr", "nan"), 2, "expected a finite number"),
        (("train", "--lr", "-0.1"), 1, "Learning rate (lr): -0.1 is out of range (expected > 0"),
        (("train", "--hidden", "0"), 1, "Hidden layers (hidden): 0 is out of range"),
        (("train", "--hidden", "128,-4"), 1, "Hidden layers (hidden): -4 is out of range"),
        (("train", "--batch-size", "-3"), 1, "Batch size (batch_size): -3 is out of range"),
        (("train", "--batch-size", "many"), 2, "expected a whole number or 'full', got 'many'"),
        (("train", "--lr", "0"), 1, "Learning rate (lr): 0 is out of range"),
        (("train", "--lr", "inf"), 2, "expected a finite number"),
        (("train", "--epochs", "0"), 1, "Epochs (epochs): 0 is out of range"),
        (("train", "--hidden", "90000,90000"), 1, "parameters"),
        (("train", "--hidden", "60000", "--batch-size", "full"), 1, "memory is available"),
        (("train", "--preset", "nope"), 1, "unknown preset 'nope'"),
        (("train", "--activation", "swish"), 2, "invalid choice"),
        (("train", "--batch-size", "100000"), 1, "larger than the 60,000"),
        (("train", "--data", "/nonexistent"), 1, "not a folder"),
        (("evaluate", "/nonexistent.npz"), 1, "file not found"),
        (("frobnicate",), 2, "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_a_nonzero_exit(args, code, message):
    result = run(*args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_predict_refuses_non_images(trained_model, tmp_path):
    path, _ = trained_model
    bogus = tmp_path / "x.png"
    bogus.write_text("not an image")
    result = run("predict", str(path), str(bogus))
    assert result.returncode == 1 and "x.png" in result.stderr and "Traceback" not in result.stderr
    blank = tmp_path / "blank.png"
    from PySide6.QtGui import QColor, QImage

    image = QImage(50, 50, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    image.save(str(blank))
    result = run("predict", str(path), str(blank))
    assert result.returncode == 1 and "draw a digit" in result.stderr


def test_diverging_run_exits_3_and_still_saves(tmp_path):
    path = tmp_path / "d.npz"
    result = run("train", "--hidden", "64,64", "--activation", "leaky_relu", "--optimizer", "sgd",
                 "--lr", "100", "--epochs", "2", "--train-subset", "2000", "--save", str(path))
    assert result.returncode == 3, result.stderr
    assert "diverged at epoch 1, batch" in result.stderr
    from mnist_gui.core.model_file import load_model

    model, meta = load_model(path)
    assert np.isfinite(model.params).all() and meta["metrics"]["reason"] == "diverged"


def test_every_setting_has_a_flag_with_help_and_reaches_the_config():
    """The settings table drives the CLI: each setting is a flag with its help text."""
    from mnist_gui.cli import build_parser, config_from_args
    from mnist_gui.core.config import SETTINGS

    train = build_parser()._subparsers._group_actions[0].choices["train"]
    flags = {action.dest: action for action in train._actions}
    for item in SETTINGS:
        assert item.name in flags, item.name
        assert item.help.replace("%", "%%") in flags[item.name].help
    args = build_parser().parse_args([
        "train", "--step-size", "3", "--gamma", "0.5", "--warmup-epochs", "0.25",
        "--leaky-relu-slope", "0.2", "--batch-size", "full", "--digits", "3,5",
        "--hidden-activations", "tanh,relu", "--hidden", "32,16", "--no-shuffle",
    ])
    config = config_from_args(args)
    assert (config.step_size, config.gamma, config.warmup_epochs) == (3, 0.5, 0.25)
    assert config.leaky_relu_slope == 0.2 and config.batch_size == 0 and config.digits == [3, 5]
    assert config.hidden_activations == ["tanh", "relu"] and config.shuffle is False
    config.check()
