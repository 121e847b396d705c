"""Robustness: test accuracy as the test digits are perturbed, and coverage against confidence.

Every perturbation acts on the raw images scaled to [0, 1] (what a person sees), which are
then standardised as the model expects. Each curve starts at no perturbation, where its
accuracy is the model's plain test accuracy. Random choices (noise, rotation sign, shift
direction, patch position) come from generators seeded by (seed, curve, level), so a curve
is reproducible and one level's result does not depend on which other levels were asked for;
the noise of every sigma is the same N(0, 1) draw scaled (common random numbers: a smoother
curve).

* noise: x + sigma * N(0, 1), clipped to [0, 1];
* rotation: every digit turned by ``degrees`` about the image centre, clockwise or
  anticlockwise at random (bilinear, background outside);
* shift: every digit moved by ``pixels`` up, down, left or right at random;
* occlusion: a ``size`` x ``size`` square of background (ink erased) at a random place
  inside the central 20 x 20 box where MNIST digits are drawn;
* thickness: ``pixels`` > 0 grey dilations (thicker strokes), < 0 erosions (thinner), each
  with a 3 x 3 cross;
* coverage: the share of digits whose top probability reaches ``threshold`` (the others
  get "I don't know") and the accuracy on those; accuracy is None where none is left.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .augment import sample_bilinear_
from .data import RawMnist, test_set_for
from .errors import Cancelled, ConfigError
from .network import MLP

SIGMAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0)
DEGREES = (0.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0)
SHIFTS = (0, 1, 2, 3, 4, 5, 6)
PATCHES = (0, 4, 6, 8, 10, 12, 14)
THICKNESS = (0, 1, 2, 3, -1, -2)  # 0 first: each curve starts unperturbed
THRESHOLDS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)

#: curve name -> the key its level is given under in the JSON
LEVEL_KEYS = {
    "noise": "sigma",
    "rotation": "degrees",
    "shift": "pixels",
    "occlusion": "size",
    "thickness": "pixels",
}

#: Progress callback: (steps done, steps in all) -> False to cancel (anything else goes on)
Progress = Callable[[int, int], object]


@dataclass
class RobustnessReport:
    """Accuracy per perturbation level, and coverage/accuracy per confidence threshold."""

    accuracy: float  # plain test accuracy
    n: int  # test digits
    seed: int
    curves: dict[str, list[dict]] = field(default_factory=dict)
    coverage: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accuracy": self.accuracy, "n": self.n, "seed": self.seed, **self.curves,
                "coverage": self.coverage}


# ------------------------------------------------------------------------- perturbations


def _rng(seed: int, curve: str, level: float) -> np.random.Generator:
    """A generator for one (curve, level): independent of the other levels asked for."""
    key = [seed, zlib.crc32(curve.encode()), round(level * 1000) & 0xFFFFFFFF]
    return np.random.default_rng(key)


def add_noise(images: np.ndarray, sigma: float, noise: np.ndarray) -> np.ndarray:
    """images (N, D) in [0, 1] plus sigma * noise, clipped to [0, 1] (a new array)."""
    out = noise * np.float32(sigma)
    out += images
    return np.clip(out, 0.0, 1.0, out=out)


def affine_matrix(shape: tuple[int, int], angle: float, dx: float, dy: float) -> np.ndarray:
    """The (D, D) matrix M with ``images @ M`` = images rotated by ``angle`` (radians,
    anticlockwise on screen) about the centre and moved by (dx, dy) pixels, bilinear with
    background outside. Resampling is linear in the pixels, so the map is built once (the
    sampler applied to each basis image; exactly the identity for no change) and applied to a
    whole set by ``_apply_maps``."""
    H, W = shape
    cy, cx = (H - 1) / 2, (W - 1) / 2
    rows, cols = np.mgrid[0:H, 0:W]
    ox, oy = cols.ravel() - cx - dx, rows.ravel() - cy - dy  # from the moved centre
    cos, sin = np.cos(angle), np.sin(angle)
    # the inverse rotation of a destination offset is its source (the y axis points down)
    sx = np.broadcast_to(cos * ox - sin * oy + cx, (H * W, H * W)).astype(np.float32)
    sy = np.broadcast_to(sin * ox + cos * oy + cy, (H * W, H * W)).astype(np.float32)
    if angle == 0:  # integer shifts: exact, no rounding of the coordinates
        sx, sy = np.rint(sx), np.rint(sy)
    return sample_bilinear_(np.eye(H * W, dtype=np.float32), sx, sy, H, W, 0.0)


def _apply_maps(images: np.ndarray, maps: list[np.ndarray], pick: np.ndarray) -> np.ndarray:
    """images[i] @ maps[pick[i]] for every row (a new float32 array). Bilinear maps have at
    most 4 sources per pixel: four column gathers cost far less than a dense GEMM."""
    out = np.empty(images.shape, np.float32)
    for k, M in enumerate(maps):
        rows = np.flatnonzero(pick == k)
        if not len(rows):
            continue
        sources = np.argsort(-np.abs(M), axis=0, kind="stable")[:4]  # (4, D)
        weights = np.take_along_axis(M, sources, axis=0)
        part = images[rows]
        acc = part[:, sources[0]] * weights[0]
        for source, weight in zip(sources[1:], weights[1:]):
            if weight.any():
                acc += part[:, source] * weight
        out[rows] = acc
    return out


def rotate(images: np.ndarray, shape: tuple[int, int], degrees: float,
           rng: np.random.Generator) -> np.ndarray:
    """Every image turned by ``degrees``, clockwise or anticlockwise at random."""
    angle = float(np.deg2rad(degrees))
    maps = [affine_matrix(shape, -angle, 0, 0), affine_matrix(shape, angle, 0, 0)]
    return _apply_maps(images, maps, rng.integers(0, 2, len(images)))


def shift(images: np.ndarray, shape: tuple[int, int], pixels: int,
          rng: np.random.Generator) -> np.ndarray:
    """Every image moved by ``pixels`` right, left, down or up at random."""
    maps = [affine_matrix(shape, 0.0, dx * pixels, dy * pixels)
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))]
    return _apply_maps(images, maps, rng.integers(0, 4, len(images)))


def occlude(images: np.ndarray, shape: tuple[int, int], size: int,
            rng: np.random.Generator) -> np.ndarray:
    """A ``size`` x ``size`` square set to 0 in every image, at a random place inside the
    central 20 x 20 box (or the whole image, if that is smaller than the patch)."""
    H, W = shape
    out = images.astype(np.float32, copy=True)
    if size <= 0:
        return out
    size = min(size, H, W)
    box = min(20, min(H, W))

    def corners(n: int, extent: int) -> np.ndarray:
        lo = (extent - box) // 2 if size <= box else 0
        hi = lo + box - size if size <= box else extent - size
        return rng.integers(lo, hi + 1, n)

    top, left = corners(len(out), H), corners(len(out), W)
    r = top[:, None] + np.arange(size)[None, :]  # (N, size) rows of each patch
    c = left[:, None] + np.arange(size)[None, :]
    index = (r[:, :, None] * W + c[:, None, :]).reshape(len(out), -1)
    np.put_along_axis(out, index, 0.0, axis=1)
    return out


def change_thickness(images: np.ndarray, shape: tuple[int, int], pixels: int) -> np.ndarray:
    """``pixels`` > 0 grey dilations, < 0 erosions, with a 3 x 3 cross (a new array)."""
    H, W = shape
    out = images.reshape(-1, H, W).astype(np.float32, copy=True)
    combine, edge = (np.maximum, 0.0) if pixels > 0 else (np.minimum, 0.0)
    for _ in range(abs(int(pixels))):
        padded = np.pad(out, ((0, 0), (1, 1), (1, 1)), constant_values=edge)
        result = out.copy()
        for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
            combine(result, padded[:, dy : dy + H, dx : dx + W], out=result)
        out = result
    return out.reshape(len(images), H * W)


# ------------------------------------------------------------------------------- scoring


def _accuracy(model: MLP, pixels: np.ndarray, y: np.ndarray) -> float:
    X = pixels - np.float32(model.input_mean)
    X /= np.float32(model.input_std)
    return float(np.mean(model.predict_index(X) == y)) if len(y) else float("nan")


def coverage_curve(probabilities: np.ndarray, y: np.ndarray,
                   thresholds: tuple[float, ...] = THRESHOLDS) -> list[dict]:
    """For each threshold: the share of digits whose top probability is >= it, and the
    accuracy on those (None when none is left). probabilities: (N, K); y: (N,)."""
    top = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == y
    rows = []
    for t in thresholds:
        kept = top >= t
        n_kept = int(kept.sum())
        rows.append({
            "threshold": float(t),
            "coverage": n_kept / len(y) if len(y) else float("nan"),
            "accuracy": float(right[kept].mean()) if n_kept else None,
        })
    return rows


def robustness_report(
    model: MLP,
    raw: RawMnist,
    *,
    seed: int = 0,
    limit: int | None = None,
    sigmas: tuple[float, ...] = SIGMAS,
    degrees: tuple[float, ...] = DEGREES,
    shifts: tuple[int, ...] = SHIFTS,
    patches: tuple[int, ...] = PATCHES,
    thickness: tuple[int, ...] = THICKNESS,
    thresholds: tuple[float, ...] = THRESHOLDS,
    progress: Progress | None = None,
) -> RobustnessReport:
    """Every curve for ``model`` on the test digits of its classes (the first ``limit`` of
    them if given). ``progress(done, total)`` is called after each level; returning False
    raises Cancelled. Raises ConfigError for a model that does not take the data's images."""
    if raw.test_images.shape[1] != model.layer_sizes[0]:
        raise ConfigError(
            f"the model takes {model.layer_sizes[0]} inputs, the data's images have "
            f"{raw.test_images.shape[1]} pixels")
    for name, levels in (("sigmas", sigmas), ("degrees", degrees), ("shifts", shifts),
                         ("patches", patches), ("thickness", thickness), ("thresholds", thresholds)):
        if not levels or not all(np.isfinite(v) for v in levels):
            raise ConfigError(f"{name} must be a non-empty list of finite numbers, got {levels!r}")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be a whole number >= 0, got {seed!r}")
    if limit is not None and limit < 1:
        raise ConfigError(f"limit must be a positive number of digits, got {limit}")
    if any(s < 0 for s in sigmas) or any(p < 0 for p in patches) or any(
            not 0 <= t <= 1 for t in thresholds):
        raise ConfigError("sigmas and patch sizes must be >= 0, thresholds in [0, 1]")
    _, y, images = test_set_for(raw, model.classes, model.input_mean, model.input_std)
    if limit is not None:
        y, images = y[:limit], images[:limit]
    pixels = images.astype(np.float32) * np.float32(1 / 255)
    shape = raw.image_shape
    plan: list[tuple[str, float, Callable[[], np.ndarray]]] = []
    noise = np.random.default_rng([seed, zlib.crc32(b"noise")]).standard_normal(
        pixels.shape, dtype=np.float32)
    plan += [("noise", s, lambda s=s: add_noise(pixels, s, noise)) for s in sigmas]
    plan += [("rotation", d, lambda d=d: rotate(pixels, shape, d, _rng(seed, "rotation", d)))
             for d in degrees]
    plan += [("shift", p, lambda p=p: shift(pixels, shape, p, _rng(seed, "shift", p)))
             for p in shifts]
    plan += [("occlusion", p, lambda p=p: occlude(pixels, shape, p, _rng(seed, "occlusion", p)))
             for p in patches]
    plan += [("thickness", t, lambda t=t: change_thickness(pixels, shape, t)) for t in thickness]
    total = len(plan) + 1
    curves: dict[str, list[dict]] = {name: [] for name in LEVEL_KEYS}
    for step, (name, level, perturbed) in enumerate(plan):
        value = int(level) if name in ("shift", "occlusion", "thickness") else float(level)
        curves[name].append({LEVEL_KEYS[name]: value, "accuracy": _accuracy(model, perturbed(), y)})
        if progress is not None and progress(step + 1, total) is False:
            raise Cancelled("robustness curves cancelled")
    X = pixels - np.float32(model.input_mean)
    X /= np.float32(model.input_std)
    probabilities = model.predict_proba(X)
    coverage = coverage_curve(probabilities, y, thresholds)
    if progress is not None:
        progress(total, total)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y)) if len(y) else float("nan")
    return RobustnessReport(accuracy, len(y), int(seed), curves, coverage)
