"""Reading digit images (PNG, JPEG, BMP, ...) into grayscale arrays, through Qt's decoders.

Qt is already a dependency and decodes every common format; using it here spares us a
second imaging library. QImageReader lets us check the size *before* decoding, so a
"decompression bomb" is refused without allocating it. This module is outside ``core``,
which stays Qt-free.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .core.errors import ImageError

MAX_IMAGE_SIDE = 8192
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_grayscale(path: str | Path) -> np.ndarray:
    """The image at ``path`` as float64 grayscale (H, W) in [0, 255]. Raises ImageError."""
    from PySide6.QtGui import QImageReader

    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{path}: file not found")
    size = path.stat().st_size
    if size == 0:
        raise ImageError(f"{path}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise ImageError(f"{path}: {size:,} bytes is too large for a digit image")
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    if not reader.canRead():
        raise ImageError(f"{path}: not an image Qt can read ({reader.errorString()})")
    dims = reader.size()
    if dims.isValid() and (dims.width() > MAX_IMAGE_SIDE or dims.height() > MAX_IMAGE_SIDE):
        raise ImageError(
            f"{path}: {dims.width()}x{dims.height()} pixels is too large "
            f"(at most {MAX_IMAGE_SIDE} per side)"
        )
    image = reader.read()
    if image.isNull():
        raise ImageError(f"{path}: cannot decode the image ({reader.errorString()})")
    return qimage_to_gray(image)


def qimage_to_gray(image) -> np.ndarray:  # noqa: ANN001 (QImage; Qt imported lazily)
    """Grayscale float64 (H, W) in [0, 255] from a QImage; transparent pixels count as
    background (white paper)."""
    from PySide6.QtGui import QImage

    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = rgba.width(), rgba.height()
    stride = rgba.bytesPerLine()
    buffer = np.frombuffer(rgba.constBits(), np.uint8, count=stride * h)
    pixels = buffer.reshape(h, stride)[:, : w * 4].reshape(h, w, 4).astype(np.float64)
    gray = pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114
    alpha = pixels[..., 3] / 255.0
    if alpha.min() < 1.0:
        gray = gray * alpha + 255.0 * (1 - alpha)
    return gray
