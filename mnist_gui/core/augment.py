"""Data augmentation for images in a batch: random affine maps and elastic distortion.

Vectorised over the batch: each sample gets its own rotation, scale, shear and shift (and,
for "elastic", a smooth random displacement field), all sampled in one bilinear gather for
the whole batch with no per-image Python loop.

Elastic fields (Simard et al. 2003: Gaussian-smoothed uniform noise, sigma ~ 4-6 px,
alpha ~ 34-38) are expensive to draw, so a bank of fields is drawn once and each sample
takes a random one with a random sign and transposition: with 512 fields that is 2,048
distinct distortions, each combined with its own affine map. Per batch, the coordinates
are one gather and one small GEMM, the sampling four gathers.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError

AUGMENTATIONS = ("none", "affine", "elastic")
AUGMENT_SCHEDULES = ("constant", "linear")  # linear: distortions shrink to 0 by the last epoch
AUGMENT_TITLES = {
    "none": "no augmentation",
    "affine": "random shift (±2 px), rotation (±10°), scaling (±10%) and shear (±0.1)",
    "elastic": "random affine plus elastic distortion (sigma 5, 1.5 px RMS displacement)",
}


def _gaussian_kernel(sigma: float) -> np.ndarray:
    radius = int(3 * sigma)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def _smooth(fields: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of fields (..., H, W) with zero padding."""
    k = _gaussian_kernel(sigma)
    H, W = fields.shape[-2:]
    # Build the blur as two dense (H, H) and (W, W) matrices: tiny for images, and one
    # matmul per axis instead of a convolution loop.
    def blur_matrix(n: int) -> np.ndarray:
        r = len(k) // 2
        m = np.zeros((n, n))
        for i in range(n):
            for j in range(max(0, i - r), min(n, i + r + 1)):
                m[i, j] = k[j - i + r]
        return m

    Bh, Bw = blur_matrix(H), blur_matrix(W)
    return Bh @ fields @ Bw.T


class Augmenter:
    """Applies random distortions to a batch of flattened images in place."""

    def __init__(
        self,
        kind: str,
        image_shape: tuple[int, int],
        strength: float,
        rng: np.random.Generator,
        *,
        fill: float = 0.0,
        n_fields: int = 512,
        sigma: float = 5.0,
        alpha: float = 34.0,
    ) -> None:
        if kind not in AUGMENTATIONS:
            raise ConfigError(f"augment: unknown {kind!r}; expected one of {', '.join(AUGMENTATIONS)}")
        self.kind = kind
        self.rng = rng
        self.strength = float(strength)
        self.fill = float(fill)
        H, W = image_shape
        self.H, self.W = H, W
        self._cy, self._cx = (H - 1) / 2, (W - 1) / 2
        # destination pixel j's offsets from the centre, and 1: source = coefficients @ basis
        rows, cols = np.mgrid[0:H, 0:W]
        self._basis = np.stack(
            [(cols - self._cx).ravel(), (rows - self._cy).ravel(), np.ones(H * W)]
        ).astype(np.float32)  # (3, H*W)
        self.level = 1.0  # multiplies every distortion; the trainer anneals it
        self.max_shift = 2.0 * strength
        self.max_rotation = np.deg2rad(10.0) * strength
        self.max_scale = 0.10 * strength
        self.max_shear = 0.10 * strength
        self._fields = None
        if kind == "elastic":
            noise = rng.uniform(-1, 1, size=(n_fields, 2, H, W))
            fields = _smooth(noise, sigma)
            # Normalise every field to the same RMS displacement. Simard's uniform noise
            # smoothed with sigma 4 and scaled by alpha 34 moves pixels by ~1.4 px RMS;
            # ``alpha`` keeps that meaning here for any sigma.
            rms = np.sqrt((fields**2).mean(axis=(1, 2, 3), keepdims=True))
            target = alpha * np.sqrt(1 / 3 / (4 * np.pi * 4.0**2)) * strength
            fields *= target / rms
            fields = fields.reshape(n_fields, 2, H * W).astype(np.float32)
            # Each field as drawn, negated, transposed (x and y displacements swapped) and
            # both: 4x the variety, and a pick is one gather of whole rows from two
            # contiguous (4 * n_fields, H*W) banks (6.4 MB each for 512 MNIST fields).
            fx, fy = fields[:, 0], fields[:, 1]
            self._fields = (np.concatenate([fx, -fx, fy, -fy]), np.concatenate([fy, -fy, fx, -fx]))
        self._buffers: dict[tuple[str, int], np.ndarray] = {}

    def source_coordinates(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Random source coordinates (m, H*W) for each destination pixel of m images.

        Everything (m, H*W) is float32 and written into buffers kept per batch size:
        augmentation must not cost more than a fraction of a training step.
        """
        rng, k = self.rng, self.level
        angle = rng.uniform(-self.max_rotation * k, self.max_rotation * k, (m, 1))
        scale_x = 1 + rng.uniform(-self.max_scale * k, self.max_scale * k, (m, 1))
        scale_y = scale_x * (1 + rng.uniform(-self.max_scale * k / 2, self.max_scale * k / 2, (m, 1)))
        shear = rng.uniform(-self.max_shear * k, self.max_shear * k, (m, 1))
        shift = rng.uniform(-self.max_shift * k, self.max_shift * k, (m, 2))
        cos, sin = np.cos(angle), np.sin(angle)
        # inverse map (destination -> source) of rotate(angle) @ shear @ scale:
        # s = A (d - shift) + c = A d + (c - A shift), the constant folded per image
        a11, a12 = cos / scale_x, (sin - shear * cos) / scale_x
        a21, a22 = -sin / scale_y, cos / scale_y
        off_x = self._cx - a11 * shift[:, :1] - a12 * shift[:, 1:]
        off_y = self._cy - a21 * shift[:, :1] - a22 * shift[:, 1:]
        sx, sy = self._buffer("sx", m), self._buffer("sy", m)
        coefficients_x = np.hstack([a11, a12, off_x]).astype(np.float32)  # (m, 3)
        coefficients_y = np.hstack([a21, a22, off_y]).astype(np.float32)
        if self._fields is None:
            np.matmul(coefficients_x, self._basis, out=sx)
            np.matmul(coefficients_y, self._basis, out=sy)
        else:
            # s = k * field + coefficients @ basis: the field is gathered into s, scaled by
            # the level k, and one GEMM (K = 3) gives the affine part
            pick = rng.integers(0, len(self._fields[0]), m)
            affine = self._buffer("affine", m)
            for out, bank, coefficients in zip((sx, sy), self._fields, (coefficients_x, coefficients_y)):
                np.take(bank, pick, axis=0, out=out)
                if k != 1.0:
                    out *= np.float32(k)
                np.matmul(coefficients, self._basis, out=affine)
                out += affine
        return sx, sy

    def _buffer(self, name: str, m: int) -> np.ndarray:
        key = (name, m)
        buffer = self._buffers.get(key)
        if buffer is None:
            if len(self._buffers) > 12:  # odd batch sizes come and go
                self._buffers.clear()
            buffer = self._buffers[key] = np.empty((m, self.H * self.W), np.float32)
        return buffer

    def apply_(self, X: np.ndarray) -> np.ndarray:
        """Distort every row of X: (m, H*W) in place (bilinear, ``fill`` outside)."""
        if self.kind == "none" or self.strength == 0 or self.level <= 0 or len(X) == 0:
            return X
        return sample_bilinear_(X, *self.source_coordinates(len(X)), self.H, self.W, self.fill)


def sample_bilinear_(
    X: np.ndarray, sx: np.ndarray, sy: np.ndarray, H: int, W: int, fill: float = 0.0
) -> np.ndarray:
    """X[i] <- image i sampled at (sx[i, j], sy[i, j]) for each pixel j, bilinearly, with
    ``fill`` outside the image. X: (m, H*W), flattened row-major; sx, sy: (m, H*W) source
    column and row in pixels (overwritten). Returns X."""
    m = len(X)
    # Pad by one pixel of background so that every clipped neighbour is valid; one more
    # row at the end lets the "+1 row, +1 column" neighbour of the last pixel exist too
    Hp, Wp = H + 2, W + 2
    padded = np.full((m * Hp * Wp + Wp + 1,), fill, X.dtype)
    padded[: m * Hp * Wp].reshape(m, Hp, Wp)[:, 1:-1, 1:-1] = X.reshape(m, H, W)
    sx += 1
    sy += 1
    np.clip(sx, 0, Wp - 1.001, out=sx)
    np.clip(sy, 0, Hp - 1.001, out=sy)
    # np.intp indices: np.take would convert any other integer type on every call
    x_floor, y_floor = np.floor(sx), np.floor(sy)
    x0 = x_floor.astype(np.intp)
    index = y_floor.astype(np.intp)
    sx -= x_floor  # fractional parts
    sy -= y_floor
    index *= Wp
    index += x0
    index += (np.arange(m, dtype=np.intp) * (Hp * Wp))[:, None]
    # the four neighbours are the same gather from views shifted by 1, Wp and Wp + 1
    top = np.take(padded, index)
    right = np.take(padded[1:], index)
    right -= top
    right *= sx
    top += right
    bottom = np.take(padded[Wp:], index)
    bottom_right = np.take(padded[Wp + 1 :], index, out=right)
    bottom_right -= bottom
    bottom_right *= sx
    bottom += bottom_right
    bottom -= top
    bottom *= sy
    top += bottom
    X[...] = top
    return X
