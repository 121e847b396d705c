"""ONNX export: onnxruntime on the whole test set gives our probabilities."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_gui.core.lab import Lab, Prune, ScaleUnit
from mnist_gui.core.onnx_export import INPUT_NAME, OPSET, OUTPUT_NAME, export_onnx, to_onnx

from ..tiny_models import scaled_test_set, train_tiny

ort = pytest.importorskip("onnxruntime")


def run_onnx(path, pixels):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == [INPUT_NAME]
    assert [o.name for o in session.get_outputs()] == [OUTPUT_NAME]
    return session.run(None, {INPUT_NAME: pixels})[0]


@pytest.mark.parametrize("changes", [
    {"hidden": [48, 24]},
    {"hidden": [32], "activation": "tanh"},
    {"hidden": [24], "activation": "leaky_relu"},
    {"hidden": [16], "activation": "sigmoid", "loss": "mse"},
    {"hidden": [16], "digits": [3, 8], "loss": "bce"},
    {"hidden": [32, 16], "normalization": "batch"},
    {"hidden": [24], "activation": "sigmoid", "normalization": "batch", "digits": [3, 8],
     "loss": "bce"},
    {"hidden": [32, 16], "activation": "tanh", "normalization": "layer"},
], ids=["relu", "tanh", "leaky", "sigmoid-mse", "binary", "batch-norm", "batch-norm-binary",
        "layer-norm"])
def test_onnxruntime_equals_our_forward_pass_on_the_whole_test_set(raw_mnist, tmp_path, changes):
    model = train_tiny(raw_mnist, **changes)
    path = export_onnx(model, tmp_path / "m.onnx")
    X, _, pixels = scaled_test_set(raw_mnist, model)
    theirs = run_onnx(path, pixels)
    ours = model.predict_proba(X)
    if model.is_binary:
        assert theirs.shape == (len(X), 1)
        ours = ours[:, 1:]
    else:
        assert theirs.shape == (len(X), len(model.classes))
    np.testing.assert_allclose(theirs, ours, atol=2e-5)
    assert np.array_equal(model.predicted_index(model.logits(X)),
                          (theirs[:, 0] > 0.5).astype(int) if model.is_binary else theirs.argmax(1))


def test_batch_norm_is_folded_into_the_dense_layer_before_it(raw_mnist, tmp_path):
    """No node computes the normalisation: its scale and shift are in W and b, and a unit
    switched off in the lab still is."""
    model = train_tiny(raw_mnist, hidden=[32, 16], normalization="batch")
    X, y, pixels = scaled_test_set(raw_mnist, model)
    lab = Lab(model, X[:2000], y[:2000])
    lab.apply(ScaleUnit(0, 5, 0.0))
    proto = to_onnx(lab.model)
    assert {node.op_type for node in proto.graph.node} == {
        "Sub", "Div", "MatMul", "Add", "Relu", "Softmax"}
    assert len([n for n in proto.graph.node if n.op_type == "MatMul"]) == 3
    path = export_onnx(lab.model, tmp_path / "folded.onnx")
    np.testing.assert_allclose(run_onnx(path, pixels[:2000]), lab.model.predict_proba(X[:2000]),
                               atol=2e-5)


def test_lab_edits_are_exported(raw_mnist, tmp_path):
    model = train_tiny(raw_mnist, hidden=[32])
    X, y, pixels = scaled_test_set(raw_mnist, model)
    lab = Lab(model, X[:2000], y[:2000])
    lab.apply(ScaleUnit(0, 3, 0.0))
    lab.apply(ScaleUnit(0, 4, 2.0))
    lab.apply(Prune(0.5))
    path = export_onnx(lab.model, tmp_path / "edited.onnx")
    np.testing.assert_allclose(run_onnx(path, pixels[:2000]), lab.model.predict_proba(X[:2000]),
                               atol=2e-5)


def test_metadata_names_the_classes_and_opset(raw_mnist):
    model = train_tiny(raw_mnist, hidden=[8], digits=[1, 7, 9])
    proto = to_onnx(model)
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["classes"]) == [1, 7, 9]
    assert float(props["input_std"]) == model.input_std
    assert proto.opset_import[0].version == OPSET


def test_the_readmes_onnx_example_runs_as_printed(raw_mnist, tmp_path, monkeypatch):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme.split("### ONNX export", 1)[1], re.S).group(1)
    export_onnx(train_tiny(raw_mnist, hidden=[16]), tmp_path / "m.onnx")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    probabilities = namespace["probabilities"]
    assert probabilities.shape == (1, 10) and abs(float(probabilities.sum()) - 1) < 1e-5
