"""Model files: round trip, the documented layout, and refusal of anything else."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from mnist_gui.core.errors import ModelFileError
from mnist_gui.core.model_file import load_model, model_metadata, save_model
from mnist_gui.core.network import MLP, build_mlp


@pytest.fixture
def model(rng):
    m = build_mlp(784, [16, 8], 10, activation="leaky_relu")
    return m.initialize(rng, "he")


def test_round_trip(tmp_path, model):
    path = save_model(tmp_path / "m", model, {"lr": 0.1}, {"test_accuracy": 0.9})
    assert path.name == "m.npz"
    loaded, meta = load_model(path)
    np.testing.assert_array_equal(loaded.params, model.params)
    assert loaded.activations == model.activations and loaded.classes == model.classes
    assert meta["config"] == {"lr": 0.1} and meta["metrics"] == {"test_accuracy": 0.9}
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict_proba(x), model.predict_proba(x))


def test_documented_layout_readable_without_our_code(tmp_path, model):
    path = save_model(tmp_path / "m.npz", model)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W1", "W2", "W3", "b1", "b2", "b3", "meta"]
        assert npz["W1"].shape == (784, 16) and npz["W1"].dtype == np.float32
        assert npz["b3"].shape == (10,)
        meta = json.loads(str(npz["meta"]))
    assert meta["format"] == "mnist-gui-mlp" and meta["version"] == 2
    assert meta["layers"] == [
        {"kind": "dense", "fan_in": 784, "fan_out": 16}, {"kind": "leaky_relu", "slope": 0.01},
        {"kind": "dense", "fan_in": 16, "fan_out": 8}, {"kind": "leaky_relu", "slope": 0.01},
        {"kind": "dense", "fan_in": 8, "fan_out": 10}]
    assert meta["output_activation"] == "softmax"
    assert meta["layer_sizes"] == [784, 16, 8, 10]
    assert meta["activations"] == ["leaky_relu", "leaky_relu", "softmax"]
    assert meta["leaky_relu_slope"] == 0.01
    assert meta["input_mean"] == 0.0 and meta["input_std"] == 1.0


FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data")


def test_a_version_1_file_still_opens_as_the_same_network():
    """tests/data/model_v1_tanh_leaky.npz was written by the version-1 writer (before the
    layer list): it opens as Dense-tanh-Dense-leaky ReLU(0.05)-Dense with its own weights."""
    path = os.path.join(FIXTURES, "model_v1_tanh_leaky.npz")
    with np.load(path, allow_pickle=False) as npz:
        raw = {name: npz[name] for name in npz.files}
    assert json.loads(str(raw["meta"]))["version"] == 1
    model, meta = load_model(path)
    assert [layer.spec() for layer in model.architecture] == [
        {"kind": "dense", "fan_in": 784, "fan_out": 8}, {"kind": "tanh"},
        {"kind": "dense", "fan_in": 8, "fan_out": 6}, {"kind": "leaky_relu", "slope": 0.05},
        {"kind": "dense", "fan_in": 6, "fan_out": 10}]
    assert meta["metrics"] == {"test_accuracy": 0.5}
    x = np.random.default_rng(1).standard_normal((4, 784))
    a = np.tanh(x @ raw["W1"] + raw["b1"])
    z = a @ raw["W2"] + raw["b2"]
    z = np.maximum(z, 0.05 * z) @ raw["W3"] + raw["b3"]
    np.testing.assert_allclose(model.logits(x.astype(np.float32)), z, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_a_normalised_network_round_trips_with_its_layer_list_and_statistics(
        tmp_path, rng, normalization):
    model = build_mlp(784, [12, 6], 10, activation="sigmoid", normalization=normalization)
    model.initialize(rng, "xavier")
    model.params[...] = rng.standard_normal(model.params.shape)  # gamma, beta not at 1, 0
    model.loss_and_grads(rng.random((32, 784), dtype=np.float32), rng.integers(0, 10, 32), "ce")
    path = save_model(tmp_path / "m.npz", model)
    kind = f"{normalization}_norm"
    with np.load(path, allow_pickle=False) as npz:
        names = set(npz.files)
        meta = json.loads(str(npz["meta"]))
    assert {f"{kind}_gamma1", f"{kind}_beta1", f"{kind}_gamma2", "W3"} <= names
    assert ({f"{kind}_running_mean1", f"{kind}_running_var2"} <= names) == (kind == "batch_norm")
    assert [layer["kind"] for layer in meta["layers"]] == [
        "dense", kind, "sigmoid", "dense", kind, "sigmoid", "dense"]
    loaded, _ = load_model(path)
    assert loaded.normalization == normalization
    np.testing.assert_array_equal(loaded.params, model.params)
    np.testing.assert_array_equal(loaded.state, model.state)
    x = rng.random((5, 784), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict_proba(x), model.predict_proba(x), rtol=1e-6)


@pytest.mark.parametrize("change,why", [
    ({"version": 1}, "version 1 has no 'layers'"),
    ({"layers": None}, "layers must be a list"),
    ({"layers": [{"kind": "dense", "fan_in": 784, "fan_out": 10}, {"kind": "relu"}]},
     "the last layer must be a dense layer"),
    ({"layers": [{"kind": "pickle", "size": 3}]}, "unknown layer kind"),
    ({"layers": [{"kind": "dense", "fan_in": 784, "fan_out": "16"}]}, "must be a finite number"),
    ({"layers": [{"kind": "dense", "fan_in": 784, "fan_out": 16.5}]}, "positive whole sizes"),
    ({"output_activation": "sigmoid"}, "output_activation"),
])
def test_a_layer_list_that_does_not_fit_is_refused_by_name(tmp_path, model, change, why):
    path = write_npz(tmp_path / "bad.npz", valid_arrays(model, **change))
    with pytest.raises(ModelFileError, match=why):
        load_model(path)


def test_a_layer_list_that_disagrees_with_layer_sizes_is_refused(tmp_path, model):
    meta = model_metadata(model)
    meta["layers"][0]["fan_out"] = meta["layers"][2]["fan_in"] = 15  # 784-15-8-10 claiming 16
    arrays = valid_arrays(model, layers=meta["layers"])
    with pytest.raises(ModelFileError, match="layer_sizes and activations say"):
        load_model(write_npz(tmp_path / "bad.npz", arrays))


def test_a_negative_running_variance_is_refused(tmp_path, rng):
    model = build_mlp(784, [8], 10, normalization="batch").initialize(rng)
    model.blocks[0].transforms[0].state["running_var"][3] = -1.0
    with pytest.raises(ModelFileError, match="negative running variance"):
        load_model(save_model(tmp_path / "m.npz", model))


def write_npz(path, arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def valid_arrays(model, **meta_changes):
    meta = model_metadata(model)
    meta.update(meta_changes)
    arrays = {f"W{i+1}": W for i, W in enumerate(model.W)}
    arrays.update({f"b{i+1}": b for i, b in enumerate(model.b)})
    arrays["meta"] = np.array(json.dumps(meta))
    return arrays


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda a: a.update(meta=np.array(json.dumps({"format": "other"}))), "format is 'other'"),
        (lambda a: a.update(meta=np.array("{not json")), "not JSON"),
        (lambda a: a.pop("meta"), "no 'meta'"),
        (lambda a: a.pop("W2"), "arrays missing \\['W2'\\]"),
        (lambda a: a.update(W9=np.zeros(3)), "unexpected \\['W9'\\]"),
        (lambda a: a.update(W1=np.zeros((784, 17), np.float32)), "W1 has shape"),
        (lambda a: a.update(b2=np.full(8, np.nan, np.float32)), "b2 contains NaN"),
        (lambda a: a.update(W1=np.zeros((784, 16), np.int32)), "W1 has dtype int32"),
        (lambda a: a.update(W1=np.full((784, 16), {"x": 1}, dtype=object)), "W1 has dtype object"),
        (lambda a: a.update(meta=np.array([1, 2])), "0-d string"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path, model, mutate, message):
    arrays = valid_arrays(model)
    mutate(arrays)
    path = write_npz(tmp_path / "bad.npz", arrays)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


@pytest.mark.parametrize(
    "meta_changes,message",
    [
        ({"version": 3}, "version 3 is not supported"),
        ({"layer_sizes": [784, 0, 10]}, "layer_sizes"),
        ({"activations": ["relu", "relu", "gelu"]}, "unknown activation"),
        ({"classes": [0, 1]}, "classes must be 10 distinct"),
        ({"input_std": 0}, "input_std must be positive"),
        ({"input_mean": "x"}, "input_mean must be a finite number"),
    ],
)
def test_bad_metadata_is_refused(tmp_path, model, meta_changes, message):
    path = write_npz(tmp_path / "bad.npz", valid_arrays(model, **meta_changes))
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_non_npz_files(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="not a valid mnist-gui model"):
        load_model(text)
    with pytest.raises(ModelFileError, match="file not found"):
        load_model(tmp_path / "missing.npz")
    pickled = tmp_path / "pickle.npz"
    np.save(pickled.with_suffix(".npy"), np.array([{"a": 1}], dtype=object), allow_pickle=True)
    os.replace(pickled.with_suffix(".npy"), pickled)
    with pytest.raises(ModelFileError):
        load_model(pickled)


def test_failed_save_leaves_the_old_file_intact(tmp_path, model, monkeypatch):
    path = save_model(tmp_path / "m.npz", model)
    good = path.read_bytes()

    def broken_savez(fh, **arrays):
        fh.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(ModelFileError, match="No space left"):
        save_model(path, model)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary left behind


def test_unwritable_path(tmp_path, model):
    with pytest.raises(ModelFileError, match="does not exist"):
        save_model(tmp_path / "no" / "such" / "m.npz", model)


def test_binary_model_round_trip(tmp_path, rng):
    m = MLP([784, 5, 1], ["sigmoid", "sigmoid"], classes=[8, 7]).initialize(rng, "normal", 0.1)
    loaded, meta = load_model(save_model(tmp_path / "b.npz", m))
    assert meta["classes"] == [8, 7] and loaded.is_binary
    probs = loaded.predict_proba(rng.random((4, 784), dtype=np.float32))
    assert probs.shape == (4, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)


def test_a_text_file_named_npz_is_not_a_model_and_no_pickle_is_suggested(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("these are my notes, not a model\n")
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert "not a valid mnist-gui model" in message and "not an .npz archive" in message
    assert "pickle" not in message.lower()


def test_saved_models_respect_the_umask(tmp_path):
    import os

    model = MLP([4, 3, 2], ["relu", "softmax"])
    old = os.umask(0o022)
    try:
        path = save_model(tmp_path / "m.npz", model)
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == 0o644


def test_the_file_names_every_parameter_like_version_1(tmp_path):
    """W1, b1, W2, b2 and meta, nothing else: the documented format is unchanged."""
    model = MLP([4, 3, 2], ["tanh", "softmax"], dropout=0.5)
    path = save_model(tmp_path / "m.npz", model)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W1", "W2", "b1", "b2", "meta"]
        assert npz["W1"].shape == (4, 3) and npz["b2"].shape == (2,)


def test_a_model_keeps_its_epoch_history_and_a_bad_one_is_ignored_not_fatal(tmp_path, model):
    from mnist_gui.core.model_file import history_in
    from mnist_gui.core.training import EpochFinished

    epochs = [EpochFinished(e, 2, 0.5 / e, 0.8, None, None, 0.4 / e, 0.85 + e / 100, 1.0, 0.1,
                            6e4, 0.1) for e in (1, 2)]
    path = save_model(tmp_path / "m.npz", model, history=[e.metrics() for e in epochs])
    _, meta = load_model(path)
    read = [EpochFinished.from_metrics(row) for row in history_in(meta)]
    assert [e.metrics() for e in read] == [e.metrics() for e in epochs]
    # a history that does not read as one: the model opens, without curves
    for bad in ("x", [{"epoch": 2}, {"epoch": 1}], [{"epoch": True}], [{"epoch": 1, "lr": [1]}],
                [{"loss": 1.0}], [[1, 2]]):
        assert history_in({**meta, "history": bad}) == []
    assert history_in({}) == []
