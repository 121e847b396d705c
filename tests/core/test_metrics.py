"""Metrics against small cases computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    find_mistakes,
    most_uncertain_correct,
)


def test_confusion_and_report():
    y_true = np.array([0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 0, 2])
    cm = confusion_matrix(y_true, y_pred, 3)
    assert cm.tolist() == [[1, 1, 0], [1, 2, 0], [0, 0, 1]]
    report = classification_report(cm, [0, 1, 2])
    np.testing.assert_allclose(report.precision, [0.5, 2 / 3, 1.0])
    np.testing.assert_allclose(report.recall, [0.5, 2 / 3, 1.0])
    np.testing.assert_allclose(report.f1, [0.5, 2 / 3, 1.0])
    assert report.support.tolist() == [2, 3, 1]
    assert report.accuracy == pytest.approx(4 / 6) == accuracy(y_true, y_pred)
    assert report.weighted[0] == pytest.approx((0.5 * 2 + 2 / 3 * 3 + 1) / 6)
    assert "macro avg" in report.format()


def test_class_never_predicted_has_zero_precision():
    report = classification_report(confusion_matrix(np.array([0, 1]), np.array([0, 0]), 2), [0, 1])
    assert report.precision.tolist() == [0.5, 0.0] and report.f1[1] == 0.0


def test_mistakes_sorted_by_confidence_and_uncertain_correct():
    p = np.array([[0.9, 0.1], [0.3, 0.7], [0.45, 0.55], [0.2, 0.8], [0.51, 0.49]])
    y = np.array([0, 0, 0, 1, 0])
    mistakes = find_mistakes(p, y)
    assert mistakes.index.tolist() == [1, 2]  # 0.7 confident, then 0.55
    assert mistakes.predicted.tolist() == [1, 1] and mistakes.true.tolist() == [0, 0]
    np.testing.assert_allclose(mistakes.confidence, [0.7, 0.55])
    uncertain = most_uncertain_correct(p, y, 2)
    assert uncertain.index.tolist() == [4, 3]
