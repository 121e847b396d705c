"""Recorded runs prepared for drawing over the live curves (no Qt here: plain arrays).

A run continued from another (a branch) starts at its parent's point at ``parent_epoch``,
so that its lines join the parent's. "Samples seen" is counted per run: a branch starts
from the samples its parent had seen when it branched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...core.runs import Run, RunStore, RunStoreError
from .runs_panel import differing_settings, format_setting

#: Okabe & Ito's colour-blind-safe palette, minus the yellow (unreadable on white), ordered
#: so that the first runs differ most from the live run's blue / orange / green
PALETTE = ["#CC79A7", "#000000", "#D55E00", "#56B4E9", "#0072B2", "#009E73", "#E69F00"]
MNIST_TRAIN = 60_000
MAX_DIFFERING_SHOWN = 3  # settings in a legend entry; the hover and CSV use the same label


@dataclass
class OverlayData:
    """One run's curves, in its own epochs (branches already continue their parent's)."""

    run_id: str
    label: str
    color: str
    epochs: np.ndarray  # (E,) x of the epoch points, a branch's join point first
    test_accuracy: np.ndarray  # (E,) in %
    val_accuracy: np.ndarray | None  # (E,) in %, None without a validation set
    steps: np.ndarray  # (B,) fractional epochs of the batch curve
    losses: np.ndarray  # (B,) raw (unsmoothed) batch losses
    samples_per_epoch: float
    base_epoch: float = 0.0  # the samples seen at base_epoch are base_samples
    base_samples: float = 0.0
    parent: str | None = None
    rows: list[dict] = field(default_factory=list)  # the run's own epochs (for the hover)
    drawn_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))  # smoothed, as drawn

    def to_samples(self, epochs: np.ndarray | float) -> np.ndarray | float:
        return self.base_samples + (epochs - self.base_epoch) * self.samples_per_epoch

    def to_epochs(self, samples: float) -> float:
        return self.base_epoch + (samples - self.base_samples) / self.samples_per_epoch


def samples_per_epoch(run: Run) -> float:
    """Training samples per epoch: measured if an epoch finished (subsets of digits hold
    fewer), else from the settings."""
    for row in run.epochs:
        rate, seconds = row.get("samples_per_second"), row.get("train_seconds")
        if rate and seconds and math.isfinite(rate * seconds) and rate * seconds >= 1:
            return float(round(rate * seconds))
    config = run.config
    return max(1.0, float(config.get("train_subset") or MNIST_TRAIN - int(config.get("validation") or 0)))


def run_labels(runs: list[Run]) -> dict[str, str]:
    """Each run's name (or short id) and the settings that tell it from the others."""
    keys = differing_settings(runs) if len(runs) > 1 else []
    labels = {}
    for run in runs:
        name = run.name or run.id[-11:]  # the id's time of day and random part
        settings = [f"{key}={format_setting(run.config.get(key))}" for key in keys]
        if len(settings) > MAX_DIFFERING_SHOWN:
            settings = settings[:MAX_DIFFERING_SHOWN] + ["…"]
        labels[run.id] = f"{name} ({', '.join(settings)})" if settings else name
    return labels


def _percent(rows: list[dict], key: str) -> np.ndarray:
    return np.array([100 * row[key] if row.get(key) is not None else np.nan for row in rows])


def prepare(runs: list[Run], colors: dict[str, str],
            curves: dict[str, dict[str, np.ndarray]]) -> list[OverlayData]:
    """The runs' curves; ``curves`` maps run ids to their ``batch_curve()`` (read here when
    missing, and kept there for the next call)."""
    labels = run_labels(runs)
    by_id = {run.id: run for run in runs}
    out: dict[str, OverlayData] = {}

    def curve_of(run: Run) -> dict[str, np.ndarray]:
        if run.id not in curves:
            curves[run.id] = run.batch_curve()
        return curves[run.id]

    def parent_of(run: Run) -> Run | None:
        if not run.parent:
            return None
        if run.parent in by_id:
            return by_id[run.parent]
        try:  # not overlaid: read from the same store, only for the join point
            return RunStore(run.path.parent.parent).get(run.parent)
        except (RunStoreError, OSError):
            return None

    # parents before their branches, so that a branch's samples continue its parent's
    def depth(run: Run) -> int:
        seen, d = set(), 0
        while run.parent in by_id and run.id not in seen:
            seen.add(run.id)
            run, d = by_id[run.parent], d + 1
        return d

    for run in sorted(runs, key=depth):
        rows = [row for row in run.epochs if row.get("epoch") is not None]
        epochs = np.array([float(row["epoch"]) for row in rows])
        test = _percent(rows, "test_accuracy")
        val = _percent(rows, "val_accuracy")
        curve = curve_of(run)
        steps, losses = curve["steps"], curve["losses"]
        n = samples_per_epoch(run)
        base_epoch, base_samples = 0.0, 0.0
        parent = parent_of(run)
        if parent is not None and run.parent_epoch:
            k = float(run.parent_epoch)
            joint = next((row for row in parent.epochs if row.get("epoch") == run.parent_epoch),
                         None)
            if joint is not None:  # start the lines at the parent's point
                epochs = np.concatenate([[k], epochs])
                test = np.concatenate([_percent([joint], "test_accuracy"), test])
                val = np.concatenate([_percent([joint], "val_accuracy"), val])
            parent_curve = curve_of(parent)
            before = np.flatnonzero(parent_curve["steps"] <= k + 1e-9)
            if len(before):
                i = before[-1]
                steps = np.concatenate([[parent_curve["steps"][i]], steps])
                losses = np.concatenate([[parent_curve["losses"][i]], losses])
            base_epoch = k
            base_samples = (float(out[parent.id].to_samples(k)) if parent.id in out
                            else k * samples_per_epoch(parent))
        out[run.id] = OverlayData(
            run.id, labels[run.id], colors[run.id], epochs, test,
            val if np.isfinite(val).any() else None, steps, losses, n,
            base_epoch, base_samples, run.parent, rows)
    return [out[run.id] for run in runs]


def assign_colors(run_ids: list[str], previous: dict[str, str]) -> dict[str, str]:
    """A colour per run that keeps the colour a run already had (checking another run does
    not repaint the others); new runs take the first colours not in use."""
    colors = {rid: previous[rid] for rid in run_ids if rid in previous}
    free = [c for c in PALETTE if c not in colors.values()]
    for i, rid in enumerate(r for r in run_ids if r not in colors):
        colors[rid] = free[i] if i < len(free) else PALETTE[(len(colors) + i) % len(PALETTE)]
    return colors


def ema(values: np.ndarray, weight: float, state: float | None = None
        ) -> tuple[np.ndarray, float | None]:
    """Exponential moving average (``weight`` of the past, 0 = the raw values); non-finite
    values are skipped (the average holds), and raw ones shown as gaps. Returns the
    averages and the state to continue from."""
    values = np.asarray(values, dtype=float)
    if weight <= 0:
        finite = np.isfinite(values)
        if finite.any():
            state = float(values[np.flatnonzero(finite)[-1]])
        return np.where(finite, values, np.nan), state
    out = np.empty(len(values))
    keep = 1.0 - weight
    for i, value in enumerate(values.tolist()):
        if math.isfinite(value):
            state = value if state is None else weight * state + keep * value
        out[i] = np.nan if state is None else state
    return out, state


@dataclass
class SeedGroup:
    """The overlaid runs of one sweep trial trained with several seeds: their test accuracy
    (in %) as a mean and a standard deviation at the epochs every one of them reached."""

    members: list[OverlayData]
    epochs: np.ndarray  # (E,)
    mean: np.ndarray  # (E,)
    std: np.ndarray  # (E,)


def seed_groups(runs: list[Run], overlays: list[OverlayData]) -> list[SeedGroup]:
    """Groups of at least two overlaid runs of the same sweep trial (``Run.sweep``)."""
    by_id = {data.run_id: data for data in overlays}
    groups: dict[tuple[str, int], list[OverlayData]] = {}
    for run in runs:
        tag = getattr(run, "sweep", None)
        if isinstance(tag, dict) and run.id in by_id:
            groups.setdefault((tag["id"], tag["trial"]), []).append(by_id[run.id])
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        per_run = [{float(e): a for e, a in zip(m.epochs, m.test_accuracy) if np.isfinite(a)}
                   for m in members]
        epochs = sorted(set.intersection(*(set(p) for p in per_run)))
        if not epochs:
            continue
        values = np.array([[p[e] for e in epochs] for p in per_run])
        out.append(SeedGroup(members, np.array(epochs), values.mean(axis=0), values.std(axis=0)))
    return out
