"""Layer health during training: gradient and update sizes, activation statistics, and
plain-language findings, each from a stated rule, with a fix as a settings change.

Fed from the training loop cheaply. ``HealthMonitor.after_batch(model, loss, grad_scale)``
is called after every optimiser step (it only appends the loss); at most every ``every``
batches it copies the parameters (one memcpy), and on the next batch it measures: that step's
update (parameters now minus the copy), the gradients the step used (``model.grads`` divided
by ``grad_scale``: the learning rate when the optimiser folds it into the gradient, else 1;
no optimiser changes ``grads`` in ``step``, which tests/core/test_health.py checks for every
registered one against gradients computed afresh), and one inference pass of a fixed probe
batch through the network's ``trace`` (every layer's output; the layers' reused buffers are
left alone), whatever layers the network lists.
``after_epoch(train_loss, val_loss)`` adds the epoch rule. The Trainer's BatchFinished event
arrives right after the step, so a caller iterating ``trainer.run()`` can feed the monitor
without any change to the trainer.

What it costs (issue 12: at most 3% of an epoch's training time; numbers from
``scripts/bench_health_lab_robustness.py`` on 2 cores). A measurement takes about 0.7 ms for 784-30-10
and 12 ms for 784-800-800-10 (256 probe digits), while a batch takes 70-90 us (784-30-10,
batch 10) to 9-11 ms (784-800-800-10, batch 128): every 100 batches costs ~1.4% for the
large network but ~9% for the small one, which needs every >= ~1000. No fixed ``every``
suits both, so two limits apply together: at least ``every`` batches between measurements
(``DEFAULT_EVERY``, 100), and a time budget: after a measurement that took c seconds the
next waits until c / ``budget`` seconds have passed (``DEFAULT_BUDGET``, 1.5%, leaving room
for the unbudgeted first measurement and the per-batch bookkeeping, ~0.4 us: 0.4% of a
784-30-10 batch). Measured over one epoch as a GUI runs it: ~2-3% for 784-30-10 (most of
it the first measurement, at batch 100), ~1% for 784-800-800-10. A GUI should use
``TrainingSession(..., health_every=DEFAULT_EVERY)``.

Rules (the thresholds are arguments of ``HealthRules``):

* ``loss_rising``: the mean loss of the last ``loss_window / 2`` (25) batches is more than
  ``loss_rise`` (10%) above the mean of the 25 before (checked after every batch, reported
  with the next measurement): learning rate too high? Fix: halve it.
* ``vanishing_gradients``: the first layer's RMS weight gradient is below 1/``vanishing``
  (1/1000) of the last layer's. Fix: Xavier (sigmoid/tanh) or He (ReLU) initialisation, or
  ReLU if the initialisation already is.
* ``dead_units``: more than ``dead`` (40%) of a ReLU layer's units are never positive on the
  probe batch. Fix: leaky ReLU (or halve the learning rate if it already is).
* ``saturated_units``: more than ``saturated`` (40%) of a sigmoid/tanh layer's units are
  within 0.01 of a bound on at least half of the probe digits. Fix: Xavier initialisation
  (or ReLU if it already is).
* ``overfitting``: the validation loss rose in each of the last ``overfit_epochs`` (3)
  epochs while the training loss fell in each. Fix: dropout 0.2 (or double the weight
  decay, or 5e-4 if there is none, if dropout is already on).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import ConfigError
from .network import MLP

#: A unit is saturated when its output is this close to a bound of sigmoid/tanh...
SATURATION_MARGIN = 0.01
#: ...on at least this share of the probe digits.
SATURATION_SHARE = 0.5
HISTOGRAM_BINS = 30
#: Fewest batches between two measurements (what the GUI passes as ``health_every``).
DEFAULT_EVERY = 100
#: Largest share of training time measuring may take: after a measurement that took c
#: seconds, the next one waits c / DEFAULT_BUDGET seconds (see the module doc).
DEFAULT_BUDGET = 0.015


@dataclass
class LayerHealth:
    """One weight layer, i.e. one block of the network (1-based ``layer``: its dense layer,
    its normalisation if any, its activation ``activation``, "softmax" or "sigmoid" for the
    output). Fractions are None where they do not apply."""

    layer: int
    activation: str
    weight_rms: float
    grad_rms: float  # RMS of dL/dW over the layer's weights
    grad_norm: float  # Frobenius norm of dL/dW
    update_ratio: float | None  # ||step's change of W|| / ||W||, None before a step is seen
    preact_mean: float  # of what the activation takes (z = x W + b, normalised if the layer
    preact_std: float  # has a normalisation) over probe digits and units
    histogram: np.ndarray  # (HISTOGRAM_BINS,) counts of the activations on the probe batch
    edges: np.ndarray  # (HISTOGRAM_BINS + 1,)
    dead_fraction: float | None  # ReLU family: units never positive on the probe batch
    saturated_fraction: float | None  # sigmoid/tanh hidden units saturated (see module doc)
    normalization: str | None = None  # the layer's normalisation ("batch_norm"), if any

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                for k, v in self.__dict__.items()}


@dataclass
class Finding:
    """A diagnosis for people: ``message`` says what was seen, ``rule`` which rule saw it,
    ``fix`` the settings change to try (TrainConfig field -> value), ``fix_label`` that
    change in words, ``layer`` the 1-based layer it concerns (None: the whole network)."""

    rule: str
    message: str
    fix: dict[str, Any]
    fix_label: str
    layer: int | None = None


@dataclass(frozen=True)
class HealthRules:
    loss_window: int = 50
    loss_rise: float = 0.10
    loss_noise: float = 3.0
    vanishing: float = 1000.0
    dead: float = 0.40
    saturated: float = 0.40
    overfit_epochs: int = 3

    def described(self) -> list[tuple[str, str]]:
        """(rule, when it fires and what it suggests) for people, with these thresholds."""
        half = self.loss_window // 2
        return [
            ("loss_rising", f"The mean loss of the last {half} batches is more than "
             f"{100 * self.loss_rise:.0f}% above the mean of the {half} before, by more than "
             f"{self.loss_noise:g} standard errors (2 if it doubled), so not batch noise: the "
             "learning rate may be too high. Fix: halve it (also applied to a run in progress)."),
            ("vanishing_gradients", "The first layer's RMS weight gradient is below "
             f"1/{self.vanishing:g} of the last layer's: the early layers hardly learn. Fix: "
             "Xavier (sigmoid/tanh) or He (ReLU) initialisation, or ReLU units."),
            ("dead_units", f"More than {100 * self.dead:.0f}% of a ReLU layer's units are never "
             "active on the probe digits. Fix: leaky ReLU (or halve the learning rate)."),
            ("saturated_units", f"More than {100 * self.saturated:.0f}% of a sigmoid/tanh "
             f"layer's units are within {SATURATION_MARGIN} of a bound on at least "
             f"{100 * SATURATION_SHARE:.0f}% of the probe digits. Fix: Xavier initialisation "
             "(or ReLU)."),
            ("overfitting", f"The validation loss rose in each of the last {self.overfit_epochs} "
             "epochs while the training loss fell. Fix: dropout 0.2 (or more weight decay)."),
        ]


# ------------------------------------------------------------------------- measurement


def _norm(a: np.ndarray) -> float:
    """Frobenius norm; in float64 when float32's sum of squares under- or overflows (entries
    below ~1e-19 or above ~1e19 would give 0 or inf)."""
    n = float(np.linalg.norm(a))
    if (n == 0.0 or math.isinf(n)) and a.dtype != np.float64:
        n = float(np.linalg.norm(a.astype(np.float64)))
    return n


def layer_health(
    model: MLP,
    probe: np.ndarray,
    gradients: list[np.ndarray] | None = None,
    updates: list[np.ndarray] | None = None,
    grad_scale: float = 1.0,
) -> list[LayerHealth]:
    """Health of every weight layer. probe: (M, D) standardised inputs; gradients: dL/dW per
    layer times ``grad_scale`` (default: zeros; NaN norms if ``grad_scale`` is 0: the
    gradient cannot be recovered); updates: the last step's change of each W (optional)."""
    if probe.ndim != 2 or probe.shape[1] != model.layer_sizes[0] or len(probe) == 0:
        raise ConfigError(f"the probe batch must be (M, {model.layer_sizes[0]}) with M >= 1")
    out: list[LayerHealth] = []
    # one inference pass keeping every layer's output (the layers' training buffers are
    # left alone); each block reads the input of its activation and the activation's output
    outputs = {id(layer): value for layer, value in model.trace(probe)}
    for l, block in enumerate(model.blocks):
        dense = block.dense
        kind = model.activations[l]
        before = block.transforms[-1] if block.transforms else dense
        z = outputs[id(before)]  # what the activation takes (normalised, if the block is)
        hidden = block.activation
        dead = saturated = None
        if hidden is not None:
            a = outputs[id(hidden)]  # unit scales applied
            if kind in ("relu", "leaky_relu"):
                dead = float(np.mean(~(z > 0).any(axis=0)))
            elif kind in ("sigmoid", "tanh"):
                low = 0.0 if kind == "sigmoid" else -1.0
                near = (a < low + SATURATION_MARGIN) | (a > 1.0 - SATURATION_MARGIN)
                saturated = float(np.mean(near.mean(axis=0) >= SATURATION_SHARE))
        else:
            a = z
        grad = gradients[l] if gradients is not None else np.zeros_like(dense.W)
        weight_norm = _norm(dense.W)
        update_ratio = None
        if updates is not None:
            update_ratio = _norm(updates[l]) / weight_norm if weight_norm else None
        finite = a[np.isfinite(a)]
        counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS) if finite.size else (
            np.zeros(HISTOGRAM_BINS, np.int64), np.linspace(0, 1, HISTOGRAM_BINS + 1))
        grad_norm = _norm(grad) / grad_scale if grad_scale else float("nan")
        out.append(LayerHealth(
            layer=l + 1, activation=kind,
            weight_rms=weight_norm / np.sqrt(dense.W.size),
            grad_rms=grad_norm / np.sqrt(dense.W.size), grad_norm=grad_norm,
            update_ratio=update_ratio,
            preact_mean=float(z.mean(dtype=np.float64)), preact_std=float(z.std(dtype=np.float64)),
            histogram=counts, edges=edges, dead_fraction=dead, saturated_fraction=saturated,
            normalization=block.normalization,
        ))
    return out


# ------------------------------------------------------------------------------- rules


def _halve_lr(config: Any) -> tuple[dict[str, Any], str]:
    lr = float(config.lr) / 2
    return {"lr": lr}, f"halve the learning rate ({config.lr:g} -> {lr:g})"


def check_loss_rising(losses: list[float], config: Any, rules: HealthRules = HealthRules()) -> Finding | None:
    half = rules.loss_window // 2
    if len(losses) < 2 * half or half < 1:
        return None
    # plain Python on 50 floats: NumPy's per-call overhead would be most of the per-batch
    # cost of watching a small network (the monitor runs this every 25 batches)
    recent = [float(x) for x in losses[-2 * half :]]
    before, after = sum(recent[:half]) / half, sum(recent[half:]) / half
    if math.isfinite(after):  # NaN or inf: rising, whatever the noise
        if not after > before * (1 + rules.loss_rise):
            return None
        # and more than batch-to-batch noise: near the end of a good run the losses are
        # small and scatter by tens of percent (the `fast` preset: 27 of its 75 windows rise
        # by over 10%, by up to 2.4 standard errors of the difference of the means). A rise
        # must exceed ``loss_noise`` (3) standard errors, or 2 if the mean at least doubled
        # (a learning rate raised 100-fold: 10x the mean at 2.96 standard errors)
        var_before = sum((x - before) ** 2 for x in recent[:half]) / max(half - 1, 1)
        var_after = sum((x - after) ** 2 for x in recent[half:]) / max(half - 1, 1)
        z = (after - before) / max(math.sqrt((var_before + var_after) / half), 1e-300)
        if z <= (2.0 if after >= 2 * before else rules.loss_noise):
            return None
    fix, label = _halve_lr(config)
    return Finding(
        "loss_rising",
        f"the loss rose over the last {2 * half} batches (mean {before:.3g} -> {after:.3g}): "
        "learning rate too high?", fix, label)


def check_vanishing(layers: list[LayerHealth], config: Any,
                    rules: HealthRules = HealthRules()) -> Finding | None:
    if len(layers) < 2:
        return None
    first, last = layers[0].grad_rms, layers[-1].grad_rms
    if not (last > 0 and first < last / rules.vanishing):
        return None
    activations = set(config.activations_per_layer())
    wanted = "he" if activations <= {"relu", "leaky_relu"} else "xavier"
    if config.init != wanted:
        fix = {"init": wanted}
        label = f"initialise with {'He' if wanted == 'he' else 'Xavier'}"
    else:
        fix, label = {"activation": "relu", "hidden_activations": None, "init": "he"}, \
            "use ReLU with He initialisation"
    ratio = last / first if first > 0 else float("inf")
    return Finding(
        "vanishing_gradients",
        f"the first layer's gradients are 1/{ratio:,.0f} of the last layer's: vanishing "
        "gradients (e.g. sigmoid with N(0, 1) weights)", fix, label, layer=1)


def check_dead_or_saturated(layers: list[LayerHealth], config: Any,
                            rules: HealthRules = HealthRules()) -> list[Finding]:
    findings = []
    for h in layers:
        if h.dead_fraction is not None and h.dead_fraction > rules.dead:
            if h.activation != "leaky_relu":
                fix, label = {"activation": "leaky_relu", "hidden_activations": None}, \
                    "use leaky ReLU"
            else:
                fix, label = _halve_lr(config)
            findings.append(Finding(
                "dead_units", f"{100 * h.dead_fraction:.0f}% of layer {h.layer}'s units are "
                "dead (never active on the probe digits)", fix, label, layer=h.layer))
        if h.saturated_fraction is not None and h.saturated_fraction > rules.saturated:
            if config.init != "xavier":
                fix, label = {"init": "xavier"}, "initialise with Xavier"
            else:
                fix, label = {"activation": "relu", "hidden_activations": None, "init": "he"}, \
                    "use ReLU with He initialisation"
            findings.append(Finding(
                "saturated_units", f"{100 * h.saturated_fraction:.0f}% of layer {h.layer}'s "
                f"units are saturated (stuck near a bound of {h.activation})", fix, label,
                layer=h.layer))
    return findings


def check_overfitting(train_losses: list[float], val_losses: list[float | None], config: Any,
                      rules: HealthRules = HealthRules()) -> Finding | None:
    n = rules.overfit_epochs
    if len(train_losses) < n + 1 or len(val_losses) < n + 1 or None in val_losses[-n - 1 :]:
        return None
    train = np.diff(np.asarray(train_losses[-n - 1 :], np.float64))
    val = np.diff(np.asarray(val_losses[-n - 1 :], np.float64))
    if not ((val > 0).all() and (train < 0).all()):
        return None
    if not config.dropout:
        fix, label = {"dropout": 0.2}, "add dropout 0.2"
    else:
        decay = config.weight_decay * 2 if config.weight_decay else 5e-4
        fix, label = {"weight_decay": decay}, f"weight decay {decay:g}"
    return Finding(
        "overfitting", f"the validation loss has risen {n} epochs in a row while the training "
        "loss fell: overfitting", fix, label)


# ------------------------------------------------------------------------------ monitor


@dataclass
class HealthReport:
    """What one measurement gives: per-layer health, the findings in force, and when."""

    batch: int  # batches seen so far in the run
    layers: list[LayerHealth]
    findings: list[Finding] = field(default_factory=list)


class HealthMonitor:
    """Measures on a fixed ``probe`` batch, at least ``every`` batches apart; see the module
    doc.

    ``budget``: the largest share of the time between two measurements that measuring may
    take: after a measurement that took c seconds, the next one waits until c / budget
    seconds have passed (small, fast networks measure less often than every ``every``
    batches; None: every ``every`` batches exactly).
    """

    def __init__(self, probe: np.ndarray, config: Any, every: int = DEFAULT_EVERY,
                 rules: HealthRules = HealthRules(),
                 budget: float | None = DEFAULT_BUDGET) -> None:
        if every < 2:
            raise ConfigError("the health monitor measures at most every 2 batches")
        if budget is not None and not 0 < budget <= 1:
            raise ConfigError(f"the health budget must be a share in (0, 1], got {budget!r}")
        self.probe = np.ascontiguousarray(probe)
        self.config = config
        self.every = int(every)
        self.budget = budget
        self.rules = rules
        self.batches = 0
        self.measurements = 0
        self.losses: deque[float] = deque(maxlen=max(rules.loss_window, 2))
        self._half = max(self.losses.maxlen // 2, 1)
        self.train_losses: list[float] = []
        self.val_losses: list[float | None] = []
        self.latest: HealthReport | None = None
        self.seconds = 0.0  # time spent measuring, to compare with the training time
        self._before: np.ndarray | None = None
        self._copy_seconds = 0.0
        self._loss_finding: Finding | None = None
        self._next_check = self.every - 1  # batch count at which to consider copying
        self._not_before = 0.0  # perf_counter before which the budget forbids measuring

    def set_learning_rate(self, lr: float) -> None:
        """The run's base learning rate changed (by hand or by a finding's fix): a later fix
        starts from it. The loss window is kept: the losses before the change are the
        baseline a rise caused by a rate raised by hand is measured against."""
        if hasattr(self.config, "updated"):
            self.config = self.config.updated(lr=float(lr))
        self._loss_finding = None  # a finding found at the old rate would suggest its fix

    def after_batch(self, model: MLP, loss: float, grad_scale: float = 1.0) -> HealthReport | None:
        """Call after each optimiser step; returns a report when it measured, else None."""
        self.batches += 1
        self.losses.append(float(loss))
        if (self.batches % self._half == 0 and len(self.losses) == self.losses.maxlen
                and self._loss_finding is None):
            # the loss rule looks at the window every half window, between measurements
            # too: a rise is not missed; it is reported with the next measurement
            self._loss_finding = check_loss_rising(list(self.losses), self.config, self.rules)
        if self._before is None:
            if self.batches >= self._next_check:
                t0 = time.perf_counter()
                if t0 < self._not_before:  # over budget: look again a tenth of every later
                    self._next_check = self.batches + max(self.every // 10, 1)
                    return None
                self._before = model.params.copy()
                self._copy_seconds = time.perf_counter() - t0
            return None
        t0 = time.perf_counter()
        gradients = [dense.dW for dense in model.dense]
        updates, offset = [], 0
        for layer in model.layers:
            for parameter in layer.parameters:
                size = parameter.value.size
                if parameter.name == "W":
                    updates.append(parameter.value - self._before[offset : offset + size]
                                   .reshape(parameter.value.shape))
                offset += size
        self._before = None
        layers = layer_health(model, self.probe, gradients, updates, grad_scale)
        report = HealthReport(self.batches, layers, self.findings(layers))
        self._loss_finding = None
        self.latest = report
        self.measurements += 1
        now = time.perf_counter()
        cost = now - t0 + self._copy_seconds
        self.seconds += cost
        self._next_check = self.batches + self.every - 1
        if self.budget is not None:
            self._not_before = now + cost / self.budget
        return report

    def after_epoch(self, train_loss: float, val_loss: float | None) -> list[Finding]:
        self.train_losses.append(float(train_loss))
        self.val_losses.append(None if val_loss is None else float(val_loss))
        return self.findings(self.latest.layers if self.latest else [])

    def findings(self, layers: list[LayerHealth]) -> list[Finding]:
        """Every rule on what has been seen so far."""
        found = [self._loss_finding or check_loss_rising(list(self.losses), self.config, self.rules),
                 check_vanishing(layers, self.config, self.rules),
                 *check_dead_or_saturated(layers, self.config, self.rules),
                 check_overfitting(self.train_losses, self.val_losses, self.config, self.rules)]
        return [f for f in found if f is not None]
