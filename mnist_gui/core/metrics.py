"""Classification metrics: accuracy, confusion matrix, per-class report, mistakes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def relative_change(new: np.ndarray, old: np.ndarray) -> float:
    """How far a weight matrix moved: ||new - old|| / ||old|| (Frobenius; ||old|| = 0 counts
    as 1). The Weights view's per-epoch change, live and from a recorded run alike."""
    return float(np.linalg.norm(new - old)) / (float(np.linalg.norm(old)) or 1.0)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of equal entries of two (N,) arrays (0.0 for N = 0)."""
    return float(np.mean(y_true == y_pred)) if len(y_true) else 0.0


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int64 counts; row = true class, column = predicted class."""
    flat = np.asarray(y_true, np.int64) * n_classes + np.asarray(y_pred, np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


@dataclass
class ClassReport:
    """Per-class precision, recall, F1 and support (each (K,)), plus their averages."""

    classes: list[int]
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    accuracy: float

    @property
    def macro(self) -> tuple[float, float, float]:
        return float(self.precision.mean()), float(self.recall.mean()), float(self.f1.mean())

    @property
    def weighted(self) -> tuple[float, float, float]:
        w = self.support / max(self.support.sum(), 1)
        return (
            float(self.precision @ w),
            float(self.recall @ w),
            float(self.f1 @ w),
        )

    def as_dict(self) -> dict:
        return {
            "classes": self.classes,
            "precision": self.precision.round(4).tolist(),
            "recall": self.recall.round(4).tolist(),
            "f1": self.f1.round(4).tolist(),
            "support": self.support.tolist(),
            "macro_avg": [round(v, 4) for v in self.macro],
            "weighted_avg": [round(v, 4) for v in self.weighted],
        }

    def format(self) -> str:
        """A text table like scikit-learn's classification_report."""
        lines = [f"{'class':>12} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"]
        for c, p, r, f, s in zip(self.classes, self.precision, self.recall, self.f1, self.support):
            lines.append(f"{c:>12} {p:9.4f} {r:9.4f} {f:9.4f} {s:9d}")
        total = int(self.support.sum())
        lines.append("")
        lines.append(f"{'accuracy':>12} {'':>9} {'':>9} {self.accuracy:9.4f} {total:9d}")
        for name, (p, r, f) in (("macro avg", self.macro), ("weighted avg", self.weighted)):
            lines.append(f"{name:>12} {p:9.4f} {r:9.4f} {f:9.4f} {total:9d}")
        return "\n".join(lines)


def classification_report(confusion: np.ndarray, classes: list[int]) -> ClassReport:
    """Precision/recall/F1 per class from a confusion matrix (0 where undefined)."""
    cm = confusion.astype(np.float64)
    tp = np.diag(cm)
    predicted = cm.sum(axis=0)
    actual = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(actual > 0, tp / actual, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    total = cm.sum()
    return ClassReport(
        classes=list(classes),
        precision=precision,
        recall=recall,
        f1=f1,
        support=actual.astype(np.int64),
        accuracy=float(tp.sum() / total) if total else 0.0,
    )


@dataclass
class Mistakes:
    """Misclassified samples, most confident mistake first.

    index: (M,) row in the evaluated set; true/predicted: (M,) class indices;
    confidence: (M,) probability given to the predicted class.
    """

    index: np.ndarray
    true: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray

    def __len__(self) -> int:
        return len(self.index)


def find_mistakes(probabilities: np.ndarray, y_true: np.ndarray) -> Mistakes:
    """All misclassified rows of probabilities (N, K) against y_true (N,)."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    order = np.argsort(-confidence, kind="stable")
    wrong = wrong[order]
    return Mistakes(wrong, y_true[wrong], predicted[wrong], confidence[order])


def most_uncertain_correct(
    probabilities: np.ndarray, y_true: np.ndarray, count: int = 50
) -> Mistakes:
    """The correctly classified rows with the smallest margin between the top two classes."""
    predicted = probabilities.argmax(axis=1)
    right = np.flatnonzero(predicted == y_true)
    top2 = np.sort(probabilities[right], axis=1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    order = np.argsort(margin, kind="stable")[:count]
    rows = right[order]
    return Mistakes(rows, y_true[rows], predicted[rows], probabilities[rows, predicted[rows]])
