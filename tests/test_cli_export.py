"""``mnist-gui export``: writes an ONNX file onnxruntime can run; bad paths are one line."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.cli import main
from mnist_gui.core.model_file import save_model

from .tiny_models import train_tiny

ort = pytest.importorskip("onnxruntime")


def test_export_writes_a_runnable_model(raw_mnist, tmp_path, capsys):
    model = train_tiny(raw_mnist, hidden=[16])
    source = save_model(tmp_path / "m.npz", model, {}, {})
    target = tmp_path / "m.onnx"
    assert main(["export", str(source), str(target)]) == 0
    assert "opset 17" in capsys.readouterr().out
    pixels = raw_mnist.test_images[:100].astype(np.float32) / 255
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    probabilities = session.run(None, {"pixels": pixels})[0]
    X = (pixels - np.float32(model.input_mean)) / np.float32(model.input_std)
    np.testing.assert_allclose(probabilities, model.predict_proba(X), atol=2e-5)


def test_a_missing_folder_is_one_line(raw_mnist, tmp_path, capsys):
    source = save_model(tmp_path / "m.npz", train_tiny(raw_mnist, hidden=[8]), {}, {})
    assert main(["export", str(source), str(tmp_path / "no" / "m.onnx")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and err.count("\n") == 1
