"""The bridge between the NumPy trainer and Qt: a worker object living in a QThread.

Follows superqt's ``GeneratorWorker``: the trainer is a generator; the worker iterates it
in its own thread and re-emits what the GUI needs as signals carrying plain data (numbers,
and *copies* of the weights). The GUI thread never touches the trainer: pause/stop/lr go
through the trainer's thread-safe methods, and emissions are throttled so that the window
redraws at a sensible rate however fast batches come.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from ..core.data import RawMnist, load_raw, prepare
from ..core.errors import MnistGuiError
from ..core.evaluation import EvaluationReport, evaluate_model
from ..core.network import MLP
from ..core.training import (
    BatchFinished,
    EpochFinished,
    TrainConfig,
    Trainer,
    TrainingFinished,
    TrainingStarted,
)

PROGRESS_INTERVAL = 0.1  # s between progress signals (10 Hz)
WEIGHTS_INTERVAL = 0.25  # s between weight snapshots (4 Hz)
EVALUATION_INTERVAL = 2.0  # s between full test-set evaluations (mistakes view)


@dataclass
class Progress:
    """What the window shows while an epoch runs (emitted at most every 50 ms)."""

    epoch: int
    epochs: int
    batch: int
    n_batches: int
    steps: np.ndarray  # fractional epochs of the batches since the last Progress
    losses: np.ndarray  # their batch losses
    lr: float
    samples_per_second: float
    eta_seconds: float


@dataclass
class WeightsSnapshot:
    """Copies of every layer's weights and biases, and where in training they were taken."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    epoch_progress: float
    model: MLP  # an independent inference copy holding these weights (for drawing)


@dataclass
class Evaluation:
    report: EvaluationReport
    images: np.ndarray  # (N, 784) uint8 test images, rows matching the report
    epoch: int


class TrainingWorker(QObject):
    """Runs one training session; create, move to a QThread, connect, start the thread."""

    data_loaded = Signal(object)  # RawMnist, so the window can keep it for the next run
    started = Signal(object)  # TrainingStarted
    progressed = Signal(object)  # Progress
    weights_changed = Signal(object)  # WeightsSnapshot
    epoch_finished = Signal(object)  # EpochFinished (with weight copies)
    evaluated = Signal(object)  # Evaluation
    failed = Signal(str)  # a message for the user
    finished = Signal(object)  # TrainingFinished, always last

    def __init__(
        self,
        config: TrainConfig,
        raw: RawMnist | None = None,
        data_dir: str | None = None,
        blas_threads: int | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self._raw = raw
        self._data_dir = data_dir
        self._blas_threads = blas_threads
        self._trainer: Trainer | None = None
        self._lock = threading.Lock()
        self._paused = False
        self._stopped = False
        self._pending_lr: float | None = None

    # ------------------------------------------------------- controls (any thread)

    def pause(self) -> None:
        with self._lock:
            self._paused = True
            if self._trainer is not None:
                self._trainer.pause()

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            if self._trainer is not None:
                self._trainer.resume()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._trainer is not None:
                self._trainer.stop()

    def set_learning_rate(self, lr: float) -> None:
        with self._lock:
            if self._trainer is not None:
                self._trainer.set_learning_rate(lr)
            else:
                self._pending_lr = lr

    # ------------------------------------------------------------ the thread's work

    @Slot()
    def run(self) -> None:
        final = TrainingFinished("failed", "training did not start", 0)
        try:
            final = self._run()
        except MnistGuiError as exc:
            final = TrainingFinished("failed", str(exc), 0)
            self.failed.emit(str(exc))
        except MemoryError:
            message = "out of memory: try a smaller network, batch size or data subset"
            final = TrainingFinished("failed", message, 0)
            self.failed.emit(message)
        except Exception as exc:  # noqa: BLE001 - a worker must report, never die silently
            traceback.print_exc()
            message = f"unexpected error in training: {type(exc).__name__}: {exc}"
            final = TrainingFinished("failed", message, 0)
            self.failed.emit(message)
        finally:
            self.finished.emit(final)

    def _run(self) -> TrainingFinished:
        limiter = None
        if self._blas_threads:
            from threadpoolctl import threadpool_limits

            limiter = threadpool_limits(limits=self._blas_threads, user_api="blas")
        try:
            return self._train()
        finally:
            if limiter is not None:
                limiter.restore_original_limits()

    def _train(self) -> TrainingFinished:
        config = self.config
        if self._raw is None:
            self._raw = load_raw(self._data_dir)
            self.data_loaded.emit(self._raw)
        dataset = prepare(self._raw, config.data_spec())
        trainer = Trainer(config, dataset)
        with self._lock:
            self._trainer = trainer
            if self._paused:
                trainer.pause()
            if self._stopped:
                trainer.stop()
            if self._pending_lr is not None:
                trainer.set_learning_rate(self._pending_lr)
        steps: list[float] = []
        losses: list[float] = []
        last_progress = last_weights = 0.0
        last_eval = time.perf_counter()
        epoch_started = time.perf_counter()
        final = TrainingFinished("stopped", "no events", 0)
        n_epochs = config.epochs
        for event in trainer.run():
            now = time.perf_counter()
            if isinstance(event, BatchFinished):
                steps.append(event.epoch - 1 + event.batch / event.n_batches)
                losses.append(event.loss)
                if now - last_progress >= PROGRESS_INTERVAL or event.batch == event.n_batches:
                    last_progress = now
                    rate = event.samples_done / event.elapsed if event.elapsed > 0 else 0.0
                    done = event.epoch - 1 + event.batch / event.n_batches
                    total_elapsed = now - epoch_started - trainer.paused_seconds
                    eta = total_elapsed / done * (n_epochs - done) if done > 0 else 0.0
                    self.progressed.emit(Progress(
                        event.epoch, n_epochs, event.batch, event.n_batches,
                        np.array(steps), np.array(losses), event.lr, rate, eta,
                    ))
                    steps, losses = [], []
                if now - last_weights >= WEIGHTS_INTERVAL:
                    last_weights = now
                    self.weights_changed.emit(
                        self._snapshot(trainer, event.epoch - 1 + event.batch / event.n_batches)
                    )
            elif isinstance(event, EpochFinished):
                self.epoch_finished.emit(event)
                last_weights = time.perf_counter()
                self.weights_changed.emit(self._snapshot(trainer, float(event.epoch)))
                if (
                    time.perf_counter() - last_eval >= EVALUATION_INTERVAL
                    or event.epoch == event.epochs
                ):
                    self._evaluate(trainer, dataset, event.epoch)
                    last_eval = time.perf_counter()
            elif isinstance(event, TrainingStarted):
                self.started.emit(event)
                self.weights_changed.emit(self._snapshot(trainer, 0.0))
            elif isinstance(event, TrainingFinished):
                final = event
        if final.reason != "completed" and trainer.history:
            # the mistakes view should show the model as it ended, not as of the last eval
            self._evaluate(trainer, dataset, len(trainer.history))
        return final

    @staticmethod
    def _snapshot(trainer: Trainer, progress: float) -> WeightsSnapshot:
        model = trainer.model.clone()
        weights, biases = model.unflatten(model.params)
        return WeightsSnapshot(weights, biases, progress, model)

    def _evaluate(self, trainer: Trainer, dataset, epoch: int) -> None:  # noqa: ANN001
        report = evaluate_model(trainer.model, dataset.X_test, dataset.y_test)
        self.evaluated.emit(Evaluation(report, dataset.test_images, epoch))


class FunctionWorker(QObject):
    """Runs one function in a thread: ``done`` with its result or ``failed`` with a message."""

    done = Signal(object)
    failed = Signal(str, str)  # title, message
    finished = Signal()

    def __init__(self, function, *args, title: str = "Error") -> None:  # noqa: ANN001
        super().__init__()
        self._function = function
        self._args = args
        self.title = title

    @Slot()
    def run(self) -> None:
        try:
            self.done.emit(self._function(*self._args))
        except MnistGuiError as exc:
            self.failed.emit(self.title, str(exc))
        except MemoryError:
            self.failed.emit(self.title, "out of memory")
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            self.failed.emit(self.title, f"unexpected error: {type(exc).__name__}: {exc}")
        finally:
            self.finished.emit()
