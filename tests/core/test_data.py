"""The IDX reader on good and broken files, the bundled set, splits and subsets."""

from __future__ import annotations

import gzip
import shutil
import struct

import numpy as np
import pytest

from mnist_gui.core.data import (
    DataSpec,
    FILE_NAMES,
    bundled_mnist_dir,
    load_raw,
    parse_idx,
    prepare,
    read_idx,
)
from mnist_gui.core.errors import ConfigError, DataFormatError


def idx_images(images: np.ndarray) -> bytes:
    n, r, c = images.shape
    return struct.pack(">IIII", 0x803, n, r, c) + images.astype(np.uint8).tobytes()


def idx_labels(labels) -> bytes:
    labels = np.asarray(labels, np.uint8)
    return struct.pack(">II", 0x801, len(labels)) + labels.tobytes()


def write_mnist_folder(folder, n_train=30, n_test=10, size=28, gz=True, rng=None):
    rng = rng or np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    parts = {
        "train_images": idx_images(rng.integers(0, 256, (n_train, size, size))),
        "train_labels": idx_labels(rng.integers(0, 10, n_train)),
        "test_images": idx_images(rng.integers(0, 256, (n_test, size, size))),
        "test_labels": idx_labels(rng.integers(0, 10, n_test)),
    }
    for key, data in parts.items():
        name = FILE_NAMES[key]
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return folder


def test_bundled_mnist_has_the_known_shapes_and_checksums(raw_mnist):
    assert raw_mnist.train_images.shape == (60000, 784)
    assert raw_mnist.test_images.shape == (10000, 784)
    assert raw_mnist.train_images.dtype == np.uint8
    assert np.bincount(raw_mnist.train_labels).tolist()[:3] == [5923, 6742, 5958]
    assert raw_mnist.test_labels[:5].tolist() == [7, 2, 1, 0, 4]


def test_bundled_files_have_the_license_note():
    note = (bundled_mnist_dir() / "README.md").read_text()
    assert "Creative Commons Attribution-Share Alike 3.0" in note


def test_corrupt_bundled_copy_fails_the_checksum(tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    shutil.copytree(bundled_mnist_dir(), folder)
    labels = gzip.decompress((folder / "t10k-labels-idx1-ubyte.gz").read_bytes())
    changed = labels[:100] + bytes([(labels[100] + 1) % 10]) + labels[101:]
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(changed))
    monkeypatch.setattr("mnist_gui.core.data.bundled_mnist_dir", lambda: folder)
    with pytest.raises(DataFormatError, match="SHA-256 mismatch"):
        load_raw()


def test_parse_round_trip(rng):
    images = rng.integers(0, 256, (3, 4, 5))
    np.testing.assert_array_equal(parse_idx(idx_images(images)), images)
    np.testing.assert_array_equal(parse_idx(idx_labels([1, 9, 0])), [1, 9, 0])


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "too short"),
        (b"\x00\x00\x08\x03\x00\x00", "too short"),
        (struct.pack(">II", 0x1234, 1) + b"\x00", "bad magic number 0x00001234"),
        (struct.pack(">IIII", 0x803, 2, 2, 2) + bytes(7), "truncated"),
        (struct.pack(">IIII", 0x803, 1, 2, 2) + bytes(5), "trailing bytes"),
        (struct.pack(">IIII", 0x803, 1, 0, 2), "images of 0x2 pixels"),
        (struct.pack(">II", 0x801, 3) + bytes([1, 2, 10]), "label 10 at index 2 is out of range"),
        (struct.pack(">II", 0x801, 2**31) + bytes(4), "declares 2147483648 items"),
        (gzip.compress(idx_labels([1])), "looks like gzip data"),
    ],
)
def test_broken_idx_bytes_are_refused_with_the_reason(data, message):
    with pytest.raises(DataFormatError, match=message):
        parse_idx(data, "x.idx")


def test_huge_declared_count_fails_before_reading(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(struct.pack(">IIII", 0x803, 2**31 - 1, 28, 28) + bytes(100))
    with pytest.raises(DataFormatError, match="header declares"):
        read_idx(path)


def test_gz_named_file_that_is_not_gzip(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(idx_labels([1, 2]))
    with pytest.raises(DataFormatError, match="not gzip"):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_labels(range(10)) * 5)[:-12])
    with pytest.raises(DataFormatError, match=str(path.name)):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="file not found"):
        read_idx(tmp_path / "nothing.gz")


def test_data_folder_replaces_the_bundled_set(tmp_path):
    folder = write_mnist_folder(tmp_path / "fashion", n_train=30, n_test=10, gz=False)
    raw = load_raw(folder)
    assert raw.train_images.shape == (30, 784) and raw.test_images.shape == (10, 784)
    assert raw.source == str(folder)


def test_data_folder_with_a_missing_file(tmp_path):
    folder = write_mnist_folder(tmp_path / "d")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataFormatError, match="missing t10k-labels-idx1-ubyte"):
        load_raw(folder)


def test_data_folder_with_mismatched_counts(tmp_path):
    folder = write_mnist_folder(tmp_path / "d")
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_labels([1] * 29)))
    with pytest.raises(DataFormatError, match="30 train images but 29 labels"):
        load_raw(folder)


def test_prepare_splits_and_scales(raw_mnist):
    ds = prepare(raw_mnist, DataSpec(validation=10_000))
    assert len(ds.y_train) == 50_000 and len(ds.y_val) == 10_000 and len(ds.y_test) == 10_000
    assert ds.X_train.dtype == np.float32 and 0.0 <= ds.X_train.min() and ds.X_train.max() <= 1.0
    # the validation set is the *last* 10,000 of the training set
    np.testing.assert_array_equal(ds.y_val, raw_mnist.train_labels[50_000:])


def test_prepare_random_subset_is_seeded(raw_mnist):
    a = prepare(raw_mnist, DataSpec(train_subset=1000, subset_mode="random", seed=3))
    b = prepare(raw_mnist, DataSpec(train_subset=1000, subset_mode="random", seed=3))
    c = prepare(raw_mnist, DataSpec(train_subset=1000, subset_mode="first"))
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, c.y_train)
    np.testing.assert_array_equal(c.y_train, raw_mnist.train_labels[:1000])


def test_prepare_digit_subset_maps_to_class_indices(raw_mnist):
    ds = prepare(raw_mnist, DataSpec(digits=[8, 7], validation=400))
    assert ds.classes == [8, 7]
    n7, n8 = np.sum(raw_mnist.train_labels == 7), np.sum(raw_mnist.train_labels == 8)
    assert len(ds.y_train) + len(ds.y_val) == n7 + n8
    assert len(ds.y_val) == 400
    assert set(np.unique(ds.y_test)) == {0, 1}
    assert np.sum(ds.y_test == 1) == np.sum(raw_mnist.test_labels == 7)


def test_standardize(raw_mnist):
    ds = prepare(raw_mnist, DataSpec(standardize=True, train_subset=5000))
    assert abs(float(ds.X_train.mean())) < 1e-3 and abs(float(ds.X_train.std()) - 1) < 1e-3
    assert ds.input_std == pytest.approx(0.3081, abs=0.01)


@pytest.mark.parametrize(
    "spec,message",
    [
        (DataSpec(validation=60_000), "leaves no training data"),
        (DataSpec(train_subset=70_000), "larger than the 60000"),
        (DataSpec(digits=[3]), "2 or more distinct"),
        (DataSpec(digits=[3, 12]), "digits are 0-9"),
        (DataSpec(validation=-1), "cannot be negative"),
    ],
)
def test_bad_data_specs(raw_mnist, spec, message):
    with pytest.raises(ConfigError, match=message):
        prepare(raw_mnist, spec)
