"""Small hostile model files cannot make a command use gigabytes: the parameter count is
read from the metadata and the arrays' headers before any array is, inference runs in
chunks sized from the layer widths, and an export checks its memory before building."""

from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest

import mnist_gui.core.network as network
from mnist_gui.cli import main
from mnist_gui.core.errors import ModelFileError
from mnist_gui.core.model_file import load_model
from mnist_gui.core.network import MAX_PARAMETERS, MLP


def npy_header_only(shape: tuple[int, ...]) -> bytes:
    """An .npy member that claims ``shape`` float32 and holds no data."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return out.getvalue()


def claimed_model(path, sizes: list[int]):
    """A file of a few hundred bytes whose meta and array headers describe ``sizes``."""
    meta = {"format": "mnist-gui-mlp", "version": 1, "layer_sizes": sizes,
            "activations": ["relu"] * (len(sizes) - 2) + ["softmax"],
            "classes": list(range(sizes[-1])), "input_mean": 0.0, "input_std": 1.0}
    meta_npy = io.BytesIO()
    np.save(meta_npy, np.array(json.dumps(meta)))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("meta.npy", meta_npy.getvalue())
        for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            archive.writestr(f"W{l}.npy", npy_header_only((a, b)))
            archive.writestr(f"b{l}.npy", npy_header_only((b,)))
    return path


@pytest.mark.parametrize("sizes", [[784, 600000, 10], [784, 8000, 8000, 10],
                                   [784] + [2000] * 14 + [10]])
def test_a_file_claiming_too_many_parameters_is_refused_before_reading(tmp_path, sizes):
    path = claimed_model(tmp_path / "zeros.npz", sizes)
    assert path.stat().st_size < 16_384
    with pytest.raises(ModelFileError, match=f"more than the {MAX_PARAMETERS:,}"):
        load_model(path)


@pytest.mark.parametrize("argv", [
    ["evaluate", "{m}"], ["export", "{m}", "{out}"], ["predict", "{m}", "{m}"],
    ["explain", "{m}", "test:0"], ["robustness", "{m}", "--limit", "10"],
    ["prune", "{m}", "--fraction", "0.5", "--save", "{out}"],
])
def test_every_command_refuses_it_in_one_line(tmp_path, capsys, argv):
    model = claimed_model(tmp_path / "zeros.npz", [784, 600000, 10])
    argv = [a.format(m=model, out=tmp_path / "out.npz") for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "parameters" in err and err.count("\n") == 1


def test_training_is_held_to_the_same_cap(capsys):
    """The app never makes a model it would refuse to load."""
    assert main(["train", "--hidden", "70000", "--no-record"]) == 1
    assert f"at most {MAX_PARAMETERS:,}" in capsys.readouterr().err


def test_inference_chunks_are_sized_from_the_layer_widths(monkeypatch, rng):
    monkeypatch.setattr(network, "INFERENCE_BUDGET", 1 << 20)
    model = MLP([784, 3000, 10], ["relu", "softmax"]).initialize(rng, "normal", 0.05)
    X = rng.random((500, 784), dtype=np.float32)
    whole = model.forward(X).copy()
    seen = []
    infer = model._infer  # the one pass every inference chunk goes through
    monkeypatch.setattr(model, "_infer", lambda part, *layers: (
        seen.append(len(part)), infer(part, *layers))[1])
    z = model.logits(X)
    per_row = 2 * 4 * sum(model.layer_sizes)
    assert model.inference_rows() * per_row <= 1 << 20
    assert max(seen) * per_row <= 1 << 20 and sum(seen) == 500 and len(seen) > 1
    np.testing.assert_allclose(z, whole, rtol=1e-4, atol=1e-5)


def test_a_wide_model_is_evaluated_in_small_chunks():
    """784-600000-10 used to run 8192 rows at once (about 40 GB of activations)."""
    wide = SimpleNamespace(dtype=np.dtype(np.float32), layer_sizes=[784, 600000, 10])
    rows = MLP.inference_rows(wide)
    assert 1 <= rows < 8192
    assert rows * 2 * 4 * sum(wide.layer_sizes) <= network.INFERENCE_BUDGET


def test_an_export_checks_its_memory_first(tmp_path, capsys, monkeypatch):
    import mnist_gui.core.config as config
    from mnist_gui.core.model_file import save_model

    model = MLP([784, 100, 10], ["relu", "softmax"])
    path = save_model(tmp_path / "m.npz", model)
    monkeypatch.setattr(config, "available_memory", lambda: 1 << 20)
    assert main(["export", str(path), str(tmp_path / "m.onnx")]) == 1
    assert "needs about" in capsys.readouterr().err
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("method", ["integrated-gradients", "smoothgrad"])
def test_explain_differentiates_its_steps_a_chunk_at_a_time(monkeypatch, rng, method):
    """100,000 steps through a wide layer used to be one (100,000, width) array."""
    import mnist_gui.core.explain as ex

    model = MLP([784, 64, 10], ["relu", "softmax"]).initialize(rng, "normal", 0.05)
    image = rng.random((28, 28))
    whole = ex.attribute(model, image, method, target=3, steps=300, samples=300)
    monkeypatch.setattr(network, "INFERENCE_BUDGET", 2 * 4 * sum(model.layer_sizes) * 100)
    rows = []
    real = ex.output_and_gradient
    monkeypatch.setattr(ex, "output_and_gradient", lambda m, images, *a: (
        rows.append(len(images)), real(m, images, *a))[1])
    chunked = ex.attribute(model, image, method, target=3, steps=300, samples=300)
    assert max(rows) <= 50 and sum(rows) == 300
    np.testing.assert_allclose(chunked.attributions, whole.attributions, rtol=1e-5, atol=1e-9)
