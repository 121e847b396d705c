"""Property-based tests: arbitrary and mutated bytes never crash the readers.

The IDX reader and the model loader either return something valid or raise the project's
own error type; never another exception, and never an allocation larger than the input.
"""

from __future__ import annotations

import gzip
import io
import json
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnist_gui.core.data import parse_idx, read_idx
from mnist_gui.core.errors import DataFormatError, ModelFileError
from mnist_gui.core.model_file import load_model, model_metadata
from mnist_gui.core.network import build_mlp

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid_idx_images(n=3, rows=4, cols=5, seed=0) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, n * rows * cols, dtype=np.uint8)
    return struct.pack(">IIII", 0x803, n, rows, cols) + pixels.tobytes()


def valid_idx_labels(n=6) -> bytes:
    return struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n))


def check_parse(data: bytes) -> None:
    try:
        array = parse_idx(data, "fuzz")
    except DataFormatError:
        return
    # accepted: then it must be exactly what the header says, and no bigger than the input
    assert array.dtype == np.uint8
    assert array.nbytes <= len(data)
    header = 16 if array.ndim == 3 else 8
    assert array.nbytes == len(data) - header
    if array.ndim == 1:
        assert array.size == 0 or array.max() <= 9


@FAST
@given(st.binary(max_size=200))
def test_idx_parser_on_arbitrary_bytes(data):
    check_parse(data)


@FAST
@given(
    st.sampled_from([valid_idx_images(), valid_idx_labels()]),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 255)), max_size=6),
    st.integers(-10, 10),
)
def test_idx_parser_on_mutated_files(base, flips, resize):
    data = bytearray(base)
    for position, value in flips:
        if position < len(data):
            data[position] = value
    if resize > 0:
        data += bytes(resize)
    elif resize < 0:
        del data[resize:]
    check_parse(bytes(data))


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_lying_headers_fail_without_allocating(count, rows, cols):
    data = struct.pack(">IIII", 0x803, count, rows, cols) + bytes(64)
    check_parse(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_idx_files_on_disk_including_gzip(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("idx")
    for name, content in (("raw-idx", data), ("packed.gz", gzip.compress(data)), ("bad.gz", data)):
        path = folder / name
        path.write_bytes(content)
        try:
            array = read_idx(path)
        except DataFormatError:
            continue
        assert array.nbytes <= len(data)


# ------------------------------------------------------------------------ model files


def valid_model_bytes() -> bytes:
    model = build_mlp(784, [3], 10).initialize(np.random.default_rng(0))
    arrays = {f"W{i + 1}": W for i, W in enumerate(model.W)}
    arrays.update({f"b{i + 1}": b for i, b in enumerate(model.b)})
    arrays["meta"] = np.array(json.dumps(model_metadata(model)))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


VALID_MODEL = valid_model_bytes()


def check_load(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("m") / "model.npz"
    path.write_bytes(data)
    try:
        model, meta = load_model(path)
    except ModelFileError:
        return
    assert np.isfinite(model.params).all()
    assert meta["format"] == "mnist-gui-mlp"


def test_the_valid_base_model_loads(tmp_path_factory):
    check_load(tmp_path_factory, VALID_MODEL)
    path = tmp_path_factory.mktemp("m") / "ok.npz"
    path.write_bytes(VALID_MODEL)
    assert load_model(path)[0].layer_sizes == [784, 3, 10]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(VALID_MODEL) - 1), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_model_loader_on_mutated_files(tmp_path_factory, flips):
    data = bytearray(VALID_MODEL)
    for position, value in flips:
        data[position] = value
    check_load(tmp_path_factory, bytes(data))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_model_loader_on_arbitrary_bytes(tmp_path_factory, data):
    check_load(tmp_path_factory, data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
))
def test_model_loader_on_arbitrary_metadata(tmp_path_factory, meta):
    model = build_mlp(784, [3], 10)
    arrays = {f"W{i + 1}": W for i, W in enumerate(model.W)}
    arrays.update({f"b{i + 1}": b for i, b in enumerate(model.b)})
    arrays["meta"] = np.array(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    check_load(tmp_path_factory, buffer.getvalue())


@pytest.mark.parametrize("dtype", [object])
def test_object_arrays_are_never_unpickled(tmp_path, dtype):
    path = tmp_path / "evil.npz"
    np.savez(path, W1=np.array([{"os": "system"}], dtype=dtype), meta=np.array("{}"))
    with pytest.raises(ModelFileError):
        load_model(path)
