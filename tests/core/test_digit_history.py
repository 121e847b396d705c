"""Following each test digit's learning: learned at, forgotten, never learned."""

from __future__ import annotations

import numpy as np

from mnist_gui.core.digit_history import (
    FORGOTTEN,
    LEARNED,
    NEVER_LEARNED,
    RELEARNED,
    DigitHistory,
)
from mnist_gui.core.training import EpochFinished, TrainConfig, Trainer


def test_learned_forgotten_and_never_learned_by_hand():
    y = np.array([0, 1, 2, 3])
    # after epochs 1, 2, 3: digit 0 right from epoch 2; digit 1 right, wrong, right;
    # digit 2 never right; digit 3 right at 1 and 2, wrong at 3
    predicted = [np.array([9, 1, 0, 3]), np.array([0, 0, 0, 3]), np.array([0, 1, 1, 0])]
    p_true = [np.full(4, 0.5)] * 3
    history = DigitHistory.from_epochs([1, 2, 3], p_true, predicted, y)
    np.testing.assert_array_equal(history.learned_at, [2, 3, 0, 0])
    np.testing.assert_array_equal(history.forgotten, [False, True, False, True])
    np.testing.assert_array_equal(history.never_learned, [False, False, True, False])
    # digit 1 is right again at the end: not "forgotten", which read as still wrong
    assert list(history.status()) == [LEARNED, RELEARNED, NEVER_LEARNED, FORGOTTEN]


def test_a_run_reports_every_test_digits_probability_of_its_true_class(small_dataset):
    trainer = Trainer(TrainConfig(hidden=[16], epochs=2, batch_size=100), small_dataset)
    epochs = [e for e in trainer.run() if isinstance(e, EpochFinished)]
    y = small_dataset.y_test
    last = epochs[-1]
    probabilities = trainer.model.predict_proba(small_dataset.X_test)
    np.testing.assert_allclose(last.test_p_true, probabilities[np.arange(len(y)), y], rtol=1e-5)
    assert np.mean(last.test_predicted == y) == last.test_accuracy
    assert "test_p_true" not in last.metrics()
    history = DigitHistory.from_epochs([1, 2], [e.test_p_true for e in epochs],
                                       [e.test_predicted for e in epochs], y)
    assert np.mean(history.learned_at > 0) <= last.test_accuracy
    assert history.never_learned.sum() == np.sum(~history.correct.any(axis=0))
