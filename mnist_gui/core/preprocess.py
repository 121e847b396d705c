"""Turn any grayscale digit image into what MNIST's networks expect.

MNIST's own recipe (LeCun et al.): the digit is cropped to its bounding box, scaled
(keeping its aspect ratio) to fit a 20x20 box with anti-aliasing, and placed in a 28x28
image so that its centre of mass is at the centre. A digit drawn small, large or off-centre
thus looks like the training data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ImageError

#: Pixels at or below this fraction of the maximum count as background when cropping.
INK_THRESHOLD = 0.05


def area_resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix that resamples a 1-D signal by exact area averaging.

    Each output cell covers n_in/n_out input cells (fractionally at its edges); rows sum
    to 1. Applied on both axes (R_h @ img @ R_w.T) it is a proper anti-aliased resize for
    shrinking, and a box-filtered one for enlarging.
    """
    edges = np.linspace(0, n_in, n_out + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area-resample a 2-D float image to (height, width)."""
    rows = area_resample_matrix(image.shape[0], height)
    cols = area_resample_matrix(image.shape[1], width)
    return rows @ image @ cols.T


def shift_image(image: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """Shift a 2-D image by (dy, dx) pixels with bilinear interpolation, zeros outside."""
    H, W = image.shape
    padded = np.zeros((H + 2, W + 2))
    padded[1:-1, 1:-1] = image
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    sy = np.clip(yy - dy + 1, 0, H + 1 - 1e-9)
    sx = np.clip(xx - dx + 1, 0, W + 1 - 1e-9)
    y0, x0 = np.floor(sy).astype(int), np.floor(sx).astype(int)
    fy, fx = sy - y0, sx - x0
    y1, x1 = np.minimum(y0 + 1, H + 1), np.minimum(x0 + 1, W + 1)
    return (
        padded[y0, x0] * (1 - fy) * (1 - fx)
        + padded[y0, x1] * (1 - fy) * fx
        + padded[y1, x0] * fy * (1 - fx)
        + padded[y1, x1] * fy * fx
    )


def to_ink(gray: np.ndarray) -> np.ndarray:
    """Normalise a grayscale image (H, W) to ink in [0, 1], white digit on black.

    A photo or scan of dark ink on light paper is inverted: the border decides which is
    the background.
    """
    gray = np.asarray(gray, dtype=np.float64)
    if gray.ndim != 2 or gray.size == 0:
        raise ImageError(f"expected a 2-D grayscale image, got shape {gray.shape}")
    lo, hi = float(gray.min()), float(gray.max())
    if hi - lo < 1e-6:
        raise ImageError("the image is blank: draw a digit")
    ink = (gray - lo) / (hi - lo)
    border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    if np.median(border) > 0.5:
        ink = 1.0 - ink
    return ink


@dataclass
class PreprocessSteps:
    """The stages of ``mnist_preprocess``, to show a person why a digit drawn in a corner is
    still recognised. Images are float64 in [0, 1], white ink on black."""

    ink: np.ndarray  # (H, W) the input ink
    box: tuple[int, int, int, int]  # the ink's bounding box in ``ink``: top, bottom, left, right (inclusive)
    crop: np.ndarray  # the ink inside the bounding box
    scaled: np.ndarray  # (size, size): the crop scaled to fit box x box, placed in the middle
    shift: tuple[int, int]  # (dy, dx) pixels that move the centre of mass to the centre
    final: np.ndarray  # (size, size): what the network gets

    def images(self) -> list[tuple[str, np.ndarray]]:
        """(caption, image) for each stage, in order."""
        return [("ink", self.ink), ("bounding box", self.crop),
                ("scaled into the 20x20 box", self.scaled),
                ("centre of mass centred", self.final)]


def mnist_preprocess_steps(ink: np.ndarray, box: int = 20, size: int = 28) -> PreprocessSteps:
    """``mnist_preprocess`` keeping every intermediate image. Raises ImageError when there is
    no ink at all."""
    ink = np.asarray(ink, dtype=np.float64)
    if ink.ndim != 2:
        raise ImageError(f"expected a 2-D image, got shape {ink.shape}")
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 1e-6:
        raise ImageError("the image is blank: draw a digit")
    rows = np.flatnonzero((ink > INK_THRESHOLD * peak).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD * peak).any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = resize(crop, new_h, new_w)
    small /= max(float(small.max()), 1e-12)
    canvas = np.zeros((size, size))
    top, left = (size - new_h) // 2, (size - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = small
    total = canvas.sum()
    yy, xx = np.mgrid[0:size, 0:size]
    cy, cx = (canvas * yy).sum() / total, (canvas * xx).sum() / total
    # MNIST's digits have their centre of mass at pixel (14, 14) on average (measured over
    # the training set: 14.00, 14.01), and were moved by whole pixels, which keeps strokes
    # as sharp as the training data's.
    dy, dx = int(round(size / 2 - cy)), int(round(size / 2 - cx))
    centred = np.clip(shift_image(canvas, dy, dx), 0.0, 1.0)
    return PreprocessSteps(
        ink=ink, box=(int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])), crop=crop,
        scaled=canvas, shift=(dy, dx), final=centred,
    )


def mnist_preprocess(ink: np.ndarray, box: int = 20, size: int = 28) -> np.ndarray:
    """MNIST-style 28x28 image in [0, 1] from an ink image (H, W) (white on black).

    Raises ImageError when there is no ink at all.
    """
    return mnist_preprocess_steps(ink, box, size).final


def model_input(image28: np.ndarray, input_mean: float, input_std: float) -> np.ndarray:
    """The (1, 784) float32 row a model takes for a 28x28 image in [0, 1]."""
    x = (np.asarray(image28, np.float32).reshape(1, -1) - np.float32(input_mean)) / np.float32(
        input_std
    )
    return x.astype(np.float32)
