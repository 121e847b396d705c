"""A model file that loads makes sense: classes are labels the data can hold, the input
scaling keeps pixels finite, and no weight can overflow the outputs. Each of these used to
load and then crash, or print "accuracy nan%"."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_gui.cli import main
from mnist_gui.core.errors import ModelFileError
from mnist_gui.core.model_file import load_model, model_metadata
from mnist_gui.core.network import MLP


@pytest.fixture
def model():
    m = MLP([784, 6, 10], ["relu", "softmax"])
    m.params[:] = np.linspace(-0.1, 0.1, m.params.size, dtype=np.float32)
    return m


def write(path, model, **meta_changes):
    """The model as a file, with its meta changed (JSON as Python writes it: NaN allowed)."""
    meta = model_metadata(model)
    meta.update(meta_changes)
    arrays = {name: value for name, value in model.named_arrays().items()}
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("classes,message", [
    ([300, 1, 2, 3, 4, 5, 6, 7, 8, 9], "classes 300 are not labels"),
    ([2**70, 1, 2, 3, 4, 5, 6, 7, 8, 9], "are not labels"),
    (list(range(10, 20)), "classes 10, 11, 12 are not labels"),
    ([-1, 1, 2, 3, 4, 5, 6, 7, 8, 9], "classes -1 are not labels"),
    ([0, 0, 2, 3, 4, 5, 6, 7, 8, 9], "distinct"),
    (list(range(9)), "classes must be 10"),
    ([0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9], "integers"),
])
def test_classes_outside_the_data_labels(tmp_path, model, classes, message):
    with pytest.raises(ModelFileError, match=message):
        load_model(write(tmp_path / "m.npz", model, classes=classes))


def test_binary_classes_outside_the_labels(tmp_path):
    m = MLP([784, 3, 1], ["relu", "sigmoid"], classes=[8, 7])
    with pytest.raises(ModelFileError, match="classes 12 are not labels"):
        load_model(write(tmp_path / "b.npz", m, classes=[8, 12]))


@pytest.mark.parametrize("changes,message", [
    ({"input_std": 1e-320}, "scale pixels"),
    ({"input_std": 1e-12}, "scale pixels"),
    ({"input_std": 0}, "input_std must be positive"),
    ({"input_std": -0.3}, "input_std must be positive"),
    ({"input_std": float("nan")}, "input_std must be a finite number"),
    ({"input_std": float("inf")}, "input_std must be a finite number"),
    ({"input_mean": float("nan")}, "input_mean must be a finite number"),
    ({"input_mean": float("-inf")}, "input_mean must be a finite number"),
    ({"input_mean": 1e300}, "scale pixels"),
])
def test_input_scaling_that_makes_pixels_non_finite(tmp_path, model, changes, message):
    with pytest.raises(ModelFileError, match=message):
        load_model(write(tmp_path / "m.npz", model, **changes))


def test_real_standardisations_load(tmp_path, model):
    loaded, _ = load_model(write(tmp_path / "m.npz", model, input_mean=0.1307, input_std=0.3081))
    assert loaded.input_std == pytest.approx(0.3081)


def test_weights_that_overflow_the_outputs(tmp_path, model):
    model.W[1][...] = 3e38  # finite float32, but 6 units of it overflow the logits
    with pytest.raises(ModelFileError, match="overflow"):
        load_model(write(tmp_path / "m.npz", model))


def test_a_sigmoid_layer_bounds_what_follows(tmp_path):
    m = MLP([784, 4, 10], ["sigmoid", "softmax"])
    m.W[0][...] = 1e30  # saturates the sigmoid: outputs stay in [0, 1]
    m.W[1][...] = 1.0
    loaded, _ = load_model(write(tmp_path / "m.npz", m))
    assert np.isfinite(loaded.predict_proba(np.ones((1, 784), np.float32))).all()


def test_wrong_shapes(tmp_path, model):
    arrays = dict(model.named_arrays())
    arrays["W2"] = np.zeros((6, 9), np.float32)
    arrays["meta"] = np.array(json.dumps(model_metadata(model)))
    np.savez(tmp_path / "m.npz", **arrays)
    with pytest.raises(ModelFileError, match="W2 has shape"):
        load_model(tmp_path / "m.npz")


def test_evaluate_says_why_instead_of_nan_percent(tmp_path, model, capsys):
    path = write(tmp_path / "m.npz", model, input_std=1e-320)
    assert main(["evaluate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "nan" not in captured.out and "scale pixels" in captured.err
    assert captured.err.count("\n") == 1
