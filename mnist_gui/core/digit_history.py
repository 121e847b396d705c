"""Every test digit's learning over a run: when it was learned, forgotten or never learned.

Built from what each epoch's evaluation gives per digit (``EpochFinished.test_p_true`` and
``test_predicted``): ``p_true`` (E, N) the probability of the true class after each of E
epochs, ``correct`` (E, N) whether the prediction was right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: what ``DigitHistory.status`` says of a digit
LEARNED, FORGOTTEN, NEVER_LEARNED = "learned", "forgotten", "never learned"
RELEARNED = "forgotten, then learned again"


@dataclass
class DigitHistory:
    """epochs: (E,) the epoch numbers; p_true: (E, N) float32; correct: (E, N) bool."""

    epochs: np.ndarray
    p_true: np.ndarray
    correct: np.ndarray

    @classmethod
    def from_epochs(cls, epochs: list[int], p_true: list[np.ndarray], predicted: list[np.ndarray],
                    y_true: np.ndarray) -> DigitHistory:
        p = np.array(p_true, np.float32).reshape(len(epochs), len(y_true))
        correct = np.array(predicted).reshape(len(epochs), len(y_true)) == np.asarray(y_true)
        return cls(np.asarray(epochs, np.int64), p, correct)

    @property
    def learned_at(self) -> np.ndarray:
        """(N,) the epoch after which each digit stayed right to the end (0: never)."""
        if len(self.epochs) == 0:
            return np.zeros(self.correct.shape[1], np.int64)
        # the last epoch at which it was wrong; learned from the epoch after
        wrong = ~self.correct
        last_wrong = np.where(wrong.any(axis=0), len(self.epochs) - 1 - np.argmax(wrong[::-1], axis=0), -1)
        learned = last_wrong + 1  # index of the first epoch of the final right streak
        return np.where(learned < len(self.epochs), self.epochs[np.minimum(learned, len(self.epochs) - 1)], 0)

    @property
    def forgotten(self) -> np.ndarray:
        """(N,) bool: right at some epoch, wrong at a later one."""
        ever_right_before = np.logical_or.accumulate(self.correct, axis=0)[:-1]
        return (ever_right_before & ~self.correct[1:]).any(axis=0)

    @property
    def never_learned(self) -> np.ndarray:
        """(N,) bool: never right at any epoch."""
        return ~self.correct.any(axis=0)

    def status(self) -> np.ndarray:
        """(N,) object array for each digit: "learned", "never learned", "forgotten" (wrong
        at the last epoch after being right) or "forgotten, then learned again" (right at
        the last epoch: calling it forgotten read as if it were still wrong)."""
        out = np.full(self.correct.shape[1], LEARNED, dtype=object)
        out[self.never_learned] = NEVER_LEARNED
        forgotten = self.forgotten
        right_now = self.correct[-1] if len(self.correct) else np.zeros(len(out), bool)
        out[forgotten & ~right_now] = FORGOTTEN
        out[forgotten & right_now] = RELEARNED
        return out
