"""A small data file cannot make loading use gigabytes: the four headers are read first,
counts are checked against each other and against a budget before any image is read, and
a file is read only as far as its header declares."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

import mnist_gui.core.config as config
from mnist_gui.core.data import FILE_NAMES, MAX_DATA_BYTES, load_raw, read_idx
from mnist_gui.core.errors import DataFormatError

from .test_data import idx_labels, write_mnist_folder


def truncated_gzip(data: bytes) -> bytes:
    """gzip data cut short: reading it to the end fails, reading its start does not."""
    return gzip.compress(data)[:-64]


def put(folder, key: str, data: bytes) -> None:
    (folder / f"{FILE_NAMES[key]}.gz").write_bytes(data)


@pytest.fixture
def folder(tmp_path):
    return write_mnist_folder(tmp_path / "data", n_train=40, n_test=10)


def test_an_image_count_that_disagrees_with_the_labels_is_found_from_the_headers(folder):
    """A 2 MB gzip that honestly declares 2 GiB of images is refused before it is read
    (it took 4.2 GB before the count check)."""
    count = (1 << 31) // 784
    put(folder, "train_images", truncated_gzip(
        struct.pack(">IIII", 0x803, count, 28, 28) + bytes(1 << 20)))
    with pytest.raises(DataFormatError, match=f"declares {count:,} train images but 40 labels \\(in train-labels"):
        load_raw(folder)


def test_counts_that_agree_but_exceed_the_budget(folder):
    count = MAX_DATA_BYTES // 784 + 1
    put(folder, "train_images", truncated_gzip(
        struct.pack(">IIII", 0x803, count, 28, 28) + bytes(1 << 20)))
    put(folder, "train_labels", gzip.compress(idx_labels(np.zeros(count, np.uint8))))
    with pytest.raises(DataFormatError, match="more than the 1,073,741,824 this app reads"):
        load_raw(folder)


def test_counts_within_the_budget_but_not_the_memory_free(folder, monkeypatch):
    monkeypatch.setattr(config, "available_memory", lambda: 1000)
    with pytest.raises(DataFormatError, match="of memory; 0.0 GB is available"):
        load_raw(folder)


def test_a_test_set_that_disagrees_with_its_labels(folder):
    put(folder, "test_labels", truncated_gzip(struct.pack(">II", 0x801, 10**6) + bytes(1 << 20)))
    with pytest.raises(DataFormatError, match="declares 10 test images but 1,000,000 labels \\(in t10k-labels"):
        load_raw(folder)


def test_an_unknown_header_stops_the_read(tmp_path):
    """A bad magic number is named after 16 bytes, not after reading up to 2 GiB."""
    path = tmp_path / "x.gz"
    path.write_bytes(truncated_gzip(struct.pack(">IIII", 0x999, 1, 1, 1) + bytes(1 << 20)))
    with pytest.raises(DataFormatError, match="bad magic number 0x00000999"):
        read_idx(path)


def test_a_file_is_read_only_as_far_as_it_declares(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(truncated_gzip(idx_labels([1, 2, 3]) + bytes(1 << 20)))
    with pytest.raises(DataFormatError, match="has trailing bytes"):
        read_idx(path)
