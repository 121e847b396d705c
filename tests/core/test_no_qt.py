"""The core stays usable without Qt: importing all of it must not import any Qt binding."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import mnist_gui.core


def test_core_imports_no_qt():
    modules = [f"mnist_gui.core.{m.name}" for m in pkgutil.iter_modules(mnist_gui.core.__path__)]
    assert len(modules) >= 10
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'PySide2', 'pyqtgraph', 'shiboken6')]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_no_pickle_loading_anywhere():
    import pathlib

    root = pathlib.Path(mnist_gui.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "allow_pickle=True" not in text, path
        assert "import pickle" not in text, path


def test_asking_whether_tsne_is_available_does_not_import_it():
    """The window asks at start; importing openTSNE (scikit-learn, SciPy) took 1.8 s of it."""
    code = ("import sys; from mnist_gui.core.embedding import tsne_available; tsne_available(); "
            "print('openTSNE' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
