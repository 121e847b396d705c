"""``mnist-gui explain``: the JSON a script reads, the text a person reads, one line for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from mnist_gui.cli import main
from mnist_gui.core import explain as ex
from mnist_gui.core.model_file import save_model
from mnist_gui.core.network import build_mlp

from .tiny_models import train_tiny


def trained_file(raw_mnist, folder, name, **changes):
    return save_model(folder / name, train_tiny(raw_mnist, **changes), {}, {})


@pytest.fixture(scope="module")
def models(raw_mnist, tmp_path_factory):
    folder = tmp_path_factory.mktemp("explain")
    return {
        "ten": trained_file(raw_mnist, folder, "ten.npz", hidden=[48, 24]),
        "binary": trained_file(raw_mnist, folder, "binary.npz", hidden=[16], digits=[8, 7], loss="bce"),
    }


def explain_json(capsys, *args):
    assert main(["explain", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_in_a_shell_has_every_key_the_issue_lists(models, raw_mnist):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "mnist_gui", "explain", str(models["ten"]), "test:3",
         "--method", "integrated-gradients", "--steps", "256", "--counterfactual", "5", "--json"],
        capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    expected = raw_mnist.test_images[3].reshape(28, 28) / 255.0
    np.testing.assert_allclose(out["input"], expected)
    assert out["label"] == raw_mnist.test_labels[3]
    assert len(out["probabilities"]) == 10 and sum(out["probabilities"]) == pytest.approx(1)
    assert out["predicted"] == int(np.argmax(out["probabilities"]))
    assert [len(a) for a in out["activations"]] == [48, 24]
    assert out["method"] == "integrated-gradients" and out["output"] == "logit"
    assert out["target"] == out["predicted"]  # the predicted class by default
    attributions = np.array(out["attributions"])
    assert attributions.shape == (28, 28)
    assert attributions.sum() == pytest.approx(out["value"] - out["baseline_value"], rel=0.01)
    counterfactual = np.array(out["counterfactual"])
    assert counterfactual.shape == (28, 28) and 0 <= counterfactual.min() <= counterfactual.max() <= 1
    assert int(np.argmax(out["counterfactual_probabilities"])) == 5
    assert out["counterfactual_predicted"] == 5 and out["counterfactual_reached"]


def test_json_matches_the_core_for_a_chosen_target_versus_and_probability(models, capsys):
    out = explain_json(capsys, models["ten"], "test:0", "--target", "2", "--versus", "7",
                       "--output", "probability", "--method", "gradient-x-input")
    assert (out["target"], out["versus"], out["output"]) == (2, 7, "probability")
    from mnist_gui.core.model_file import load_model

    model, _ = load_model(models["ten"])
    core = ex.attribute(model, np.array(out["input"]), "gradient-x-input", target=2, versus=7,
                        output="probability")
    np.testing.assert_allclose(out["attributions"], core.attributions, rtol=1e-6, atol=1e-12)
    assert out["value"] == pytest.approx(core.value)
    assert "baseline_value" not in out


def test_binary_model_gives_one_probability(models, capsys, raw_mnist):
    n = int(np.flatnonzero(raw_mnist.test_labels == 8)[0])
    out = explain_json(capsys, models["binary"], f"test:{n}", "--counterfactual", "7")
    assert out["classes"] == [8, 7] and len(out["probabilities"]) == 1
    assert out["predicted"] == 8 and out["probabilities"][0] < 0.5  # P(7)
    assert out["counterfactual_predicted"] == 7 and out["counterfactual_probabilities"][0] > 0.5
    assert len(out["activations"]) == 1 and len(out["activations"][0]) == 16


def test_an_image_file_is_preprocessed_like_predict(models, capsys, tmp_path, raw_mnist):
    from PySide6.QtGui import QImage

    from mnist_gui.core.preprocess import mnist_preprocess, to_ink
    from mnist_gui.imageio import read_grayscale

    pixels = np.zeros((100, 80), np.uint8) + 255  # dark ink on white paper, off-centre
    pixels[10:38, 40:68] = 255 - raw_mnist.test_images[0].reshape(28, 28)
    path = tmp_path / "seven.png"
    QImage(pixels.data, 80, 100, 80, QImage.Format.Format_Grayscale8).save(str(path))
    out = explain_json(capsys, models["ten"], path, "--method", "smoothgrad", "--steps", "8")
    np.testing.assert_allclose(out["input"], mnist_preprocess(to_ink(read_grayscale(path))))
    assert out["method"] == "smoothgrad" and "label" not in out


def test_text_summary(models, capsys):
    assert main(["explain", str(models["ten"]), "test:0", "--method", "integrated-gradients",
                 "--counterfactual", "3"]) == 0
    text = capsys.readouterr().out
    assert "predicted 7" in text and "hidden layer 2: 24 units" in text
    assert "attributions sum to" in text and "counterfactual:" in text


@pytest.mark.parametrize("args, message", [
    (["--target", "12"], "class 12 is not one of this model's classes"),
    (["--counterfactual", "3"], "class 3 is not one of this model's classes (8, 7)"),
    (["--steps", "0", "--method", "integrated-gradients"], "1 to 100,000 steps"),
])
def test_bad_classes_and_steps_are_one_line(models, capsys, args, message):
    model = models["binary"] if "(8, 7)" in message else models["ten"]
    assert main(["explain", str(model), "test:0", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_images_and_models_are_one_line(models, capsys, tmp_path):
    not_image = tmp_path / "notes.png"
    not_image.write_text("not an image")
    blank = tmp_path / "blank.png"
    from PySide6.QtGui import QImage

    white = QImage(40, 40, QImage.Format.Format_Grayscale8)
    white.fill(255)
    white.save(str(blank))
    other = build_mlp(100, [8], 10)
    other.initialize(np.random.default_rng(0))
    other_path = save_model(tmp_path / "other.npz", other, {}, {})
    cases = [
        ([models["ten"], not_image], "not an image"),
        ([models["ten"], blank], "blank"),
        ([models["ten"], "test:10000"], "the test set has images 0 to 9999"),
        ([models["ten"], "test:x"], "expected test:N"),
        ([other_path, "test:0"], "takes 100 inputs"),
    ]
    for args, message in cases:
        assert main(["explain", *map(str, args)]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (args, err)
