"""The training loop: a Trainer that any caller drives and that reports through events.

``Trainer.run()`` is a generator: it yields ``TrainingStarted``, then ``BatchFinished`` after
every update and ``EpochFinished`` after every epoch, and always ends with one
``TrainingFinished`` (reason "completed", "stopped" or "diverged"). The CLI prints the
events, the GUI's worker thread forwards them as signals, a notebook can loop over them.

``pause()``, ``resume()``, ``stop()`` and ``set_learning_rate()`` may be called from any
thread; they take effect between two batches.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Iterator, Union

import numpy as np

from .augment import AUGMENT_SCHEDULES, AUGMENTATIONS, Augmenter
from .blas import axpy
from .data import DataSpec, Dataset
from .errors import ConfigError
from .layers import DEFAULT_LEAKY_SLOPE, HIDDEN_ACTIVATIONS
from .losses import LOSS_FUNCTIONS, LOSSES
from .network import INITIALIZERS, MAX_PARAMETERS, MLP, build_mlp, parameter_count
from .optim import MOMENTUM_FORMS, OPTIMIZERS, SCHEDULES, make_optimizer, scheduled_lr

DTYPES = ("float32", "float64")
#: A batch loss this many times the first one (and above 1) counts as divergence: a network
#: whose ReLUs all died after a huge step has a finite but meaningless loss.
EXPLOSION_FACTOR = 1000.0
#: Weights and velocities proved below this (in absolute value) cannot overflow in an update
BOUND_LIMIT = 1e30
#: Below this many multiply-adds in a step's largest GEMM, one BLAS thread beats two: the
#: fork/join of every call costs more than the split saves. Measured here, 784-128-10 with
#: momentum: batch 8 (0.8M) 19% faster on one thread, batch 16 (1.6M) 12% slower.
SINGLE_THREAD_GEMM_WORK = 1_000_000


@dataclass
class TrainConfig:
    """Everything that defines a run: architecture, optimisation and data."""

    hidden: list[int] = field(default_factory=lambda: [128])
    activation: str = "relu"
    hidden_activations: list[str] | None = None  # one per hidden layer; overrides activation
    loss: str = "ce"  # ce (softmax), mse (sigmoid outputs), bce (one sigmoid unit)
    init: str = "he"
    init_std: float = 0.01  # for init="normal"
    bias_init: str = "zeros"  # or "normal" (same std as the weights)
    optimizer: str = "momentum"
    lr: float = 0.1
    momentum: float = 0.9
    momentum_form: str = "classic"  # or "averaged": v = beta*v + (1-beta)*g
    batch_size: int = 64  # 0 = full batch
    shuffle: bool = True
    epochs: int = 10
    weight_decay: float = 0.0  # L2 coefficient: adds weight_decay * W to dW
    dropout: float = 0.0  # on hidden layers
    schedule: str = "constant"
    step_size: int = 10  # epochs between steps of the "step" schedule
    gamma: float = 0.1  # factor of the "step" schedule
    warmup_epochs: float = 0.0
    seed: int = 0
    dtype: str = "float32"
    leaky_relu_slope: float = DEFAULT_LEAKY_SLOPE
    validation: int = 0
    train_subset: int = 0
    subset_mode: str = "first"
    digits: list[int] | None = None
    standardize: bool = False
    augment: str = "none"  # see core/augment.py
    augment_strength: float = 1.0
    augment_schedule: str = "constant"  # or "linear": distortions shrink to 0 by the end

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def updated(self, **changes: object) -> TrainConfig:
        unknown = set(changes) - set(self.field_names())
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)  # type: ignore[arg-type]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        known = {k: v for k, v in values.items() if k in cls.field_names()}
        return cls(**known)

    def data_spec(self) -> DataSpec:
        return DataSpec(
            validation=self.validation,
            train_subset=self.train_subset,
            subset_mode=self.subset_mode,
            digits=list(self.digits) if self.digits is not None else None,
            standardize=self.standardize,
            seed=self.seed,
        )

    @property
    def n_classes(self) -> int:
        return len(self.digits) if self.digits is not None else 10

    def activations_per_layer(self) -> list[str]:
        """The activation of each hidden layer."""
        return list(self.hidden_activations or [self.activation] * len(self.hidden))

    def layer_sizes(self, n_features: int = 784) -> list[int]:
        outputs = 1 if self.loss == "bce" else self.n_classes
        return [n_features, *self.hidden, outputs]

    def check(self, n_train: int | None = None) -> TrainConfig:
        """Raise ConfigError naming the first invalid field and what it expects."""

        def number(name: str, lo: float, hi: float, lo_open: bool = False) -> None:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{name}: expected a number, got {value!r}")
            if not math.isfinite(value):
                raise ConfigError(f"{name}: must be a finite number, got {value}")
            if value < lo or value > hi or (lo_open and value == lo):
                low = f"> {lo}" if lo_open else f">= {lo}"
                raise ConfigError(f"{name}: {value} is out of range (expected {low} and <= {hi})")

        def choice(name: str, options: tuple[str, ...]) -> None:
            value = getattr(self, name)
            if value not in options:
                raise ConfigError(f"{name}: unknown {value!r}; expected one of {', '.join(options)}")

        def integer(name: str, lo: int, hi: int) -> None:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ConfigError(f"{name}: expected a whole number, got {value!r}")
            if not lo <= value <= hi:
                raise ConfigError(f"{name}: {value} is out of range (expected {lo} to {hi})")

        if not isinstance(self.hidden, (list, tuple)):
            raise ConfigError(f"hidden: expected a list of layer sizes, got {self.hidden!r}")
        for size in self.hidden:
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size <= 0:
                raise ConfigError(f"hidden: layer sizes must be positive integers, got {size!r}")
        if len(self.hidden) > 20:
            raise ConfigError(f"hidden: {len(self.hidden)} layers; at most 20 are supported")
        choice("activation", HIDDEN_ACTIVATIONS)
        if self.hidden_activations is not None:
            if len(self.hidden_activations) != len(self.hidden):
                raise ConfigError(
                    f"hidden_activations: {len(self.hidden_activations)} names for "
                    f"{len(self.hidden)} hidden layers"
                )
            for name in self.hidden_activations:
                if name not in HIDDEN_ACTIVATIONS:
                    raise ConfigError(
                        f"hidden_activations: unknown {name!r}; expected one of "
                        f"{', '.join(HIDDEN_ACTIVATIONS)}"
                    )
        choice("loss", LOSSES)
        choice("init", INITIALIZERS)
        choice("bias_init", ("zeros", "normal"))
        choice("optimizer", OPTIMIZERS)
        choice("momentum_form", MOMENTUM_FORMS)
        choice("schedule", SCHEDULES)
        choice("dtype", DTYPES)
        choice("subset_mode", ("first", "random"))
        choice("augment", AUGMENTATIONS)
        choice("augment_schedule", AUGMENT_SCHEDULES)
        number("lr", 0.0, 1e4, lo_open=True)
        number("init_std", 0.0, 100.0, lo_open=True)
        number("momentum", 0.0, 0.9999)
        number("weight_decay", 0.0, 10.0)
        number("dropout", 0.0, 0.95)
        number("gamma", 0.0, 1.0, lo_open=True)
        number("warmup_epochs", 0.0, 1e6)
        number("leaky_relu_slope", 0.0, 1.0)
        number("augment_strength", 0.0, 5.0)
        integer("batch_size", 0, 10_000_000)
        integer("epochs", 1, 1_000_000)
        integer("step_size", 1, 1_000_000)
        integer("seed", 0, 2**63 - 1)
        integer("validation", 0, 10_000_000)
        integer("train_subset", 0, 10_000_000)
        self.data_spec().check()
        if self.loss == "bce" and self.n_classes != 2:
            raise ConfigError("loss bce (one sigmoid unit) needs a digit subset of exactly 2 digits")
        n_params = parameter_count(self.layer_sizes())
        if n_params > MAX_PARAMETERS:
            raise ConfigError(f"the network would have {n_params:,} parameters; at most {MAX_PARAMETERS:,}")
        check_memory(self, n_train or 60_000)
        if n_train is not None and self.batch_size > n_train:
            raise ConfigError(
                f"batch_size: {self.batch_size} is larger than the {n_train:,} training samples "
                "(use 0 for full batch)"
            )
        return self

    def memory_estimate(self, n_train: int = 60_000, n_features: int = 784) -> int:
        """Bytes a run needs beyond the data: parameters, gradients, optimiser state and
        per-batch activations (twice, for the training and the evaluation buffers)."""
        itemsize = 4 if self.dtype == "float32" else 8
        n_params = parameter_count(self.layer_sizes(n_features))
        state = {"sgd": 0, "momentum": 1, "nesterov": 1, "adam": 3}[self.optimizer]
        batch = self.batch_size or n_train
        units = sum(self.layer_sizes(n_features)[1:])
        activations = batch * units * 3 + min(8192, n_train) * units
        return itemsize * (n_params * (3 + state) + activations + batch * n_features)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux MemAvailable), or None."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(config: TrainConfig, n_train: int) -> None:
    """Refuse a run whose estimated memory exceeds what the machine has free, before any
    allocation (a 100,000-unit layer would otherwise die halfway with MemoryError)."""
    needed = config.memory_estimate(n_train)
    free = available_memory()
    if free is not None and needed > free:
        raise ConfigError(
            f"this network needs about {needed / 2**30:.1f} GB for training but only "
            f"{free / 2**30:.1f} GB of memory is available; use fewer or smaller layers "
            "or a smaller batch"
        )


# ------------------------------------------------------------------------------- events


@dataclass
class TrainingStarted:
    n_train: int
    n_batches: int
    batch_size: int
    n_parameters: int
    epochs: int


@dataclass
class BatchFinished:
    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    n_batches: int
    loss: float  # mean loss of this batch, before the update
    lr: float
    samples_done: int  # within this epoch
    elapsed: float  # seconds since the epoch started


@dataclass
class EpochFinished:
    epoch: int  # 1-based
    epochs: int
    train_loss: float  # mean of the epoch's batch losses
    train_accuracy: float  # running accuracy on the batches as they were trained
    val_loss: float | None
    val_accuracy: float | None
    test_loss: float
    test_accuracy: float
    train_seconds: float
    eval_seconds: float
    samples_per_second: float
    lr: float
    weights: list[np.ndarray] | None = None  # copies, safe to keep and to pass between threads
    biases: list[np.ndarray] | None = None

    def metrics(self) -> dict:
        """The plain numbers of this event (no arrays), e.g. for JSON."""
        return {k: v for k, v in asdict(self).items() if k not in ("weights", "biases")}


@dataclass
class TrainingFinished:
    reason: str  # "completed", "stopped" or "diverged"
    message: str
    epochs_completed: int


TrainingEvent = Union[TrainingStarted, BatchFinished, EpochFinished, TrainingFinished]


# --------------------------------------------------------------------------- evaluation


def evaluate(
    model: MLP, X: np.ndarray, y: np.ndarray, loss: str, chunk: int = 8192
) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on X: (N, D), y: (N,). (nan, nan) for N = 0."""
    n = len(y)
    if n == 0:
        return float("nan"), float("nan")
    total_loss, correct = 0.0, 0
    loss_fn = LOSS_FUNCTIONS[loss]
    for start in range(0, n, chunk):
        Xc, yc = X[start : start + chunk], y[start : start + chunk]
        z = model._forward_into(Xc, model._get_buffers(len(yc), False))
        part_loss, _ = loss_fn(z, yc, np.empty_like(z))
        total_loss += part_loss * len(yc)
        predicted = (z[:, 0] > 0) if model.is_binary else z.argmax(axis=1)
        correct += int(np.count_nonzero(predicted == yc))
    return total_loss / n, correct / n


# ------------------------------------------------------------------------------ trainer


class Trainer:
    """Trains ``model`` (built from the config if not given) on ``dataset``."""

    def __init__(
        self,
        config: TrainConfig,
        dataset: Dataset,
        model: MLP | None = None,
        *,
        copy_weights_each_epoch: bool = True,
        evaluate_test: bool = True,
    ) -> None:
        config.check(n_train=len(dataset.y_train))
        self.config = config
        self.dataset = dataset
        self.copy_weights_each_epoch = copy_weights_each_epoch
        self.evaluate_test = evaluate_test
        seeds = np.random.SeedSequence(config.seed).spawn(3)
        self._init_rng = np.random.default_rng(seeds[0])
        self._shuffle_rng = np.random.default_rng(seeds[1])
        self._noise_rng = np.random.default_rng(seeds[2])  # dropout, augmentation
        dtype = np.dtype(config.dtype)
        if model is None:
            model = build_mlp(
                dataset.n_features,
                config.hidden,
                len(dataset.classes),
                activation=config.activation,
                hidden_activations=config.hidden_activations,
                loss=config.loss,
                classes=dataset.classes,
                leaky_relu_slope=config.leaky_relu_slope,
                dtype=dtype,
                input_mean=dataset.input_mean,
                input_std=dataset.input_std,
            )
            model.initialize(self._init_rng, config.init, config.init_std, config.bias_init)
        elif model.layer_sizes[0] != dataset.n_features:
            raise ConfigError(
                f"the model takes {model.layer_sizes[0]} inputs, the data has {dataset.n_features}"
            )
        self.model = model
        self.optimizer = make_optimizer(config.optimizer, config.momentum, config.momentum_form)
        # momentum and Nesterov take their velocity update from the backward pass's GEMMs
        self._fused = self.optimizer.fuses_with_backward and self.optimizer.takes_scaled_gradient
        # Bounds on max|v| and max|p| that prove a fused update finite without reading all
        # of v (a pass over every parameter costs ~8% of an epoch); None = not known yet
        self._velocity_bound: float | None = None
        self._param_bound: float | None = None
        self._input_max_abs: float | None = None  # max |pixel| of un-augmented inputs
        self.history: list[EpochFinished] = []
        self.base_lr = float(config.lr)
        self._lock = threading.Condition()
        self.paused_seconds = 0.0  # time the loop spent paused, over all runs
        self._paused = False
        self._stop_requested = False
        self._augmenter = None
        if config.augment != "none":
            self._augmenter = Augmenter(
                config.augment, dataset.image_shape, config.augment_strength, self._noise_rng,
                fill=-dataset.input_mean / dataset.input_std,
            )

    # ------------------------------------------------------------------ thread-safe controls

    def pause(self) -> None:
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            self._lock.notify_all()

    def stop(self) -> None:
        """Ask the loop to end after the current batch (also wakes a paused loop)."""
        with self._lock:
            self._stop_requested = True
            self._lock.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def set_learning_rate(self, lr: float) -> None:
        """Change the base learning rate (the schedule still scales it) from any thread."""
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ConfigError(f"lr: expected a positive finite number, got {lr!r}")
        self.base_lr = float(lr)

    def _wait_if_paused(self) -> bool:
        """Block while paused; return True if the loop should stop."""
        with self._lock:
            while self._paused and not self._stop_requested:
                self._lock.wait()
            return self._stop_requested

    # ------------------------------------------------------------------------------ loop

    def run(self) -> Iterator[TrainingEvent]:
        limiter = self._limit_blas_threads()
        try:
            yield from self._events()
        finally:
            if limiter is not None:
                limiter.restore_original_limits()

    def _limit_blas_threads(self):  # noqa: ANN202 - a threadpoolctl limiter, or None
        """One BLAS thread while this run's GEMMs are too small to be worth splitting."""
        sizes = self.model.layer_sizes
        batch = self.config.batch_size or len(self.dataset.y_train)
        work = batch * max(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if work >= SINGLE_THREAD_GEMM_WORK:
            return None
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return None
        return threadpool_limits(limits=1, user_api="blas")

    def _events(self) -> Iterator[TrainingEvent]:
        cfg, data, model = self.config, self.dataset, self.model
        X, y = data.X_train, data.y_train
        if X.dtype != model.dtype:
            X = X.astype(model.dtype)
        n = len(y)
        batch_size = cfg.batch_size or n
        n_batches = math.ceil(n / batch_size)
        start_epoch = len(self.history)
        yield TrainingStarted(n, n_batches, batch_size, model.n_parameters, cfg.epochs)
        gather = cfg.shuffle or self._augmenter is not None
        Xb = np.empty((batch_size, X.shape[1]), model.dtype) if gather else None
        yb = np.empty(batch_size, y.dtype)
        order = np.arange(n)
        dropout_rng = self._noise_rng if cfg.dropout > 0 else None
        last_good = model.params.copy()
        self._tighten_bounds()
        if self._fused and self._augmenter is None and len(X):
            self._input_max_abs = max(float(X.max()), -float(X.min()))
        lr = self.base_lr
        first_loss: float | None = None
        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            if cfg.shuffle:
                self._shuffle_rng.shuffle(order)
            if self._augmenter is not None and cfg.augment_schedule == "linear":
                # a deformation schedule: strong distortions early, clean digits at the end
                self._augmenter.level = 1.0 - (epoch - 1) / max(cfg.epochs - 1, 1)
            t0 = time.perf_counter()
            loss_sum, correct = 0.0, 0
            for batch in range(n_batches):
                if self._paused or self._stop_requested:  # plain reads; the lock is below
                    paused_at = time.perf_counter()
                    if self._wait_if_paused():
                        yield self._finish("stopped", f"stopped during epoch {epoch}", epoch - 1)
                        return
                    paused = time.perf_counter() - paused_at  # a pause is not training time
                    t0 += paused
                    self.paused_seconds += paused
                lo, hi = batch * batch_size, min(n, (batch + 1) * batch_size)
                m = hi - lo
                if gather:
                    # full batches reuse the same array objects (BLAS remembers addresses)
                    xs, ys = (Xb, yb) if m == batch_size else (Xb[:m], yb[:m])
                    rows = order[lo:hi]
                    X.take(rows, axis=0, out=xs, mode="clip")
                    y.take(rows, out=ys, mode="clip")
                    if self._augmenter is not None:
                        self._augmenter.apply_(xs)
                else:
                    xs, ys = X[lo:hi], y[lo:hi]
                lr = scheduled_lr(
                    self.base_lr, cfg.schedule, epoch - 1 + batch / n_batches, cfg.epochs,
                    cfg.step_size, cfg.gamma, cfg.warmup_epochs,
                )
                loss, batch_correct, ok = self._step(xs, ys, lr, dropout_rng)
                if first_loss is None:
                    first_loss = loss
                if not ok or loss > EXPLOSION_FACTOR * max(first_loss, 1.0):
                    yield self._diverged(epoch, batch + 1, n_batches, loss, last_good)
                    return
                correct += batch_correct
                loss_sum += loss * m
                yield BatchFinished(epoch, batch + 1, n_batches, loss, lr, hi, time.perf_counter() - t0)
            train_seconds = time.perf_counter() - t0
            # A finite loss and gradient make a non-finite update all but impossible; this
            # one check per epoch catches the rest and keeps a last good copy to fall back to.
            if not np.isfinite(np.sum(model.params, dtype=np.float64)):
                yield self._diverged(epoch, n_batches, n_batches, float("nan"), last_good)
                return
            np.copyto(last_good, model.params)
            self._tighten_bounds()
            t1 = time.perf_counter()
            val_loss = val_acc = None
            if len(data.y_val):
                val_loss, val_acc = evaluate(model, data.X_val, data.y_val, cfg.loss)
            if self.evaluate_test:
                test_loss, test_acc = evaluate(model, data.X_test, data.y_test, cfg.loss)
            else:
                test_loss = test_acc = float("nan")
            eval_seconds = time.perf_counter() - t1
            weights = biases = None
            if self.copy_weights_each_epoch:
                weights, biases = model.copy_weights()
            report = EpochFinished(
                epoch=epoch,
                epochs=cfg.epochs,
                train_loss=loss_sum / n,
                train_accuracy=correct / n,
                val_loss=val_loss,
                val_accuracy=val_acc,
                test_loss=test_loss,
                test_accuracy=test_acc,
                train_seconds=train_seconds,
                eval_seconds=eval_seconds,
                samples_per_second=n / train_seconds if train_seconds > 0 else float("inf"),
                lr=lr,
                weights=weights,
                biases=biases,
            )
            self.history.append(report)
            yield report
        yield self._finish("completed", f"completed {cfg.epochs} epochs", cfg.epochs)

    def _step(
        self, xs: np.ndarray, ys: np.ndarray, lr: float, dropout_rng: np.random.Generator | None
    ) -> tuple[float, int, bool]:
        """One update on a batch. Returns (loss, correct predictions, finite?); when the
        loss or the gradient is not finite the update is skipped, so the weights stay finite.
        """
        model, cfg, optimizer = self.model, self.config, self.optimizer
        scaled = optimizer.takes_scaled_gradient
        fused = self._fused
        # Overflow on the way to a divergence is expected and reported, not warned about
        with np.errstate(over="ignore", invalid="ignore"):
            sink = optimizer.fused_sink(model.params, model.unflatten) if fused else None
            loss, z = model.loss_and_grads(
                xs, ys, cfg.loss, cfg.dropout, dropout_rng,
                grad_scale=lr if scaled else 1.0, into=sink,
            )
            if model.is_binary:
                correct = int(np.count_nonzero((z[:, 0] > 0) == ys))
            else:
                correct = int(np.count_nonzero(z.argmax(axis=1) == ys))
            wd_scaled = cfg.weight_decay * (lr if scaled else 1.0)
            if fused and cfg.weight_decay:  # v <- v - lr*wd*W: the decay is part of g
                for W, vW in zip(model.W, sink.W):
                    axpy(-wd_scaled, W, vW)
            # The update waits for this check, so the weights stay finite whatever happens
            if fused and math.isfinite(loss) and self._fused_update_is_bounded(xs, wd_scaled):
                optimizer.fused_apply(model.params)
                return loss, correct, True
            update = optimizer.fused_state if fused else model.grads
            update_sq = float(np.dot(update, update))
            if not (math.isfinite(loss) and math.isfinite(update_sq)):
                if fused:
                    optimizer.fused_discard()
                return loss, correct, False
            if fused:
                optimizer.fused_apply(model.params)
                self._tighten_bounds()
                return loss, correct, True
            if cfg.weight_decay:
                wd_t = model.dtype.type(wd_scaled)
                for W, dW in zip(model.W, model.dW):
                    dW += wd_t * W
            if scaled:
                optimizer.step_scaled(model.params, model.grads)
            else:
                optimizer.step(model.params, model.grads, lr)
        return loss, correct, True

    def _fused_update_is_bounded(self, xs: np.ndarray, wd_scaled: float) -> bool:
        """True if the velocity the backward pass just wrote, and the weights after applying
        it, are provably finite: every entry stays below BOUND_LIMIT, far from overflow.

        v' = mu*v - G - lr*wd*W gives max|v'| <= mu*max|v| + max|G| + lr*wd*max|p|, and
        p' = p + v' (Nesterov: p + (1+mu)*v' - mu*v) bounds max|p'|. max|G| comes from
        the batch's small arrays (MLP.gradient_bound). The bounds only grow, by little per
        step, and are made exact again at every epoch's end (_tighten_bounds).
        """
        if self._velocity_bound is None:
            return False
        mu = self.optimizer.momentum
        v_old, p_old = self._velocity_bound, self._param_bound
        x_sq = None if self._input_max_abs is None else len(xs) * xs.shape[1] * self._input_max_abs**2
        v_new = mu * v_old + self.model.gradient_bound(xs, x_sq) + wd_scaled * p_old
        p_new = p_old + self.optimizer.step_bound(v_old, v_new)
        if not (v_new < BOUND_LIMIT and p_new < BOUND_LIMIT):  # also False for NaN
            return False
        self._velocity_bound, self._param_bound = v_new, p_new
        return True

    def _tighten_bounds(self) -> None:
        """Exact bounds again (max|x| <= ||x||_2; two passes over the parameters)."""
        if not self._fused:
            return
        state = self.optimizer.fused_state
        v_sq = float(np.dot(state, state)) if state is not None else 0.0
        p_sq = float(np.dot(self.model.params, self.model.params))
        self._velocity_bound, self._param_bound = math.sqrt(v_sq), math.sqrt(p_sq)

    def _finish(self, reason: str, message: str, epochs_completed: int) -> TrainingFinished:
        return TrainingFinished(reason, message, epochs_completed)

    def _diverged(
        self, epoch: int, batch: int, n_batches: int, loss: float, last_good: np.ndarray
    ) -> TrainingFinished:
        if not np.isfinite(np.sum(self.model.params, dtype=np.float64)):
            np.copyto(self.model.params, last_good)
        message = (
            f"training diverged at epoch {epoch}, batch {batch}/{n_batches} (loss {loss:.4g}); "
            f"the model keeps its last finite weights. Try a lower learning rate than "
            f"{self.base_lr:g}."
        )
        return self._finish("diverged", message, epoch - 1)

    def train(self) -> TrainingFinished:
        """Run to the end, ignoring intermediate events; return the final event."""
        final = TrainingFinished("stopped", "no events", 0)
        for event in self.run():
            final = event  # type: ignore[assignment]
        return final
