"""The window's one source of truth: the current model, its evaluation and its run.

The current model is either a live snapshot of the run in progress or a model opened from a
file. Every view re-renders from this object when it changes, so no view can show another
model than the others. Each new run or opened file starts a new *generation*; anything
computed for an older generation (a snapshot still queued from a stopped run, a file that
finished loading after the next run started) is refused, so it cannot overwrite the views.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..core.evaluation import ModelEvaluation
from ..core.network import MLP
from ..core.training import EpochFinished


class CurrentModel(QObject):
    """Signal ``changed(what)``: "reset" (another run or file: every view starts over),
    "model" (new weights of the same run), "evaluation" (new test-set results) or
    "epoch" (an epoch of the run ended; ``history`` grew).

    A *moment* (a run's snapshot chosen on the timeline) can be viewed instead of the live
    model: ``shown_model`` / ``shown_evaluation`` are then the moment's, and the live run's
    new weights and evaluations are kept without telling the views (training goes on behind
    it) until ``back_to_live``."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generations = itertools.count(1)
        self.generation = 0
        self.kind = "none"  # "none", "live" (a run's snapshots) or "file"
        self.running = False  # a live model whose run is still going (the window says when not)
        self.path: Path | None = None
        self.model: MLP | None = None
        self.epoch_progress = 0.0  # fractional epochs trained, for a live model
        self.evaluation: ModelEvaluation | None = None
        self.config: dict | None = None  # the TrainConfig dict the model was made with
        self.metrics: dict | None = None  # the last epoch's numbers (saved with the model)
        self.history: list[EpochFinished] = []  # this run's epochs
        self.moment_label: str | None = None  # e.g. "epoch 3 of run X" while viewing one
        self._moment_model: MLP | None = None
        self._moment_evaluation: ModelEvaluation | None = None
        self._moment_token = 0

    # ------------------------------------------------------------------ descriptions

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
    def source(self) -> str:
        """What the current model is, in words."""
        if self.viewing_moment:
            return f"Viewing {self.moment_label}"
        if self.kind == "file" and self.path is not None:
            return f"Loaded model {self.path.name}"
        if self.kind == "tuned":
            return "Fine-tuned on MNIST and your digits"
        if self.kind == "live" and not self.running:
            return f"The last run's model, epoch {self.epoch_progress:g}"
        if self.kind == "live":
            return f"Live model, epoch {self.epoch_progress:.2f}" if self.model else "Run starting"
        return "No model yet: train one or open a saved model."

    @property
    def evaluation_title(self) -> str:
        """Where the shown evaluation comes from, e.g. "Epoch 3" or "model.npz"."""
        if self.viewing_moment:
            return self.moment_label.capitalize() if self._moment_evaluation is not None else ""
        if self.evaluation is None:
            return ""
        if self.kind == "file" and self.path is not None:
            return self.path.name
        return f"Epoch {self.evaluation.epoch}"

    # ---------------------------------------------------------------------- changes

    def begin(self, kind: str, config: dict | None = None, path: str | Path | None = None) -> int:
        """A new run ("live"), file ("file") or fine-tuned model ("tuned"): forget the old model; returns the generation
        that the new one's snapshots and evaluations must carry."""
        self.generation = next(self._generations)
        self.kind = kind
        self.running = kind == "live"
        self.path = Path(path) if path is not None else None
        self.model = None
        self.epoch_progress = 0.0
        self.evaluation = None
        self.config = config
        self.metrics = None
        self.history = []
        self.moment_label = self._moment_model = self._moment_evaluation = None
        self.changed.emit("reset")
        return self.generation

    def set_model(self, generation: int, model: MLP, epoch_progress: float = 0.0) -> bool:
        """The current model's new weights (an independent copy); False if stale."""
        if generation != self.generation:
            return False
        self.model = model
        self.epoch_progress = epoch_progress
        if not self.viewing_moment:
            self.changed.emit("model")
        return True

    def set_evaluation(self, generation: int, evaluation: ModelEvaluation) -> bool:
        if generation != self.generation:
            return False
        self.evaluation = evaluation
        if not self.viewing_moment:
            self.changed.emit("evaluation")
        return True

    def add_epoch(self, generation: int, report: EpochFinished) -> bool:
        if generation != self.generation:
            return False
        self.history.append(report.without_weights())  # the views took the weights from the event
        self.metrics = report.metrics()
        self.changed.emit("epoch")
        return True

    def set_metrics(self, generation: int, metrics: dict | None) -> bool:
        if generation != self.generation:
            return False
        self.metrics = metrics
        return True

    # ---------------------------------------------------------------------- moments

    def view_moment(self, label: str, model: MLP) -> int:
        """Show ``model`` (a run's snapshot) instead of the current model; returns the token
        its evaluation must carry (``set_moment_evaluation``)."""
        self._moment_token += 1
        self.moment_label = label
        self._moment_model = model
        self._moment_evaluation = None
        self.changed.emit("model")
        self.changed.emit("evaluation")
        return self._moment_token

    def set_moment_evaluation(self, token: int, evaluation: ModelEvaluation) -> bool:
        if token != self._moment_token or not self.viewing_moment:
            return False
        self._moment_evaluation = evaluation
        self.changed.emit("evaluation")
        return True

    def is_current_moment(self, token: int) -> bool:
        """Whether ``token`` (from ``view_moment``) is the moment still on view."""
        return self.viewing_moment and token == self._moment_token

    def back_to_live(self) -> bool:
        """Show the current (live or last) model again; False if no moment was viewed."""
        if not self.viewing_moment:
            return False
        self._moment_token += 1
        self.moment_label = self._moment_model = self._moment_evaluation = None
        self.changed.emit("model")
        self.changed.emit("evaluation")
        return True
