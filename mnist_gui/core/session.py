"""A training session for a live display: the trainer's events, thinned out for a window.

``TrainingSession.events()`` is a generator of plain objects, with no Qt in sight: the GUI's
worker thread forwards whatever it yields (``gui/worker.py``), and a test can simply iterate
it. The policy of *what* a window needs and *how often* lives here:

* ``DataLoaded`` once, if the session had to read the data (the window keeps it);
* ``TrainingStarted``, then a ``ModelSnapshot`` of the untrained model;
* ``Progress`` at most every ``progress_interval`` s: the batch losses and accuracies since
  the last one, the learning rate, speed and time left;
* ``ModelSnapshot`` at most every ``snapshot_interval`` s and after every epoch: an
  independent copy of the model, safe to read in another thread while training goes on;
* every ``EpochFinished``;
* ``ModelEvaluation`` (test-set report with mistakes) at most every ``evaluation_interval``
  s, after the last epoch, and for the final weights of a run that ended early;
* with ``health_every``: ``HealthMeasured`` when the layer-health monitor measured (every
  that many batches at most, on the first 256 training images; ``core/health.py``) and
  ``HealthFindings`` after every epoch;
* always one ``TrainingFinished`` last (reason "failed" if the run could not start).

With a ``store`` (``core/runs.py``) the run is recorded as it goes, and ``RunRecorded`` tells
its id right after ``TrainingStarted``; a store that cannot be written (a file, read-only,
full) yields one ``RunNotRecorded`` and the training goes on unrecorded.
``resume_from=(run_id, epoch)`` continues a recorded run from that epoch's snapshot
(recorded as a branch of it).

Pausing, stopping and the learning rate go through ``controls``, usable from any thread
before and during the run.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .data import RawMnist, load_raw, prepare
from .errors import ConfigError, MnistGuiError
from .evaluation import ModelEvaluation, evaluate_model
from .health import Finding, HealthMonitor, HealthReport
from .network import MLP
from .recording import GuardedRecorder
from .runs import RunStore
from .training import (
    BatchFinished,
    EpochFinished,
    TrainConfig,
    Trainer,
    TrainingControls,
    TrainingFinished,
    TrainingStarted,
)

_session_ids = itertools.count(1)


@dataclass
class DataLoaded:
    raw: RawMnist


@dataclass
class RunRecorded:
    """The id under which the run store keeps this session's run."""

    run_id: str
    parent: tuple[str, int] | None = None


@dataclass
class RunNotRecorded:
    """The run store could not be written (a file, read-only, full): training goes on and
    nothing more of this run is recorded. Yielded once."""

    message: str


@dataclass
class Progress:
    """Where an epoch is, and the batches since the last Progress."""

    epoch: int
    epochs: int
    batch: int
    n_batches: int
    steps: np.ndarray  # (n,) fractional epochs of those batches
    losses: np.ndarray  # (n,) their losses
    accuracies: np.ndarray  # (n,) their accuracies, in [0, 1]
    lr: float
    samples_per_second: float
    eta_seconds: float


@dataclass
class ModelSnapshot:
    """An independent copy of the model at ``epoch_progress`` (fractional epochs)."""

    model: MLP
    epoch_progress: float
    session_id: int

    @property
    def weights(self) -> list[np.ndarray]:
        return self.model.W

    @property
    def biases(self) -> list[np.ndarray]:
        return self.model.b


@dataclass
class HealthMeasured:
    """Layer health and the findings in force (plain arrays and numbers: safe to keep)."""

    report: HealthReport


@dataclass
class HealthFindings:
    """The findings after epoch ``epoch`` (the overfitting rule needs whole epochs)."""

    epoch: int
    findings: list[Finding]


def eta_seconds(training_seconds: float, epochs_done: float, epochs_total: float) -> float:
    """Time left at the average speed so far: training time per epoch x epochs to go."""
    if epochs_done <= 0:
        return float("nan")
    return training_seconds / epochs_done * max(epochs_total - epochs_done, 0.0)


class TrainingSession:
    """One run for a display. ``raw`` is the data if already loaded (else it is read from
    ``data_dir`` or the bundled copy)."""

    def __init__(
        self,
        config: TrainConfig,
        raw: RawMnist | None = None,
        data_dir: str | None = None,
        *,
        progress_interval: float = 0.1,
        snapshot_interval: float = 0.25,
        evaluation_interval: float = 2.0,
        store: RunStore | None = None,
        resume_from: tuple[str, int | None] | None = None,
        name: str = "",
        health_every: int | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.resume_from = resume_from
        self.name = name
        self.run_id: str | None = None
        self.controls = TrainingControls()
        self.id = next(_session_ids)
        self._raw = raw
        self._data_dir = data_dir
        self.progress_interval = progress_interval
        self.snapshot_interval = snapshot_interval
        self.evaluation_interval = evaluation_interval
        self.trainer: Trainer | None = None
        self._recorder = None
        self.health_every = health_every
        self.health: HealthMonitor | None = None

    def events(self) -> Iterator[object]:
        message = None
        try:
            yield from self._events()
        except MnistGuiError as exc:
            message = str(exc)
        except MemoryError:
            message = "out of memory: try a smaller network, batch size or data subset"
        if message is not None:
            if self._recorder is not None:
                self._recorder.finish("failed")
            yield TrainingFinished("failed", message, self._epochs_done())

    def _epochs_done(self) -> int:
        return len(self.trainer.history) if self.trainer is not None else 0

    def _snapshot(self, progress: float) -> ModelSnapshot:
        return ModelSnapshot(self.trainer.model.clone(), progress, self.id)

    def _evaluation(self, dataset, epoch: int) -> ModelEvaluation:  # noqa: ANN001
        report = evaluate_model(self.trainer.model, dataset.X_test, dataset.y_test)
        return ModelEvaluation(report, dataset.test_images, epoch)

    def _events(self) -> Iterator[object]:
        config = self.config
        if self._raw is None:
            self._raw = load_raw(self._data_dir)
            yield DataLoaded(self._raw)
        dataset = prepare(self._raw, config.data_spec())
        parent = None
        if self.resume_from is not None:
            if self.store is None:
                raise ConfigError("continuing a run needs the run store")
            run_id, epoch = self.resume_from
            trainer = self.store.resume_trainer(run_id, epoch, dataset, config)
            parent = (run_id, trainer.epochs_done)
        else:
            trainer = Trainer(config, dataset)
        trainer.controls = self.controls
        self.trainer = trainer
        recorder = None
        store_problems: list[str] = []
        if self.store is not None:
            store = self.store
            # a store that is a file, read-only or full costs a warning, not the run
            recorder = self._recorder = GuardedRecorder(
                lambda: store.start(trainer, self.name, parent), store.root, store_problems.append)
            self.run_id = recorder.id
        steps: list[float] = []
        losses: list[float] = []
        accuracies: list[float] = []
        last_progress = last_snapshot = 0.0
        last_evaluation = time.perf_counter()
        training_seconds = 0.0  # of finished epochs (pauses excluded)
        start = float(trainer.epochs_done)  # a continued run starts where its parent was
        position = start  # fractional epochs trained so far
        final = TrainingFinished("stopped", "no events", 0)
        health_lr = None  # the live learning rate the monitor was told of
        if self.health_every:
            self.health = HealthMonitor(dataset.X_train[:256], config, every=self.health_every)
        for event in trainer.run():
            if recorder is not None:
                recorder.record(event)
                if store_problems:
                    yield RunNotRecorded(store_problems.pop())
                    self.run_id = None
            now = time.perf_counter()
            if isinstance(event, BatchFinished):
                position = event.progress
                if self.health is not None:
                    if self.controls.learning_rate not in (None, health_lr):
                        health_lr = self.controls.learning_rate
                        self.health.set_learning_rate(health_lr)
                    # right after the step: the model's gradients are this batch's
                    fold = trainer.optimizer.folds_learning_rate
                    report = self.health.after_batch(trainer.model, event.loss,
                                                     event.lr if fold else 1.0)
                    if report is not None:
                        yield HealthMeasured(report)
                steps.append(position)
                losses.append(event.loss)
                accuracies.append(event.accuracy)
                # about to wait (paused, a step done): show this batch now, whatever the clock
                waiting = self.controls.will_wait
                if (waiting or now - last_progress >= self.progress_interval
                        or event.batch == event.n_batches):
                    last_progress = now
                    rate = event.samples_done / event.elapsed if event.elapsed > 0 else 0.0
                    yield Progress(
                        event.epoch, config.epochs, event.batch, event.n_batches,
                        np.array(steps), np.array(losses), np.array(accuracies), event.lr, rate,
                        eta_seconds(training_seconds + event.elapsed, event.progress - start,
                                    config.epochs - start),
                    )
                    steps, losses, accuracies = [], [], []
                if waiting or now - last_snapshot >= self.snapshot_interval:
                    last_snapshot = now
                    yield self._snapshot(event.progress)
            elif isinstance(event, EpochFinished):
                training_seconds += event.train_seconds
                yield event
                if self.health is not None:
                    yield HealthFindings(event.epoch,
                                         self.health.after_epoch(event.train_loss, event.val_loss))
                last_snapshot = time.perf_counter()
                yield self._snapshot(float(event.epoch))
                if (
                    time.perf_counter() - last_evaluation >= self.evaluation_interval
                    or event.epoch == event.epochs
                ):
                    yield self._evaluation(dataset, event.epoch)
                    last_evaluation = time.perf_counter()
            elif isinstance(event, TrainingStarted):
                yield event
                if recorder is not None and recorder.recording:
                    yield RunRecorded(recorder.id, parent)
                yield self._snapshot(float(trainer.epochs_done))
            elif isinstance(event, TrainingFinished):
                final = event
        if final.reason != "completed" and position > start:
            # the views should show the model as it ended (mid-epoch too: a run stopped in
            # its first epoch left Mistakes empty), not as of the last evaluation
            yield self._snapshot(position)
            yield self._evaluation(dataset, position)
        yield final
