"""The installed wheel carries the data, the license note and the icon; the entry points work."""

from __future__ import annotations

import importlib.metadata as metadata
import sysconfig

import pytest


def installed_files() -> set[str]:
    """Files of the *installed* distribution (site-packages), not of a checkout's egg-info."""
    site = sysconfig.get_paths()["purelib"]
    for dist in metadata.distributions(path=[site]):
        if dist.metadata["Name"] == "mnist-gui":
            return {str(f) for f in dist.files or []}
    pytest.skip("mnist-gui is not installed (run: pip install '.[test]')")


def test_wheel_ships_mnist_with_its_license_and_the_icon():
    files = installed_files()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "README.md"):
        assert f"mnist_gui/resources/mnist/{name}" in files, name
    assert "mnist_gui/resources/icons/mnist-gui.png" in files
    # the compiled translations the window loads (the .ts sources stay in the repository)
    for language in ("it", "en"):
        assert f"mnist_gui/resources/i18n/mnist_gui_{language}.qm" in files, language


def test_console_script_is_declared():
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    assert scripts.get("mnist-gui") == "mnist_gui.__main__:main"


def test_dependencies_pin_pyside6_below_6_12():
    requires = metadata.requires("mnist-gui") or []
    pyside = [r for r in requires if r.lower().startswith("pyside6-essentials")]
    assert pyside and "<6.12" in pyside[0]
