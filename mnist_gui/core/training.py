"""The training loop: a Trainer that any caller drives and that reports through events.

``Trainer.run()`` is a generator: it yields ``TrainingStarted``, then ``BatchFinished`` after
every update and ``EpochFinished`` after every epoch, and always ends with one
``TrainingFinished`` (reason "completed", "stopped" or "diverged"). The CLI prints the
events, the GUI's session (``core/session.py``) throttles them for the window, a notebook can
loop over them.

Pausing, stopping and the live learning rate live in one ``TrainingControls`` object, safe
to use from any thread; they take effect between two batches.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, fields, replace
from typing import Any, Iterator, Union

import numpy as np

from .augment import Augmenter
from .config import TrainConfig, check_memory
from .data import Dataset
from .errors import ConfigError
from .losses import LOSS_FUNCTIONS
from .network import MLP, build_mlp
from .optim import make_optimizer, scheduled_lr

__all__ = [
    "BatchFinished", "EpochFinished", "TrainConfig", "Trainer", "TrainingControls",
    "TrainingEvent", "TrainingFinished", "TrainingStarted", "check_model_matches", "evaluate",
]

#: A batch loss this many times the first one (and above 1) counts as divergence: a network
#: whose ReLUs all died after a huge step has a finite but meaningless loss.
EXPLOSION_FACTOR = 1000.0
#: How close a given model's input scaling must be to the data's (relative, and absolute for
#: a mean of 0): the same numbers computed twice, or through a model file, agree far better;
#: another subset's or another set's differ far more.
SCALING_TOLERANCE = 1e-6
#: Below this many multiply-adds in a step's largest GEMM, one BLAS thread beats two: the
#: fork/join of every call costs more than the split saves. Measured here, 784-128-10 with
#: momentum: batch 8 (0.8M) 19% faster on one thread, batch 16 (1.6M) 12% slower.
SINGLE_THREAD_GEMM_WORK = 1_000_000


class TrainingControls:
    """Pause, resume, stop and the live learning rate: the one place this state lives.

    Any thread may call the methods; the training loop reads the flags between batches.
    Made before the trainer exists (the GUI can pause a run that is still loading data).
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._paused = False
        self._stop_requested = False
        self._learning_rate: float | None = None
        self._steps_allowed = 0  # batches to run while paused (step mode)
        self.paused_seconds = 0.0  # time the loop spent paused

    def pause(self) -> None:
        with self._condition:
            self._paused = True

    def resume(self) -> None:
        with self._condition:
            self._paused = False
            self._condition.notify_all()

    def stop(self) -> None:
        """Ask the loop to end after the current batch (also wakes a paused loop)."""
        with self._condition:
            self._stop_requested = True
            self._condition.notify_all()

    def step(self, batches: int = 1) -> None:
        """While paused, let the loop run ``batches`` more batches, then pause again."""
        with self._condition:
            self._steps_allowed += max(int(batches), 0)
            self._condition.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def will_wait(self) -> bool:
        """The loop will block before the next batch (paused, no step left): what it has
        done so far is all there is to show for now."""
        return self._paused and not self._steps_allowed and not self._stop_requested

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    @property
    def learning_rate(self) -> float | None:
        """A base learning rate set during the run (None: the config's)."""
        return self._learning_rate

    def set_learning_rate(self, lr: float) -> None:
        """Change the base learning rate (the schedule still scales it)."""
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (
            math.isfinite(lr) and lr > 0
        ):
            raise ConfigError(f"lr: expected a positive finite number, got {lr!r}")
        self._learning_rate = float(lr)

    @property
    def interrupted(self) -> bool:
        """True when the loop must look at the flags (a plain read, no lock)."""
        return self._paused or self._stop_requested

    def wait_if_paused(self) -> bool:
        """Block while paused (the time is added to ``paused_seconds``); True to stop."""
        started = time.perf_counter()
        with self._condition:
            while self._paused and not self._stop_requested and not self._steps_allowed:
                self._condition.wait()
            if self._paused and self._steps_allowed and not self._stop_requested:
                self._steps_allowed -= 1
        self.paused_seconds += time.perf_counter() - started
        return self._stop_requested


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
    accuracy: float  # fraction of this batch classified right, before the update
    lr: float
    samples_done: int  # within this epoch
    elapsed: float  # seconds of training (pauses excluded) since the epoch started

    @property
    def progress(self) -> float:
        """Epochs completed, fractional (2.5 = half way through the third epoch)."""
        return self.epoch - 1 + self.batch / self.n_batches


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
    #: per test digit: the probability given to its true class (N,) float32, and the class
    #: index predicted (N,) uint8, so a digit's learning can be followed epoch by epoch
    test_p_true: np.ndarray | None = None
    test_predicted: np.ndarray | None = None

    def metrics(self) -> dict:
        """The plain numbers of this event (no arrays), e.g. for JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ARRAY_FIELDS}

    @classmethod
    def from_metrics(cls, metrics: dict, test_p_true: np.ndarray | None = None,
                     test_predicted: np.ndarray | None = None) -> EpochFinished:
        """An epoch from its ``metrics()`` as a file kept them (a run's epochs.jsonl, a
        model file's history); a number missing or not a number reads as NaN."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in ARRAY_FIELDS:
                continue
            value = metrics.get(f.name)
            if f.name in ("val_loss", "val_accuracy"):
                values[f.name] = float(value) if isinstance(value, (int, float)) else None
            elif f.name in ("epoch", "epochs"):
                values[f.name] = int(value) if isinstance(value, int) else int(metrics["epoch"])
            else:
                values[f.name] = float(value) if isinstance(value, (int, float)) else float("nan")
        return cls(**values, test_p_true=test_p_true, test_predicted=test_predicted)

    def without_weights(self) -> EpochFinished:
        """This epoch as a history keeps it: the numbers and the per-digit results, not the
        weight copies (one model's size per epoch: 1.6 MB for 784-512-10, 12.7 MB for
        784-800-800-10), which the event's receivers take from the event itself."""
        return replace(self, weights=None, biases=None)


ARRAY_FIELDS = ("weights", "biases", "test_p_true", "test_predicted")


@dataclass
class TrainingFinished:
    reason: str  # "completed", "stopped" or "diverged"
    message: str
    epochs_completed: int


TrainingEvent = Union[TrainingStarted, BatchFinished, EpochFinished, TrainingFinished]


# --------------------------------------------------------------------------- evaluation


def evaluate(model: MLP, X: np.ndarray, y: np.ndarray, loss: str) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on X: (N, D), y: (N,). (nan, nan) for N = 0."""
    loss_value, accuracy, _, _ = evaluate_per_sample(model, X, y, loss)
    return loss_value, accuracy


def evaluate_per_sample(
    model: MLP, X: np.ndarray, y: np.ndarray, loss: str
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Mean loss, accuracy, and per sample p(true class) (N,) float32 and the predicted
    class index (N,) uint8."""
    if len(y) == 0:
        empty = np.zeros(0, np.float32)
        return float("nan"), float("nan"), empty, empty.astype(np.uint8)
    z = model.logits(X)
    loss_value, _ = LOSS_FUNCTIONS[loss](z, y)
    predicted = model.predicted_index(z)
    p_true = model.probabilities_from_logits(z)[np.arange(len(y)), y].astype(np.float32)
    accuracy = float(np.count_nonzero(predicted == y)) / len(y)
    return loss_value, accuracy, p_true, predicted.astype(np.uint8)


# ------------------------------------------------------------------------------ trainer


def check_model_matches(model: MLP, dataset: Dataset) -> None:
    """Refuse, with a ConfigError saying both sides, a model that cannot be trained on
    ``dataset`` as it is: another input width, other classes (or the same in another order:
    label i of the data would train output i, another class), or another input scaling
    (the data's X is (pixel/255 - mean)/std with its own mean and std; a model expecting
    other numbers would be trained on inputs it will never see)."""
    if model.layer_sizes[0] != dataset.n_features:
        raise ConfigError(
            f"the model takes {model.layer_sizes[0]} inputs, the data has {dataset.n_features}"
        )
    if list(model.classes) != list(dataset.classes):
        order = (" (the same classes in another order)"
                 if sorted(model.classes) == sorted(dataset.classes) else "")
        raise ConfigError(
            f"the model's outputs stand for classes {model.classes}, the data's labels for "
            f"classes {dataset.classes}{order}: prepare the data with the model's classes "
            "(digits) or train a new model"
        )
    for name in ("input_mean", "input_std"):
        if not math.isclose(getattr(model, name), getattr(dataset, name),
                            rel_tol=SCALING_TOLERANCE, abs_tol=SCALING_TOLERANCE):
            raise ConfigError(
                f"the model scales its inputs as (pixel/255 - {model.input_mean:.6g}) / "
                f"{model.input_std:.6g}, the data was scaled with mean {dataset.input_mean:.6g} "
                f"and std {dataset.input_std:.6g}: prepare the data with the model's scaling "
                "(the standardise setting it was trained with) or train a new model"
            )



class Trainer:
    """Trains ``model`` (built from the config if not given) on ``dataset``; a given model
    must match the data (``check_model_matches``: inputs, classes, input scaling).

    ``controls`` (made here if not given) pauses, stops and changes the learning rate from
    any thread; ``pause()``, ``stop()`` etc. below are shortcuts to it.
    """

    def __init__(
        self,
        config: TrainConfig,
        dataset: Dataset,
        model: MLP | None = None,
        *,
        controls: TrainingControls | None = None,
        copy_weights_each_epoch: bool = True,
        evaluate_test: bool = True,
    ) -> None:
        config.check(n_train=len(dataset.y_train))
        check_memory(config, len(dataset.y_train))
        self.config = config
        self.dataset = dataset
        self.controls = controls or TrainingControls()
        self.copy_weights_each_epoch = copy_weights_each_epoch
        self.evaluate_test = evaluate_test
        seeds = np.random.SeedSequence(config.seed).spawn(3)
        self._init_rng = np.random.default_rng(seeds[0])
        self._shuffle_rng = np.random.default_rng(seeds[1])
        self._noise_rng = np.random.default_rng(seeds[2])  # dropout, augmentation
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
                normalization=config.normalization,
                dtype=np.dtype(config.dtype),
                input_mean=dataset.input_mean,
                input_std=dataset.input_std,
            )
            model.initialize(self._init_rng, config.init, config.init_std, config.bias_init)
        else:
            check_model_matches(model, dataset)
        model.set_dropout(config.dropout, self._noise_rng)
        self.model = model
        #: the parameters weight decay applies to: the weights, and the normalisations'
        #: scales and shifts when the settings say so
        self._decayed = [p for p in model.parameters
                         if p.decay or (config.norm_weight_decay and p.group == "norm")]
        self.optimizer = make_optimizer(config)
        self.history: list[EpochFinished] = []
        self.epochs_done = 0  # completed epochs, counting those before a resume
        self._order = np.arange(len(dataset.y_train))  # shuffled in place every epoch
        self._first_loss: float | None = None
        self._augmenter = None
        if config.augment != "none":
            self._augmenter = Augmenter(
                config.augment, dataset.image_shape, config.augment_strength, self._noise_rng,
                fill=-dataset.input_mean / dataset.input_std,
            )

    # ------------------------------------------------------------------ thread-safe controls

    def pause(self) -> None:
        self.controls.pause()

    def resume(self) -> None:
        self.controls.resume()

    def stop(self) -> None:
        self.controls.stop()

    def set_learning_rate(self, lr: float) -> None:
        self.controls.set_learning_rate(lr)

    @property
    def base_lr(self) -> float:
        """The base learning rate now (the config's, or one set during the run)."""
        live = self.controls.learning_rate
        return self.config.lr if live is None else live

    @property
    def paused_seconds(self) -> float:
        return self.controls.paused_seconds

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
        cfg, data, model, controls = self.config, self.dataset, self.model, self.controls
        X, y = data.X_train, data.y_train
        if X.dtype != model.dtype:
            X = X.astype(model.dtype)
        n = len(y)
        batch_size = cfg.batch_size or n
        n_batches = math.ceil(n / batch_size)
        start_epoch = self.epochs_done
        yield TrainingStarted(n, n_batches, batch_size, model.n_parameters, cfg.epochs)
        gather = cfg.shuffle or self._augmenter is not None
        Xb = np.empty((batch_size, X.shape[1]), model.dtype) if gather else None
        yb = np.empty(batch_size, y.dtype)
        order = self._order
        # The one divergence guard: a batch whose loss is not finite (or has exploded) ends
        # the run, and weights that are no longer finite go back to the last epoch's end.
        last_good = model.params.copy()
        # and the layers' state (batch norm's running statistics) with them
        self._last_good_state = model.state.copy()
        lr = self.base_lr
        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            if cfg.shuffle:
                self._shuffle_rng.shuffle(order)
            if self._augmenter is not None and cfg.augment_schedule == "linear":
                # a deformation schedule: strong distortions early, clean digits at the end
                self._augmenter.level = 1.0 - (epoch - 1) / max(cfg.epochs - 1, 1)
            t0 = time.perf_counter()
            loss_sum, correct = 0.0, 0
            for batch in range(n_batches):
                if controls.interrupted:
                    paused_before = controls.paused_seconds
                    if controls.wait_if_paused():
                        yield self._finish("stopped", f"stopped during epoch {epoch}", epoch - 1)
                        return
                    t0 += controls.paused_seconds - paused_before  # a pause is not training
                lo, hi = batch * batch_size, min(n, (batch + 1) * batch_size)
                m = hi - lo
                if gather:
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
                loss, batch_correct = self._step(xs, ys, lr)
                if self._first_loss is None:
                    self._first_loss = loss
                if not (loss <= EXPLOSION_FACTOR * max(self._first_loss, 1.0)):  # also NaN
                    yield self._diverged(epoch, batch + 1, n_batches, loss, last_good)
                    return
                correct += batch_correct
                loss_sum += loss * m
                yield BatchFinished(
                    epoch, batch + 1, n_batches, loss, batch_correct / m, lr, hi,
                    time.perf_counter() - t0,
                )
            train_seconds = time.perf_counter() - t0
            if not np.isfinite(np.sum(model.params, dtype=np.float64)):
                yield self._diverged(epoch, n_batches, n_batches, float("nan"), last_good)
                return
            np.copyto(last_good, model.params)
            np.copyto(self._last_good_state, model.state)
            t1 = time.perf_counter()
            val_loss = val_acc = None
            if len(data.y_val):
                val_loss, val_acc = evaluate(model, data.X_val, data.y_val, cfg.loss)
            p_true = predicted = None
            if self.evaluate_test:
                test_loss, test_acc, p_true, predicted = evaluate_per_sample(
                    model, data.X_test, data.y_test, cfg.loss)
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
                test_p_true=p_true,
                test_predicted=predicted,
            )
            self.history.append(report.without_weights())
            self.epochs_done = epoch
            yield report
        yield self._finish("completed", f"completed {cfg.epochs} epochs", cfg.epochs)

    def resume_state(self) -> dict:
        """Everything beyond the weights that the next epoch depends on: completed epochs,
        the random streams (data order, dropout, augmentation), the current data order, the
        optimiser's state and the divergence reference. Taken between epochs, it makes a
        continued run identical to an uninterrupted one. JSON-safe except the arrays."""
        return {
            "epochs_done": self.epochs_done,
            "first_loss": self._first_loss,
            "rng": {name: getattr(self, f"_{name}_rng").bit_generator.state
                    for name in ("init", "shuffle", "noise")},
            "order": self._order.copy(),
            "optimizer": self.optimizer.state(),
        }

    def restore(self, state: dict) -> None:
        """Continue from ``resume_state()`` (the model's weights are restored separately)."""
        order = np.asarray(state["order"])
        if order.shape != self._order.shape:
            raise ConfigError("the saved data order does not match this training set")
        self.epochs_done = int(state["epochs_done"])
        self._first_loss = state.get("first_loss")
        for name, rng_state in state["rng"].items():
            getattr(self, f"_{name}_rng").bit_generator.state = rng_state
        self._order = order.astype(self._order.dtype)
        self.optimizer.load_state(state["optimizer"])

    def _step(self, xs: np.ndarray, ys: np.ndarray, lr: float) -> tuple[float, int]:
        """One update on a batch; returns (loss before the update, correct predictions).
        A batch whose loss is not finite is not applied (the run then ends)."""
        model, cfg, optimizer = self.model, self.config, self.optimizer
        fold = optimizer.folds_learning_rate
        # overflow on the way to a divergence is expected and reported, not warned about
        with np.errstate(over="ignore", invalid="ignore"):
            loss, z = model.loss_and_grads(xs, ys, cfg.loss, grad_scale=lr if fold else 1.0)
            correct = int(np.count_nonzero(model.predicted_index(z) == ys))
            if not math.isfinite(loss):
                return loss, correct
            if cfg.weight_decay:
                decay = model.dtype.type(cfg.weight_decay * (lr if fold else 1.0))
                for parameter in self._decayed:
                    parameter.grad += decay * parameter.value
            optimizer.step(model.params, model.grads, 1.0 if fold else lr)
        return loss, correct

    def _finish(self, reason: str, message: str, epochs_completed: int) -> TrainingFinished:
        return TrainingFinished(reason, message, epochs_completed)

    def _diverged(
        self, epoch: int, batch: int, n_batches: int, loss: float, last_good: np.ndarray
    ) -> TrainingFinished:
        kept = "its weights"
        if not (np.isfinite(np.sum(self.model.params, dtype=np.float64))
                and np.isfinite(np.sum(self.model.state, dtype=np.float64))):
            np.copyto(self.model.params, last_good)
            np.copyto(self.model.state, self._last_good_state)
            kept = f"its weights from the end of epoch {epoch - 1}" if epoch > 1 else (
                "its initial weights")
        message = (
            f"training diverged at epoch {epoch}, batch {batch}/{n_batches} (loss {loss:.4g}); "
            f"the model keeps {kept}, the last finite ones. Try a lower learning rate than "
            f"{self.base_lr:g}."
        )
        return self._finish("diverged", message, epoch - 1)

    def train(self) -> TrainingFinished:
        """Run to the end, ignoring intermediate events; return the final event."""
        final = TrainingFinished("stopped", "no events", 0)
        for event in self.run():
            final = event  # type: ignore[assignment]
        return final
