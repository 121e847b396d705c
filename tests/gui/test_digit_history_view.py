"""The digit-history view on its own: filters, order, and one digit's curve."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.config import TrainConfig
from mnist_gui.core.digit_history import DigitHistory
from mnist_gui.core.runs import RunStore
from mnist_gui.core.session import TrainingSession
from mnist_gui.gui.panels.digit_history_view import (
    ALL,
    FORGOTTEN,
    HARDEST,
    LATEST,
    LEARNED_AT,
    NEVER_LEARNED,
    DigitHistoryView,
)


@pytest.fixture
def view(qtbot):
    widget = DigitHistoryView()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


def small_history():
    """5 digits over epochs 1-3: #0 right throughout, #1 learned at 2, #2 forgotten,
    #3 never learned, #4 learned at 3."""
    correct = np.array([[1, 0, 1, 0, 0],
                        [1, 1, 0, 0, 0],
                        [1, 1, 1, 0, 1]], bool)
    p_true = np.array([[0.9, 0.2, 0.6, 0.1, 0.3],
                       [0.95, 0.7, 0.4, 0.05, 0.45],
                       [0.99, 0.8, 0.7, 0.02, 0.55]], np.float32)
    return DigitHistory(np.array([1, 2, 3]), p_true, correct)


def test_filters_and_order(view, qtbot):
    images = np.zeros((5, 784), np.uint8)
    with qtbot.waitSignal(view.filter_changed) as blocker:
        view.set_history(small_history(), images, np.array([3, 1, 4, 1, 5]))
    assert blocker.args == [[0, 1, 2, 3, 4]]
    expected = {
        (ALL, None): [0, 1, 2, 3, 4], (LEARNED_AT, 1): [0], (LEARNED_AT, 2): [1],
        (LEARNED_AT, 3): [2, 4], (FORGOTTEN, None): [2], (NEVER_LEARNED, None): [3],
    }
    for (kind, epoch), indices in expected.items():
        with qtbot.waitSignal(view.filter_changed) as blocker:
            view.set_filter(kind, epoch)
        assert blocker.args == [indices] and view.filtered_indices() == indices
        assert view.grid.count() == len(indices)
    view.set_filter(ALL, sort=HARDEST)
    assert view.filtered_indices() == [3, 4, 2, 1, 0]
    view.set_filter(ALL, sort=LATEST)
    assert view.filtered_indices()[:2] == [2, 4]
    # the combo box does the same as set_filter
    with qtbot.waitSignal(view.filter_changed) as blocker:
        view.filter_combo.setCurrentIndex(view.filter_combo.findData(NEVER_LEARNED))
    assert blocker.args == [[3]]


def test_a_digits_curve_is_its_p_true_over_the_run(view, qtbot):
    view.set_history(small_history(), None)
    view.show_digit(2)
    x, y = view.curve.getData()
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_allclose(y, [0.6, 0.4, 0.7], rtol=1e-6)
    assert "#2" in view.digit_label.text() and "forgotten" in view.digit_label.text()
    # clicking a listed digit shows it and says which
    view.set_filter(NEVER_LEARNED)
    with qtbot.waitSignal(view.digit_selected) as blocker:
        view.grid.setCurrentRow(0)
    assert blocker.args == [3]
    np.testing.assert_allclose(view.curve.getData()[1], [0.1, 0.05, 0.02], rtol=1e-6)
    view.show_digit(99)  # out of range: nothing drawn, nothing raised
    x, _ = view.curve.getData()
    assert x is None or len(x) == 0


def test_a_recorded_runs_history(view, qtbot, raw_mnist, tmp_path):
    store = RunStore(tmp_path)
    session = TrainingSession(TrainConfig(hidden=[16], epochs=2, batch_size=100,
                                          train_subset=1000), raw_mnist, store=store)
    assert list(session.events())[-1].reason == "completed"
    history = store.get(session.run_id).digit_history()
    assert history is not None and history.p_true.shape == (2, 10_000)
    with qtbot.waitSignal(view.filter_changed) as blocker:
        view.set_history(history, raw_mnist.test_images, raw_mnist.test_labels)
    assert len(blocker.args[0]) == 10_000 and view.grid.count() == 300
    assert "the first 300 are shown" in view.count_label.text()
    view.set_filter(NEVER_LEARNED)
    never = view.filtered_indices()
    assert never == np.flatnonzero(~history.correct.any(axis=0)).tolist()
    view.show_digit(never[0])
    np.testing.assert_allclose(view.curve.getData()[1], history.p_true[:, never[0]])
    view.set_history(None, None)
    assert view.filtered_indices() == [] and not view.filter_combo.isEnabled()


def test_mismatched_images_are_refused(view):
    with pytest.raises(ValueError, match="5 test digits"):
        view.set_history(small_history(), np.zeros((4, 784), np.uint8))
