"""Render the app icon (resources/icons/mnist-gui.png) from MNIST test digit #0, a 7."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage  # noqa: E402

from mnist_gui.core.data import load_raw, resources_dir  # noqa: E402


def main() -> None:
    QGuiApplication(sys.argv)
    digit = load_raw().test_images[0].reshape(28, 28).astype(np.float64) / 255
    big = np.kron(digit, np.ones((8, 8)))  # 224 x 224, pixelated on purpose
    rgba = np.zeros((256, 256, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 28, 40, 70  # dark blue background
    inner = rgba[16:240, 16:240]
    inner[..., 0] = (28 + big * (214 - 28)).astype(np.uint8)
    inner[..., 1] = (40 + big * (39 - 40)).astype(np.uint8)
    inner[..., 2] = (70 + big * (40 - 70)).astype(np.uint8)
    image = QImage(rgba.tobytes(), 256, 256, 256 * 4, QImage.Format.Format_RGBA8888)
    out = resources_dir() / "icons" / "mnist-gui.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(out))
    print(out)


if __name__ == "__main__":
    main()
