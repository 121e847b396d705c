"""Data augmentation for images in a batch: random affine maps and elastic distortion.

Vectorised over the batch: each sample gets its own rotation, scale, shear and shift (and,
for "elastic", a smooth random displacement field), all sampled in one bilinear gather for
the whole batch with no per-image Python loop.

Elastic fields (Simard et al. 2003: Gaussian-smoothed uniform noise, sigma ~ 4-6 px,
alpha ~ 34-38) are expensive to draw, so a bank of fields is drawn once and each sample
takes a random one with a random sign and transposition: with 512 fields that is 2,048
distinct distortions, each combined with its own affine map.
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
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        self._cy, self._cx = (H - 1) / 2, (W - 1) / 2
        self._dy = (yy - self._cy).ravel()  # (H*W,) destination offsets from the centre
        self._dx = (xx - self._cx).ravel()
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
            self._fields = fields.reshape(n_fields, 2, H * W).astype(np.float32)

    def source_coordinates(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Random source coordinates (m, H*W) for each destination pixel of m images."""
        rng, k = self.rng, self.level
        angle = rng.uniform(-self.max_rotation * k, self.max_rotation * k, (m, 1))
        scale_x = 1 + rng.uniform(-self.max_scale * k, self.max_scale * k, (m, 1))
        scale_y = scale_x * (1 + rng.uniform(-self.max_scale * k / 2, self.max_scale * k / 2, (m, 1)))
        shear = rng.uniform(-self.max_shear * k, self.max_shear * k, (m, 1))
        shift = rng.uniform(-self.max_shift * k, self.max_shift * k, (m, 2))
        cos, sin = np.cos(angle), np.sin(angle)
        # inverse map (destination -> source) of rotate(angle) @ shear @ scale
        a11, a12 = cos / scale_x, (sin - shear * cos) / scale_x
        a21, a22 = -sin / scale_y, cos / scale_y
        dx = self._dx[None, :] - shift[:, :1]
        dy = self._dy[None, :] - shift[:, 1:]
        sx = (a11 * dx + a12 * dy).astype(np.float32) + np.float32(self._cx)
        sy = (a21 * dx + a22 * dy).astype(np.float32) + np.float32(self._cy)
        if self._fields is not None:
            pick = rng.integers(0, len(self._fields), m)
            sign = rng.choice(np.array([-k, k], np.float32), (m, 1))
            swap = rng.random(m) < 0.5
            f = self._fields[pick]  # (m, 2, H*W)
            fx = np.where(swap[:, None], f[:, 1], f[:, 0])
            fy = np.where(swap[:, None], f[:, 0], f[:, 1])
            sx += sign * fx
            sy += sign * fy
        return sx, sy

    def apply_(self, X: np.ndarray) -> np.ndarray:
        """Distort every row of X: (m, H*W) in place (bilinear, ``fill`` outside)."""
        if self.kind == "none" or self.strength == 0 or self.level <= 0 or len(X) == 0:
            return X
        m = len(X)
        H, W = self.H, self.W
        sx, sy = self.source_coordinates(m)
        # Pad by one pixel of background so that every clipped neighbour is valid
        Hp, Wp = H + 2, W + 2
        padded = np.full((m, Hp, Wp), self.fill, X.dtype)
        padded[:, 1:-1, 1:-1] = X.reshape(m, H, W)
        np.clip(sx + 1, 0, Wp - 1.001, out=sx)
        np.clip(sy + 1, 0, Hp - 1.001, out=sy)
        x0 = sx.astype(np.int32)  # floor: coordinates are >= 0 here
        y0 = sy.astype(np.int32)
        sx -= x0  # fractional parts
        sy -= y0
        index = y0 * Wp + x0
        index += (np.arange(m, dtype=np.int32) * (Hp * Wp))[:, None]
        flat = padded.reshape(-1)
        top = np.take(flat, index)
        top += sx * (np.take(flat, index + 1) - top)
        index += Wp
        bottom = np.take(flat, index)
        bottom += sx * (np.take(flat, index + 1) - bottom)
        bottom -= top
        bottom *= sy
        top += bottom
        X[...] = top
        return X
