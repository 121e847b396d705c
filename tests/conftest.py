"""Shared fixtures. Qt runs offscreen; no test touches the network."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
# Runs recorded by tests (CLI subprocesses included) go to a folder of this test session,
# never to the user's data folder.
import tempfile  # noqa: E402

os.environ["MNIST_GUI_HOME"] = tempfile.mkdtemp(prefix="mnist-gui-tests-")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mnist_gui.core.data import DataSpec, load_raw, prepare  # noqa: E402


@pytest.fixture(scope="session")
def raw_mnist():
    """The bundled MNIST, read and checksum-verified once per test session."""
    return load_raw()


@pytest.fixture(scope="session")
def small_dataset(raw_mnist):
    """2,000 training, 500 validation images; the full test set."""
    return prepare(raw_mnist, DataSpec(validation=500, train_subset=2000))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
