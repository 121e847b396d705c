"""The moments controller: a run's snapshot chosen on the timeline is shown by every view
(scored on the test set off the GUI thread), the live run going on behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from ...core.data import load_raw
from ...core.errors import ConfigError, MnistGuiError
from ...core.evaluation import ModelEvaluation, evaluate_on_test_set
from ..guard import guarded
from ..panels.runs_panel import Moment, epoch_text
from .base import Controller

if TYPE_CHECKING:
    from ..main_window import MainWindow


class MomentsController(Controller):
    """Signal ``moment_shown(label)`` when the views show a run's snapshot ("" when back to
    live)."""

    moment_shown = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        # (run id, epochs) -> Run.weight_history: one run's at a time, they can be large
        self._weight_history: tuple[tuple, tuple] | None = None

    @guarded
    def show(self, moment: Moment) -> None:
        run = moment.run
        label = self.tr("epoch {epoch} of run {run}").format(epoch=epoch_text(moment.epoch),
                                                             run=run.name or run.id)
        token = self.state.view_moment(label, moment.model, run.config, run, float(moment.epoch))
        model, epoch = moment.model.clone(), int(moment.epoch)
        raw, data_dir = self.state.raw, self.state.data_dir
        key = (run.id, len(run.epochs))  # a run still training has more epochs next time
        known = self._weight_history[1] if (self._weight_history is not None
                                             and self._weight_history[0] == key) else None

        def score() -> tuple:
            data = raw or load_raw(data_dir)
            try:
                evaluation: ModelEvaluation | None = evaluate_on_test_set(model, data, epoch)
            except ConfigError as exc:
                evaluation, why = None, str(exc)
            else:
                why = ""
            # the run's own start and per-epoch changes, for Weights' comparisons
            try:
                whole = known or run.weight_history(float("inf"))
            except MnistGuiError:
                whole = (None, [])
            return token, data, evaluation, why, key, whole, moment.epoch

        self.window.jobs.submit("moments.score", score, on_done=self._on_scored,
                                on_failed=lambda message: self._on_failed(token, message))
        self.window.show_moment_banner()
        self.moment_shown.emit(label)

    def _on_scored(self, result: tuple) -> None:
        token, raw, evaluation, why, key, history, epoch = result
        self.state.set_data(raw, self.state.data_dir)
        self._weight_history = (key, history)
        if not self.state.is_current_moment(token):
            return
        initial, changes = history
        self.state.set_moment_weight_history(
            token, initial, [[(e, r) for e, r in layer if e <= epoch] for layer in changes])
        if evaluation is not None:
            self.state.set_moment_evaluation(token, evaluation)
        else:
            self.state.moment_failed(token, why or self.tr("it could not be scored"))

    def _on_failed(self, token: int, message: str) -> None:
        self.state.moment_failed(token, message)
        self.window.show_status(self.tr("Cannot show that moment: {message}").format(
            message=message), "moment")

    @guarded
    def load_failed(self, message: str) -> None:
        """The timeline could not load a snapshot."""
        self.window.show_status(self.tr("Cannot show that moment: {message}").format(
            message=message), "moment")

    @guarded
    def show_live(self) -> None:
        if self.state.leave_moment():
            self.moment_shown.emit("")
        self.window.show_moment_banner()
