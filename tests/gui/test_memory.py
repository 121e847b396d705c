"""What the window lets go of: memory checked by counting what stays alive, never by time.

scripts/bench_memory.py measures the same scenario in MB (RSS after each step)."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QObject

from mnist_gui.core.session import TrainingSession
from mnist_gui.gui.worker import start_worker

from .helpers import quick_settings

TRAIN_TIMEOUT = 120_000


class _Payload:
    """Stands for what a job's generator holds (a run's session, trainer and dataset)."""


def test_a_finished_worker_is_deleted_and_lets_go_of_what_it_ran(qtbot):
    owner = QObject()
    payload = _Payload()
    alive = weakref.ref(payload)
    results = []

    def on_finished() -> None:  # what every owner does once the thread has ended
        worker.deleteLater()
        thread.deleteLater()

    thread, worker = start_worker(owner, lambda held=payload: iter([held is not None]),
                                  results.append, results.append, on_finished)
    del payload
    with qtbot.waitSignal(worker.destroyed, timeout=10_000):
        pass  # a worker left in its finished thread was never deleted
    gc.collect()
    assert results == [True]
    assert alive() is None


def test_runs_that_ended_leave_no_session_behind(window, qtbot):
    """Each run's session holds its trainer and dataset (over 200 MB for full MNIST): after
    two runs none is alive (each was kept by its never-deleted worker)."""
    quick_settings(window, epochs=1, subset=1000)
    for _ in range(2):
        with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT):
            window.start_training()
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, TrainingSession)] == []
