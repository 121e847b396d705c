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

#: Budgets checked from the header, before anything is decoded: a 150-byte SVG or a 1 KB
#: BMP can claim 8000x8000 pixels (gigabytes once decoded and converted). A 12-megapixel
#: photo of a digit fits; decoding and converting the largest image allowed stays under
#: about 0.5 GB.
MAX_IMAGE_SIDE = 8192
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Vector formats are refused: rendering one (an SVG with <text>) needs fonts, which Qt
#: gives only to a running QGuiApplication (without one it aborts the process), and its
#: size is whatever the file claims. Decided from the content, not the file's name.
VECTOR_FORMATS = {"svg", "svgz", "pdf", "eps", "ps"}


def _looks_like_vector(head: bytes) -> bool:
    """An XML or SVG document (maybe after a BOM or whitespace), a PDF or PostScript file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith((b"<", b"%PDF", b"%!PS"))


def read_grayscale(path: str | Path) -> np.ndarray:
    """The image at ``path`` as float64 grayscale (H, W) in [0, 255]. Raises ImageError.

    Raster formats only (PNG, JPEG, BMP, GIF, TIFF, WebP, ...), at most MAX_IMAGE_PIXELS
    pixels, both checked before decoding."""
    from PySide6.QtGui import QImageReader

    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{path}: file not found")
    size = path.stat().st_size
    if size == 0:
        raise ImageError(f"{path}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise ImageError(f"{path}: {size:,} bytes is too large for a digit image")
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise ImageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    vector = f"{path}: a vector image (SVG, PDF, ...); mnist-gui reads raster images only " \
        "(PNG, JPEG, BMP, ...): export it as PNG"
    if _looks_like_vector(head):
        raise ImageError(vector)
    reader = QImageReader(str(path))
    reader.setDecideFormatFromContent(True)
    reader.setAutoTransform(True)
    if not reader.canRead():
        raise ImageError(f"{path}: not an image Qt can read ({reader.errorString()})")
    if bytes(reader.format()).decode("ascii", "replace").lower() in VECTOR_FORMATS:
        raise ImageError(vector)
    dims = reader.size()
    # a header may give a negative height (a top-down BMP): its size is the absolute value
    width, height = abs(dims.width()), abs(dims.height())
    if dims.width() != -1 or dims.height() != -1:
        if width == 0 or height == 0:
            raise ImageError(f"{path}: an image of {width}x{height} pixels")
        if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
            raise ImageError(
                f"{path}: {width}x{height} pixels is too large (at most {MAX_IMAGE_SIDE} per "
                f"side and {MAX_IMAGE_PIXELS:,} pixels in all)"
            )
    # a format that cannot tell its size before decoding is held to the same budget by
    # Qt's own allocation limit (in MB, for the decoded image)
    previous = QImageReader.allocationLimit()
    QImageReader.setAllocationLimit(max(1, MAX_IMAGE_PIXELS * 8 >> 20))  # 16-bit RGBA
    try:
        image = reader.read()
    finally:
        QImageReader.setAllocationLimit(previous)
    if image.isNull():
        raise ImageError(f"{path}: cannot decode the image ({reader.errorString()})")
    if image.width() * image.height() > MAX_IMAGE_PIXELS:
        raise ImageError(f"{path}: {image.width()}x{image.height()} pixels is too large")
    return qimage_to_gray(image)


def qimage_to_gray(image) -> np.ndarray:  # noqa: ANN001 (QImage; Qt imported lazily)
    """Grayscale float64 (H, W) in [0, 255] from a QImage; transparent pixels count as
    background (white paper)."""
    from PySide6.QtGui import QImage

    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = rgba.width(), rgba.height()
    stride = rgba.bytesPerLine()
    buffer = np.frombuffer(rgba.constBits(), np.uint8, count=stride * h)
    pixels = buffer.reshape(h, stride)[:, : w * 4].reshape(h, w, 4)
    # channel by channel in float32: a float64 copy of all four channels would be 32 bytes
    # a pixel (half a gigabyte for a 4096x4096 image)
    gray = pixels[..., 0] * np.float32(0.299)
    gray += pixels[..., 1] * np.float32(0.587)
    gray += pixels[..., 2] * np.float32(0.114)
    alpha = pixels[..., 3]
    if alpha.min() < 255:
        a = alpha * np.float32(1 / 255)
        gray *= a
        a -= 1
        a *= np.float32(-255.0)
        gray += a
    return gray.astype(np.float64)
