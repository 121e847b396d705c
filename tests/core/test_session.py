"""The Qt-free session the window runs: what it yields, how often, and its controls."""

from __future__ import annotations

import threading

import numpy as np

from mnist_gui.core.evaluation import ModelEvaluation
from mnist_gui.core.session import (
    DataLoaded,
    ModelSnapshot,
    Progress,
    TrainingSession,
    eta_seconds,
)
from mnist_gui.core.training import EpochFinished, TrainConfig, TrainingFinished, TrainingStarted

SMALL = TrainConfig(hidden=[16], epochs=2, batch_size=100, train_subset=1000, validation=200)


def test_a_session_yields_what_a_window_needs_in_order(raw_mnist):
    session = TrainingSession(SMALL, raw_mnist, progress_interval=0.0, snapshot_interval=1e9,
                              evaluation_interval=1e9)
    events = list(session.events())
    kinds = [type(e) for e in events]
    assert kinds[0] is TrainingStarted and kinds[1] is ModelSnapshot
    assert kinds[-1] is TrainingFinished and events[-1].reason == "completed"
    assert kinds.count(EpochFinished) == 2
    # with progress_interval 0, every batch is reported once, with its loss and accuracy
    progress = [e for e in events if isinstance(e, Progress)]
    steps = np.concatenate([p.steps for p in progress])
    np.testing.assert_allclose(steps, np.arange(1, 21) / 10)
    accuracies = np.concatenate([p.accuracies for p in progress])
    assert ((0 <= accuracies) & (accuracies <= 1)).all() and accuracies[-1] > accuracies[0]
    # a snapshot after each epoch; the evaluation after the last one
    snapshots = [e for e in events if isinstance(e, ModelSnapshot)]
    assert [s.epoch_progress for s in snapshots] == [0.0, 1.0, 2.0]
    assert all(s.session_id == session.id for s in snapshots)
    evaluations = [e for e in events if isinstance(e, ModelEvaluation)]
    assert len(evaluations) == 1 and evaluations[0].epoch == 2
    assert len(evaluations[0].images) == len(evaluations[0].report.y_true) == 10_000


def test_snapshots_are_independent_of_the_training_model(raw_mnist):
    session = TrainingSession(SMALL, raw_mnist)
    events = session.events()
    snapshot = next(e for e in events if isinstance(e, ModelSnapshot))
    before = snapshot.model.params.copy()
    list(events)
    np.testing.assert_array_equal(snapshot.model.params, before)
    assert not np.array_equal(session.trainer.model.params, before)


def test_a_session_loads_the_data_itself_when_not_given():
    session = TrainingSession(SMALL.updated(epochs=1))
    events = session.events()
    assert isinstance(next(events), DataLoaded)
    session.controls.stop()
    assert list(events)[-1].reason == "stopped"


def test_stop_from_another_thread_ends_with_the_final_model_evaluated(raw_mnist):
    session = TrainingSession(SMALL.updated(epochs=50), raw_mnist, evaluation_interval=1e9)
    events = []
    for event in session.events():
        events.append(event)
        if isinstance(event, EpochFinished) and event.epoch == 1:
            threading.Thread(target=session.controls.stop).start()
    assert events[-1].reason == "stopped"
    assert isinstance(events[-2], ModelEvaluation) and isinstance(events[-3], ModelSnapshot)


def test_an_invalid_run_fails_with_a_message_instead_of_raising(raw_mnist):
    session = TrainingSession(SMALL.updated(batch_size=5000), raw_mnist)
    events = list(session.events())
    assert len(events) == 1 and events[0].reason == "failed"
    assert "larger than the 1,000 training samples" in events[0].message


def test_eta():
    assert eta_seconds(10.0, 2.0, 5.0) == 15.0
    assert eta_seconds(10.0, 5.0, 5.0) == 0.0
    assert np.isnan(eta_seconds(0.0, 0.0, 5.0))


def test_a_recorded_session_can_be_continued_as_a_branch(raw_mnist, tmp_path):
    from mnist_gui.core.runs import RunStore
    from mnist_gui.core.session import RunRecorded

    store = RunStore(tmp_path)
    first = TrainingSession(SMALL, raw_mnist, store=store, name="base")
    events = list(first.events())
    (recorded,) = [e for e in events if isinstance(e, RunRecorded)]
    assert recorded.run_id == first.run_id and store.get(first.run_id).outcome == "completed"
    branch = TrainingSession(SMALL.updated(epochs=4, lr=0.05), raw_mnist, store=store,
                             resume_from=(first.run_id, 1))
    events = list(branch.events())
    epochs = [e.epoch for e in events if isinstance(e, EpochFinished)]
    assert epochs == [2, 3, 4] and events[-1].reason == "completed"
    snapshots = [e for e in events if isinstance(e, ModelSnapshot)]
    assert snapshots[0].epoch_progress == 1.0
    run = store.get(branch.run_id)
    assert (run.parent, run.parent_epoch) == (first.run_id, 1)
    assert [e["epoch"] for e in run.epochs] == [2, 3, 4]


def test_a_branch_of_a_branch_keeps_the_whole_way_from_epoch_one(raw_mnist, tmp_path):
    """Its learning history (digits.npz) and its epoch history start at epoch 1: the
    parents' epochs up to each branch point, then its own."""
    from mnist_gui.core.runs import RunStore

    store = RunStore(tmp_path)
    first = TrainingSession(SMALL.updated(epochs=3), raw_mnist, store=store)
    first_events = [e for e in first.events() if isinstance(e, EpochFinished)]
    second = TrainingSession(SMALL.updated(epochs=3), raw_mnist, store=store,
                             resume_from=(first.run_id, 2))
    list(second.events())
    third = TrainingSession(SMALL.updated(epochs=5), raw_mnist, store=store,
                            resume_from=(second.run_id, 3))
    third_events = [e for e in third.events() if isinstance(e, EpochFinished)]

    history = store.get(third.run_id).digit_history()
    assert history.epochs.tolist() == [1, 2, 3, 4, 5]
    # epoch 1 and 2 are the first run's (the second branched after its epoch 2)
    np.testing.assert_allclose(history.p_true[0], first_events[0].test_p_true, atol=1e-3)
    np.testing.assert_allclose(history.p_true[1], first_events[1].test_p_true, atol=1e-3)
    np.testing.assert_allclose(history.p_true[4], third_events[-1].test_p_true, atol=1e-3)

    epochs = store.epoch_history(third.run_id, 4)
    assert [e.epoch for e in epochs] == [1, 2, 3, 4]
    assert epochs[0].test_accuracy == first_events[0].test_accuracy
    assert epochs[3].test_accuracy == third_events[0].test_accuracy
    assert all(e.test_p_true is not None for e in epochs)
    assert store.epoch_history("no-such-run") == []


def test_a_step_while_paused_is_shown_at_once_whatever_the_intervals(raw_mnist):
    """Step one batch, then two: each time the loop is about to wait again, the progress and
    a snapshot of that very batch come out (the intervals would hold them back for ever)."""
    import queue

    session = TrainingSession(SMALL, raw_mnist, progress_interval=1e9, snapshot_interval=1e9,
                              evaluation_interval=1e9)
    session.controls.pause()
    events: queue.Queue = queue.Queue()
    thread = threading.Thread(target=lambda: [events.put(e) for e in session.events()])
    thread.start()

    def next_of(kind, timeout=20.0):
        while True:
            event = events.get(timeout=timeout)
            if isinstance(event, kind):
                return event

    try:
        assert next_of(ModelSnapshot).epoch_progress == 0.0  # the untrained model
        session.controls.step(1)
        assert next_of(Progress).batch == 1
        assert next_of(ModelSnapshot).epoch_progress == 0.1
        session.controls.step(2)
        assert next_of(Progress).batch == 3  # the first of the two steps is held back
        assert next_of(ModelSnapshot).epoch_progress == 0.3
    finally:
        session.controls.stop()
        thread.join(20)
    assert not thread.is_alive()
