"""The personal-digits controller: fine-tune the shown model on MNIST plus your digits."""

from __future__ import annotations

import dataclasses

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from ...core.data import load_raw
from ...core.errors import ConfigError
from ...core.evaluation import evaluate_model, evaluate_on_test_set
from ...core.training import TrainConfig, Trainer
from ..text import percent
from .base import Controller

if TYPE_CHECKING:
    pass

FINETUNE_EPOCHS = 1


class PersonalController(Controller):
    """Signal ``finetuned(before, after)``: your digits' accuracy before and after."""

    finetuned = Signal(float, float)

    def finetune(self) -> None:
        """Fine-tune the shown model on MNIST plus your digits (FINETUNE_EPOCHS, off the GUI
        thread) with **its own settings**; the result becomes the current model."""
        window, state = self.window, self.state
        model = state.shown_model
        personal = window.personal_panel
        if model is None or window.is_training:
            window.show_status(self.tr("Fine-tuning needs a model and no run in progress."),
                               "personal")
            return
        if len(personal.digits) == 0:
            window.show_status(self.tr("Draw a few digits and keep them first (\"This is a…\")."),
                               "personal")
            return
        try:
            config = (TrainConfig.from_dict(state.shown_config) if state.shown_config is not None
                      else window.config_panel.config()).updated(epochs=FINETUNE_EPOCHS)
        except (ConfigError, TypeError, ValueError) as exc:
            window.message(self.tr("Cannot fine-tune"), str(exc), "warning", topic="personal")
            return
        base = model.clone()
        digits = personal.digits.snapshot()  # Keep and Remove go on changing the set
        skipped = digits.outside(list(base.classes))
        raw, data_dir = state.raw, state.data_dir
        # worded here, in the GUI thread, for the worker's error
        no_class = self.tr("none of your digits is of a class this model knows ({classes})"
                           ).format(classes=", ".join(map(str, base.classes)))

        def finetune() -> tuple:
            data = raw or load_raw(data_dir)
            X, y = digits.as_test_set(base.classes, base.input_mean, base.input_std)
            if not len(y):
                raise ConfigError(no_class)
            before = evaluate_model(base, X, y).accuracy
            # the model's own classes and input scaling, whatever its settings say of them
            dataset = digits.fine_tuning_set(data, config.data_spec(), base)
            trainer = Trainer(config, dataset, model=base.clone())
            trainer.train()
            tuned = trainer.model
            after = evaluate_model(tuned, X, y).accuracy
            return (data, config, base, tuned, list(trainer.history),
                    evaluate_on_test_set(tuned, data, FINETUNE_EPOCHS), before, after)

        window.files.forget_pending_open()  # a model still loading must not replace the result
        personal.set_can_finetune(False)
        window.show_status(self.tr("Fine-tuning on MNIST and your digits…"), "personal")
        window.jobs.submit("personal.finetune", finetune,
                           on_done=lambda result: self._on_finetuned(result, skipped),
                           on_failed=self._on_failed)

    def _on_finetuned(self, result: tuple, skipped: dict[int, int]) -> None:
        raw, config, base, model, history, evaluation, before, after = result
        state, window = self.state, self.window
        state.set_data(raw, state.data_dir)
        if window.is_training:
            return
        generation = state.begin("tuned", config=config.to_dict())
        state.set_initial_weights(generation, base.W)
        # the trainer's history keeps no weight copies: the last epoch carries the tuned
        # weights, so Weights compares them with the model it started from
        for epoch in history[:-1]:
            state.add_epoch(generation, epoch)
        if history:
            state.add_epoch(generation, dataclasses.replace(history[-1], weights=model.W))
        state.set_model(generation, model, float(len(history)))
        state.set_evaluation(generation, evaluation)
        window.personal_panel.show_accuracy(before, after)
        left_out = ""
        if skipped:
            which = ", ".join(f"{n} × {d}" for d, n in skipped.items())
            left_out = self.tr("; left out (not a class of this model): {digits}").format(
                digits=which)
        window.show_status(self.tr(
            "Fine-tuned: your digits {before} -> {after}, test accuracy {accuracy}{left_out}"
        ).format(before=percent(before, 1), after=percent(after, 1),
                 accuracy=percent(evaluation.report.accuracy), left_out=left_out), "personal")
        self.finetuned.emit(float(before), float(after))

    def _on_failed(self, message: str) -> None:
        self.window.personal_panel.set_can_finetune(
            self.state.shown_model is not None and not self.window.is_training)
        self.window.message(self.tr("Cannot fine-tune"), message, "warning", topic="personal")
