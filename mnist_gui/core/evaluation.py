"""Scoring a trained model on a labelled set: everything the CLI and the GUI report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import RawMnist, test_set_for
from .errors import ConfigError
from .losses import loss_value
from .metrics import (
    ClassReport,
    Mistakes,
    classification_report,
    confusion_matrix,
    find_mistakes,
    most_uncertain_correct,
)
from .network import MLP


def loss_for(model: MLP) -> str:
    """The loss a model was trained with, from its output layer."""
    if model.output_activation == "softmax":
        return "ce"
    return "bce" if model.is_binary else "mse"


@dataclass
class EvaluationReport:
    """A model's results on one set. probabilities: (N, K), columns in ``classes`` order."""

    classes: list[int]
    loss: float
    accuracy: float
    confusion: np.ndarray  # (K, K), rows true, columns predicted
    report: ClassReport
    probabilities: np.ndarray
    y_true: np.ndarray
    mistakes: Mistakes
    uncertain: Mistakes

    def as_dict(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "loss": self.loss,
            "n": int(len(self.y_true)),
            "n_mistakes": len(self.mistakes),
            "classes": self.classes,
            "confusion_matrix": self.confusion.tolist(),
            "classification_report": self.report.as_dict(),
        }


def evaluate_model(model: MLP, X: np.ndarray, y: np.ndarray, n_uncertain: int = 50) -> EvaluationReport:
    """Score ``model`` on X: (N, D), y: (N,) class indices."""
    z = model.logits(X)
    loss = loss_value(z, y, loss_for(model)) if len(y) else float("nan")
    probabilities = model.probabilities_from_logits(z)
    predicted = model.predicted_index(z)
    k = len(model.classes)
    cm = confusion_matrix(y, predicted, k)
    return EvaluationReport(
        classes=model.classes,
        loss=loss,
        accuracy=float(np.mean(predicted == y)) if len(y) else float("nan"),
        confusion=cm,
        report=classification_report(cm, model.classes),
        probabilities=probabilities,
        y_true=np.asarray(y),
        mistakes=find_mistakes(probabilities, y),
        uncertain=most_uncertain_correct(probabilities, y, n_uncertain),
    )


@dataclass
class ModelEvaluation:
    """What the window shows for one model on the test set: the report, the raw test images
    its rows refer to ((N, D) uint8), and the moment it was taken (epoch; 0 = untrained or a
    file's final weights, whose training epoch is given by ``model_epoch``)."""

    report: EvaluationReport
    images: np.ndarray
    epoch: int
    model_epoch: int | None = None


def evaluate_on_test_set(model: MLP, raw: RawMnist, epoch: int = 0) -> ModelEvaluation:
    """Score ``model`` on the test digits of its classes (raises ConfigError if the model
    takes another input size than the data's images)."""
    if raw.test_images.shape[1] != model.layer_sizes[0]:
        raise ConfigError(
            f"the model takes {model.layer_sizes[0]} inputs, the data's images have "
            f"{raw.test_images.shape[1]} pixels"
        )
    X, y, images = test_set_for(raw, model.classes, model.input_mean, model.input_std)
    return ModelEvaluation(evaluate_model(model, X, y), images, epoch)
