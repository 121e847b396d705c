"""The training controller: start, continue, step, pause, stop and the live rate of the one
run, and what its events do (a table of handlers, one per event type).

A ``TrainingSession`` (core/session.py) runs on a ``GeneratorWorker`` in its own QThread, the
only thread that sets BLAS thread limits. What it yields comes back here tagged with the
state generation it belongs to; a late event of a run the views no longer show is dropped.
Views never see the session: the state gets the run's model, evaluations and epochs, Curves
and Health get plain copies of the batches and measurements.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QThread, Signal

from ...core.errors import ConfigError, MnistGuiError
from ...core.evaluation import ModelEvaluation, evaluate_on_test_set
from ...core.health import DEFAULT_EVERY
from ...core.session import (
    DataLoaded,
    HealthFindings,
    HealthMeasured,
    ModelSnapshot,
    Progress,
    RunNotRecorded,
    RunRecorded,
    TrainingSession,
)
from ...core.training import EpochFinished, TrainConfig, TrainingFinished, TrainingStarted
from ..guard import guarded
from ..text import compact
from ..training_bar import EtaDisplay
from ..worker import GeneratorWorker, start_worker
from .base import Controller

if TYPE_CHECKING:
    from ..main_window import MainWindow



#: How often the run reports its batches to the window. Each report repaints the progress
#: bar, the status line and (throttled) the curves on the GUI thread, which competes with the
#: training's BLAS threads for the 2 cores: 10 reports a second cost about a tenth of a
#: core more than 4 (measured per thread while 784-128-10 trained, scripts/bench.py).
PROGRESS_SECONDS = 0.25


def default_blas_threads() -> int | None:
    value = os.environ.get("MNIST_GUI_BLAS_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _tagged(generation: int, events: Iterator[object]) -> Iterator[tuple[int, object]]:
    """Each event of a run with the generation it belongs to, so a late one can be dropped."""
    for event in events:
        yield generation, event


def _once(generation: int, session: TrainingSession) -> Callable[[], Iterator[tuple[int, object]]]:
    """The worker's generator factory, holding the session only until it is called: a
    finished worker is never deleted (its thread's event loop is gone), and a factory that
    kept the session kept its trainer and dataset, about 290 MB per `fast` run."""
    held = [session]

    def events() -> Iterator[tuple[int, object]]:
        return _tagged(generation, held.pop().events())

    return events


class TrainingController(Controller):
    """Signals: ``epoch_finished(EpochFinished)``, ``training_finished(TrainingFinished)``
    (the window is ready for the next run), ``progress_shown(Progress)``,
    ``run_recorded(run_id)``, ``running_changed()`` (started, paused, resumed, ended)."""

    epoch_finished = Signal(object)
    training_finished = Signal(object)
    progress_shown = Signal(object)
    run_recorded = Signal(str)
    running_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.blas_threads = default_blas_threads()
        self._session: TrainingSession | None = None
        self._thread: QThread | None = None
        self._worker: GeneratorWorker | None = None
        self._final: TrainingFinished | None = None
        self._generation = 0
        self.batches_per_epoch = 0
        self.start_epoch = 0  # epochs the run had before it started (a continued run's)
        self.live_run_id: str | None = None  # the recorded run of the live (or last) session
        self._stepping = 0  # batches asked for by the last step, until they have run
        self._eta = EtaDisplay()
        self._handlers: dict[type, Callable[[object], None]] = {
            Progress: self._on_progress,
            ModelSnapshot: self._on_snapshot,
            EpochFinished: self._on_epoch,
            HealthMeasured: lambda e: window.health_panel.show_health(e.report),
            HealthFindings: lambda e: window.health_panel.show_findings(e.findings),
            ModelEvaluation: lambda e: self.state.set_evaluation(self._generation, e),
            TrainingStarted: self._on_started,
            RunRecorded: self._on_recorded,
            RunNotRecorded: lambda e: window.message(
                self.tr("This run is not recorded"),
                self.tr("{problem}. Training goes on; save the model when it ends (File > Save "
                        "model).").format(problem=e.message), "warning", topic="run"),
            TrainingFinished: self._on_finished,
        }

    # ---------------------------------------------------------------------- queries

    @property
    def is_training(self) -> bool:
        return self._thread is not None

    @property
    def has_ended(self) -> bool:
        """The run's last event has come (its thread may still be winding down)."""
        return self._final is not None

    @property
    def is_paused(self) -> bool:
        return self._session is not None and self._session.controls.paused

    @property
    def base_lr(self) -> float | None:
        """The run's learning rate before the schedule (typed in, or its settings')."""
        if self._session is None:
            return None
        live = self._session.controls.learning_rate
        return live if live is not None else self._session.config.lr

    # ---------------------------------------------------------------------- actions

    def start(self, config: TrainConfig, resume_from: tuple[str, int | None] | None = None,
              start_epoch: int = 0, history: list[EpochFinished] | None = None) -> None:
        """A new run (recorded), or the continuation of ``resume_from`` (run id, epoch or
        None for its last) that starts ``start_epoch`` epochs in, after the epochs
        ``history`` (its parents')."""
        window, state = self.window, self.state
        self.start_epoch = int(start_epoch)
        session = TrainingSession(config, state.raw, state.data_dir, store=window.run_store,
                                  resume_from=resume_from, health_every=DEFAULT_EVERY,
                                  progress_interval=PROGRESS_SECONDS)
        window.files.forget_pending_open()  # a model still loading must not replace this run
        self._generation = state.begin("live", config=config.to_dict(), history=history)
        self._session, self._final, self._stepping = session, None, 0
        self._eta = EtaDisplay()
        self._thread, self._worker = start_worker(
            self, _once(self._generation, session), self._on_run_yielded,
            self._on_run_errored, self._on_thread_finished, self.blas_threads)
        self._thread.setObjectName("trainingThread")
        window.show_status(self.tr("Training…"), "run")
        self.running_changed.emit()

    def continue_run(self, run_id: str, epoch: int | None = None, more: int | None = None,
                     default_more: int = 5) -> None:
        """Continue recorded run ``run_id`` from its snapshot of ``epoch`` (None or < 0: its
        last) with **its own settings**; ``more`` epochs past that point (default: to the
        run's own end if it stopped early, else ``default_more``)."""
        window = self.window
        if self.is_training:
            return
        try:
            run = window.run_store.get(run_id)
            if run.damaged:
                raise MnistGuiError(self.tr("run {run} is damaged: {why}").format(
                    run=run_id, why=run.damaged))
            config = TrainConfig.from_dict(run.config).check()
        except (MnistGuiError, TypeError, ValueError) as exc:
            window.message(self.tr("Cannot continue that run"), str(exc), "warning", topic="run")
            return
        at = len(run.epochs) if epoch is None or epoch < 0 else int(epoch)
        if more is not None:
            config = config.updated(epochs=at + max(1, int(more)))
        elif config.epochs <= at:
            config = config.updated(epochs=at + max(1, int(default_more)))
        # the views show the whole way to the branch point: curves, learning history and
        # the epoch count start at epoch 1, not at the run's first new epoch
        history = window.run_store.epoch_history(run_id, at)
        self.start(config, resume_from=(run_id, None if epoch is None or epoch < 0 else at),
                   start_epoch=at, history=history)

    def step(self, batches: int = 1) -> None:
        """While paused, run ``batches`` more batches (then pause again)."""
        if self._session is not None and self._session.controls.paused and batches > 0:
            self._stepping = int(batches)
            self._session.controls.step(int(batches))
            self.window.show_status(self.tr("Stepping %Ln batch(es)…", "", int(batches)), "run")

    def toggle_pause(self) -> None:
        if self._session is None:
            return
        controls = self._session.controls
        if controls.paused:
            controls.resume()
            self._eta = EtaDisplay()  # the pause is not time the run takes
            self.window.show_status(self.tr("Training…"), "run")
        else:
            controls.pause()
            self.window.show_status(self.tr("Paused: press Resume (Ctrl+P) to go on, Stop, or "
                                            "step a batch at a time in Runs"), "run")
        self.running_changed.emit()

    def stop(self) -> None:
        if self._session is not None:
            self._session.controls.stop()
            self.window.show_status(self.tr("Stopping after the current batch…"), "run")

    def set_learning_rate(self, lr: float) -> bool:
        """The run in progress uses ``lr`` (before its schedule) from the next batch."""
        if self._session is None:
            return False
        self._session.controls.set_learning_rate(float(lr))
        return True

    @guarded
    def on_live_rate_entered(self) -> None:
        """A rate typed into the toolbar (Enter): the run uses it from the next batch."""
        edit = self.window.live_lr_edit
        text = edit.text().strip()
        try:
            lr = float(text)
            if not (0 < lr <= 1e4):
                raise ValueError
        except ValueError:
            edit.setStyleSheet("border: 2px solid #d03030;")
            self.window.show_status(self.tr(
                "Learning rate {typed}: expected a number > 0 and at most 10000").format(
                typed=repr(text)), "lr")
            return
        edit.setStyleSheet("")
        if self.set_learning_rate(lr):
            self.window.show_status(self.tr("Learning rate set to {rate} (from the next batch; "
                                            "the schedule still scales it)").format(
                rate=compact(lr, 6)), "lr")

    @guarded
    def apply_fix(self, fix: dict) -> None:
        """A Health finding's fix: into the settings form (the next run uses it); a new
        learning rate also reaches the run in progress at once."""
        window = self.window
        try:
            config = window.config_panel.config().updated(**fix).check()
        except (ConfigError, TypeError, ValueError) as exc:
            window.message(self.tr("Cannot apply that fix"), str(exc), "warning", topic="settings")
            return
        window.config_panel.set_config(config, "custom")
        words = ", ".join(f"{key} = {value}" for key, value in fix.items())
        if set(fix) == {"lr"} and self.set_learning_rate(float(fix["lr"])):
            window.show_status(self.tr("Applied {change} to the run in progress and to the "
                                       "settings").format(change=words), "settings")
        else:
            window.show_status(self.tr("Applied {change} to the settings: press Train to try "
                                       "it").format(change=words), "settings")

    def shutdown(self, timeout_ms: int) -> bool:
        if self._session is not None:
            self._session.controls.stop()
        # quit() here too: the worker's finished -> quit is queued to this (waiting) thread;
        # a QThread told to quit before its event loop starts returns from it at once
        if self._thread is not None:
            self._thread.quit()
            return self._thread.wait(timeout_ms)
        return True

    def eta_text(self, progress: Progress) -> str:
        return self._eta.text(progress.eta_seconds, time.monotonic())

    # ------------------------------------------------------------------- run events

    @guarded
    def _on_run_yielded(self, item: tuple[int, object]) -> None:
        generation, event = item
        if isinstance(event, DataLoaded):
            self.state.set_data(event.raw, self.state.data_dir)  # data is data, whichever run
            return
        if generation != self.state.generation:
            return  # a late event of a run the views no longer show
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _on_progress(self, progress: Progress) -> None:
        self.window.curves_panel.show_progress(progress)
        if self._stepping and self.is_paused:
            self._stepping = 0
            self.window.show_status(self.tr(
                "Paused at epoch {epoch}, batch {batch} of {batches}: step again, Resume (Ctrl+P) "
                "or Stop").format(epoch=progress.epoch, batch=progress.batch,
                                  batches=progress.n_batches), "run")
        self.window.show_progress(progress)
        self.progress_shown.emit(progress)

    def _on_snapshot(self, event: ModelSnapshot) -> None:
        if self._session is None or event.session_id != self._session.id:
            return
        if self.state.initial_weights is None:
            self.state.set_initial_weights(self._generation, event.weights)
        self.state.set_model(self._generation, event.model, event.epoch_progress)

    def _on_epoch(self, event: EpochFinished) -> None:
        if self.state.add_epoch(self._generation, event):
            self.window.runs_panel.refresh_soon()
            self.epoch_finished.emit(event)

    def _on_started(self, event: TrainingStarted) -> None:
        self.batches_per_epoch = event.n_batches
        self.window.show_started(event)
        self.running_changed.emit()

    def _on_recorded(self, event: RunRecorded) -> None:
        self.live_run_id = event.run_id
        self.state.set_run(self._generation, event.run_id)
        self.window.runs_panel.refresh()
        self.run_recorded.emit(event.run_id)

    def _on_finished(self, final: TrainingFinished) -> None:
        self._final = final
        window = self.window
        window.show_finished(final)
        if final.reason == "diverged":
            window.message(self.tr("Training diverged"), final.message, "warning", topic="run")
        elif final.reason == "failed":
            window.message(self.tr("Training failed"), final.message, "critical", topic="run")
        else:
            window.show_status(self._ended_words(final), "run")

    def _ended_words(self, final: TrainingFinished) -> str:
        """A completed or stopped run's end in the language in use (the core words it in
        English, for the CLI): "completed 5 epochs", "stopped during epoch 3"."""
        if final.reason == "completed":
            return self.tr("completed %Ln epoch(s)", "", final.epochs_completed)
        during = final.epochs_completed + 1  # the trainer stops inside the next epoch
        if final.reason == "stopped" and final.message == f"stopped during epoch {during}":
            return self.tr("stopped during epoch {epoch}").format(epoch=during)
        return final.message

    @guarded
    def _on_run_errored(self, message: str) -> None:
        self.window.message(self.tr("Training failed"), message, "critical", topic="run")

    @guarded
    def _on_thread_finished(self) -> None:
        thread, worker = self._thread, self._worker
        self._thread = self._worker = self._session = None
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        final = self._final or TrainingFinished("failed", self.tr("training ended"), 0)
        self._final = None
        # the views that wait for a fixed model take the run's last one now
        self.state.end_run(self._generation, final.reason)
        self._score_unscored_end()
        self.window.runs_panel.refresh()
        self.running_changed.emit()
        # emitted last, when the window is ready for the next run
        self.training_finished.emit(final)

    def _score_unscored_end(self) -> None:
        """A run that failed before its end was scored: score its last model (off the GUI
        thread) so Mistakes never says "train a model" beside a model the Lab edits."""
        state = self.state
        if state.kind != "live" or state.model is None or state.evaluation is not None:
            return
        model, raw, data_dir, generation = state.model.clone(), state.raw, state.data_dir, state.generation
        progress = state.epoch_progress

        def score() -> ModelEvaluation | None:
            from ...core.data import load_raw

            try:
                return evaluate_on_test_set(model, raw or load_raw(data_dir), progress)
            except ConfigError:
                return None

        def done(evaluation: ModelEvaluation | None) -> None:
            if evaluation is not None:
                state.set_evaluation(generation, evaluation)

        self.window.jobs.submit("training.score-end", score, on_done=done)
