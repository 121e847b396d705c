"""The window's one source of truth: the shown model, its evaluation, settings, data and run.

The current model is a live snapshot of the run in progress, the last run's model, a model
opened from a file or one fine-tuned on your digits; a *moment* (a run's snapshot chosen on
the timeline) can be viewed in its place. Views bind themselves to this object (gui/views.py)
and re-render from it when a change they follow happens, so no view can show another model
than the others. The state changes only through its own methods, each emitting one typed
``Change``. Each new run or opened file starts a new *generation*; anything computed for an
older one (a snapshot still queued from a stopped run, a file that finished loading after the
next run started) is refused, so it cannot overwrite the views.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..core.data import RawMnist
from ..core.evaluation import ModelEvaluation
from ..core.metrics import relative_change
from ..core.network import MLP
from ..core.training import EpochFinished


class Change(str, enum.Enum):
    """What changed in the state (a view's ``follows`` is a set of these)."""

    RESET = "reset"  # another run, file or fine-tuned model: every view starts over
    MODEL = "model"  # the shown model's weights (a snapshot, a moment, back to live)
    EVALUATION = "evaluation"  # the shown model's test results (or that scoring failed)
    EPOCH = "epoch"  # an epoch of the run ended: ``history`` grew
    ENDED = "ended"  # the live run ended: its last model is fixed now
    DATA = "data"  # another data set (File > Open data folder), the model re-scored on it


class CurrentModel(QObject):
    """Signal ``changed(Change)``.

    ``shown_*`` are what the views show: the viewed moment's, else the current model's. The
    live run's new weights and evaluations go on arriving under a moment and are kept
    without telling the views until ``leave_moment``."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generations = itertools.count(1)
        self.generation = 0
        self.kind = "none"  # "none", "live" (a run's snapshots), "file" or "tuned"
        self.path: Path | None = None
        self.model: MLP | None = None
        self.epoch_progress = 0.0  # fractional epochs trained, for a live model
        self.evaluation: ModelEvaluation | None = None
        self.config: dict | None = None  # the TrainConfig dict the model was made with
        self.metrics: dict | None = None  # the last epoch's numbers (saved with the model)
        #: this run's epochs (a file's: none), without their weight copies: a long run kept
        #: every epoch's weights here before (5 MB an epoch for the largest preset)
        self.history: list[EpochFinished] = []
        #: the run's initial weights (None: unknown) and, per layer, (epoch, ||dW|| / ||W||)
        self.initial_weights: list[np.ndarray] | None = None
        self.weight_changes: list[list[tuple[int, float]]] = []
        self._last_epoch_weights: list[np.ndarray] | None = None
        self.run_id: str | None = None  # the recorded run of a live model
        self.outcome = ""  # how the live run ended ("completed", "stopped", ...); "" running
        self.raw: RawMnist | None = None  # the data in use (None until read)
        self.data_dir: str | None = None  # its folder (None: the bundled MNIST)
        self.moment_label: str | None = None  # e.g. "epoch 3 of run X" while viewing one
        self.moment_error = ""  # why the viewed moment could not be scored
        self._moment_model: MLP | None = None
        self._moment_evaluation: ModelEvaluation | None = None
        self._moment_config: dict | None = None
        self._moment_weights: tuple[list[np.ndarray] | None, list[list[tuple[int, float]]]] = (None, [])
        self.moment_run: object | None = None  # the core.runs.Run whose moment is viewed
        self._moment_epoch: float | None = None
        self._moment_token = 0

    # ------------------------------------------------------------------ descriptions

    @property
    def running(self) -> bool:
        """A live model whose run is still going."""
        return self.kind == "live" and not self.outcome

    @property
    def following_live_run(self) -> bool:
        """The views follow a run in progress (not a moment, a file or an ended run)."""
        return self.running and not self.viewing_moment

    @property
    def viewing_moment(self) -> bool:
        return self.moment_label is not None

    @property
    def shown_model(self) -> MLP | None:
        """The model the views show: the viewed moment's, else the current one."""
        return self._moment_model if self.viewing_moment else self.model

    @property
    def shown_evaluation(self) -> ModelEvaluation | None:
        return self._moment_evaluation if self.viewing_moment else self.evaluation

    @property
    def shown_config(self) -> dict | None:
        """The settings the shown model was made with (a moment's are its run's)."""
        return self._moment_config if self.viewing_moment else self.config

    @property
    def shown_epoch(self) -> float | None:
        """Epochs the shown model had trained (None: unknown, e.g. a file)."""
        if self.viewing_moment:
            return self._moment_epoch
        if self.kind == "live":
            return float(len(self.history)) if not self.running else self.epoch_progress
        return None

    @property
    def shown_weight_history(self) -> tuple[list[np.ndarray] | None, list[list[tuple[int, float]]]]:
        """(initial weights or None, per layer (epoch, relative change)) of the shown
        model's run, up to the shown epoch."""
        if self.viewing_moment:
            return self._moment_weights
        return self.initial_weights, self.weight_changes

    @property
    def source(self) -> str:
        """What the shown model is, in words (a sentence)."""
        if self.viewing_moment:
            return f"Viewing {self.moment_label}"
        if self.kind == "file" and self.path is not None:
            return f"Loaded model {self.path.name}"
        if self.kind == "tuned":
            data = "MNIST" if self.data_dir is None else "the data in use"
            return f"Fine-tuned on {data} and your digits"
        if self.kind == "live" and not self.running:
            return f"The last run's model, epoch {epoch_number(self.epoch_progress)}"
        if self.kind == "live":
            return f"Live model, epoch {self.epoch_progress:.2f}" if self.model else "Run starting"
        return "No model yet: train one or open a saved model."

    @property
    def caption(self) -> str:
        """Which model the views show, short: "Live run, epoch 2 of 5", "model.npz"."""
        if self.viewing_moment:
            return self.moment_label.capitalize()
        if self.kind == "live":
            total = self.config.get("epochs") if isinstance(self.config, dict) else None
            of = f" of {total}" if total else ""
            # the epochs trained (a continued run's count from its parent's, a stopped one's
            # fraction too), not the epochs this session recorded
            epoch = epoch_number(self.epoch_progress)
            if self.running:
                return f"Live run, epoch {epoch}{of}"
            return f"Last run, epoch {epoch}{of}"
        if self.kind == "file" and self.path is not None:
            return self.path.name
        if self.kind == "tuned":
            return "Fine-tuned on your digits"
        return ""

    @property
    def evaluation_title(self) -> str:
        """Where the shown evaluation comes from, e.g. "Epoch 3" or "model.npz"."""
        if self.viewing_moment:
            return self.moment_label.capitalize() if self._moment_evaluation is not None else ""
        if self.evaluation is None:
            return ""
        if self.kind == "file" and self.path is not None:
            return self.path.name
        if self.kind == "tuned":
            return "Fine-tuned on your digits"
        return f"Epoch {epoch_number(self.evaluation.epoch)}"

    # ---------------------------------------------------------------------- changes

    def begin(self, kind: str, config: dict | None = None, path: str | Path | None = None,
              history: list[EpochFinished] | None = None) -> int:
        """A new run ("live"), file ("file") or fine-tuned model ("tuned"): forget the old
        model; returns the generation that the new one's snapshots and evaluations must
        carry. ``history``: the epochs the new model already has (a fine-tuned run's)."""
        self.generation = next(self._generations)
        self.kind = kind
        self.outcome = ""
        self.path = Path(path) if path is not None else None
        self.model = None
        self.epoch_progress = 0.0
        self.evaluation = None
        self.config = config
        self.metrics = None
        self.history = [_without_weights(e) for e in history or []]
        self.initial_weights = None
        self.weight_changes = []
        self._last_epoch_weights = None
        self.run_id = None
        self._forget_moment()
        self.changed.emit(Change.RESET)
        return self.generation

    def set_model(self, generation: int, model: MLP, epoch_progress: float = 0.0) -> bool:
        """The current model's new weights (an independent copy); False if stale."""
        if generation != self.generation:
            return False
        self.model = model
        self.epoch_progress = epoch_progress
        if not self.viewing_moment:
            self.changed.emit(Change.MODEL)
        return True

    def set_evaluation(self, generation: int, evaluation: ModelEvaluation) -> bool:
        if generation != self.generation:
            return False
        self.evaluation = evaluation
        if not self.viewing_moment:
            self.changed.emit(Change.EVALUATION)
        return True

    def set_initial_weights(self, generation: int, weights: list[np.ndarray]) -> bool:
        """The run's weights before its first batch (copies): the reference of Weights'
        histogram and of the first epoch's change."""
        if generation != self.generation:
            return False
        self.initial_weights = [np.array(W, copy=True) for W in weights]
        self._last_epoch_weights = self.initial_weights
        return True

    def add_epoch(self, generation: int, report: EpochFinished) -> bool:
        """An epoch ended; its weights (if sent) give each layer's relative change and are
        then dropped: only the latest epoch's are kept."""
        if generation != self.generation:
            return False
        weights = report.weights
        if weights is not None:
            previous = self._last_epoch_weights
            if len(self.weight_changes) != len(weights):
                self.weight_changes = [[] for _ in weights]
            if previous is not None and len(previous) == len(weights):
                for layer, (new, old) in enumerate(zip(weights, previous)):
                    self.weight_changes[layer].append((report.epoch, relative_change(new, old)))
            self._last_epoch_weights = weights
        self.history.append(_without_weights(report))
        self.metrics = report.metrics()
        self.changed.emit(Change.EPOCH)
        return True

    def set_metrics(self, generation: int, metrics: dict | None) -> bool:
        if generation != self.generation:
            return False
        self.metrics = dict(metrics) if isinstance(metrics, dict) else None
        return True

    def set_run(self, generation: int, run_id: str) -> bool:
        """The run store keeps the live run as ``run_id``."""
        if generation != self.generation:
            return False
        self.run_id = run_id
        return True

    def end_run(self, generation: int, outcome: str) -> bool:
        """The live run ended (``outcome``: "completed", "stopped", "diverged", "failed"):
        its last model is the fixed current model now."""
        if generation != self.generation or self.kind != "live" or self.outcome:
            return False
        self.outcome = outcome or "ended"
        if self.metrics is not None:
            self.metrics = {**self.metrics, "reason": self.outcome}
        self.changed.emit(Change.ENDED)
        return True

    def set_data(self, raw: RawMnist, data_dir: str | None, generation: int | None = None,
                 evaluation: ModelEvaluation | None = None) -> bool:
        """The data in use. Another data set (File > Open data folder) tells every view
        (``Change.DATA``), with the current model's ``evaluation`` on it when given (for
        ``generation``). The same data read again by another job changes nothing."""
        if raw is self.raw:
            return False
        self.raw, self.data_dir = raw, data_dir
        scored = evaluation is not None and generation == self.generation and not self.running
        if scored:
            self.evaluation = evaluation
        self.changed.emit(Change.DATA)
        if scored and not self.viewing_moment:
            self.changed.emit(Change.EVALUATION)
        return True

    # ---------------------------------------------------------------------- moments

    def view_moment(self, label: str, model: MLP, config: dict | None = None,
                    run: object | None = None, epoch: float | None = None) -> int:
        """Show ``model`` (a run's snapshot, with that run's settings) instead of the current
        model; returns the token its evaluation must carry (``set_moment_evaluation``)."""
        self._moment_token += 1
        self.moment_label = label
        self.moment_error = ""
        self._moment_model = model
        self._moment_evaluation = None
        self._moment_config = dict(config) if isinstance(config, dict) else None
        self.moment_run = run
        self._moment_epoch = epoch
        self._moment_weights = (None, [])
        self.changed.emit(Change.MODEL)
        self.changed.emit(Change.EVALUATION)
        return self._moment_token

    def set_moment_evaluation(self, token: int, evaluation: ModelEvaluation) -> bool:
        if not self.is_current_moment(token):
            return False
        self._moment_evaluation = evaluation
        self.changed.emit(Change.EVALUATION)
        return True

    def set_moment_weight_history(self, token: int, initial: list[np.ndarray] | None,
                                  changes: list[list[tuple[int, float]]]) -> bool:
        """The viewed moment's run's initial weights and per-epoch changes (up to it)."""
        if not self.is_current_moment(token):
            return False
        self._moment_weights = (initial, [list(c) for c in changes])
        self.changed.emit(Change.MODEL)
        return True

    def moment_failed(self, token: int, message: str) -> bool:
        """The viewed moment could not be scored: views say why instead of waiting."""
        if not self.is_current_moment(token):
            return False
        self.moment_error = message or "it could not be scored"
        self.changed.emit(Change.EVALUATION)
        return True

    @property
    def moment_token(self) -> int | None:
        """The token of the moment on view (None: none is viewed)."""
        return self._moment_token if self.viewing_moment else None

    def is_current_moment(self, token: int) -> bool:
        """Whether ``token`` (from ``view_moment``) is the moment still on view."""
        return self.viewing_moment and token == self._moment_token

    def leave_moment(self) -> bool:
        """Show the current (live or last) model again; False if no moment was viewed."""
        if not self.viewing_moment:
            return False
        self._forget_moment()
        self.changed.emit(Change.MODEL)
        self.changed.emit(Change.EVALUATION)
        return True

    def _forget_moment(self) -> None:
        self._moment_token += 1
        self.moment_label = self._moment_model = self._moment_evaluation = None
        self._moment_config = self._moment_epoch = None
        self.moment_run = None
        self._moment_weights = (None, [])
        self.moment_error = ""


def _without_weights(report: EpochFinished) -> EpochFinished:
    if report.weights is None and report.biases is None:
        return report
    return dataclasses.replace(report, weights=None, biases=None)


def epoch_number(epoch: float) -> str:
    """An epoch count as people say it: "3", or "2.5" for a run stopped mid-epoch."""
    value = float(epoch)
    return str(int(value)) if value.is_integer() else f"{value:.1f}"
