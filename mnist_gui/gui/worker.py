"""The bridge between a Qt-free generator and Qt: a worker object living in a QThread.

Follows superqt's ``GeneratorWorker``: the worker iterates a generator in its own thread and
emits every value it yields as ``yielded``; an exception goes out as ``errored`` (a message
for the user); ``finished`` always comes last. What to yield and how often is the
generator's business (``core/session.py``); stopping is the generator's controls' business.
"""

from __future__ import annotations

import traceback
from typing import Callable, Iterator

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.errors import MnistGuiError
from .guard import guarded


class GeneratorWorker(QObject):
    """Runs ``make_generator()`` to the end in the thread it was moved to."""

    yielded = Signal(object)
    errored = Signal(str)
    finished = Signal()

    def __init__(self, make_generator: Callable[[], Iterator[object]], blas_threads: int | None = None) -> None:
        super().__init__()
        self._make_generator = make_generator
        self._blas_threads = blas_threads

    @Slot()
    @guarded
    def run(self) -> None:
        limiter = None
        try:
            if self._blas_threads:
                from threadpoolctl import threadpool_limits

                limiter = threadpool_limits(limits=self._blas_threads, user_api="blas")
            for value in self._make_generator():
                self.yielded.emit(value)
        except MnistGuiError as exc:
            self.errored.emit(str(exc))
        except MemoryError:
            self.errored.emit("out of memory")
        except Exception as exc:  # noqa: BLE001 - a worker must report, never die silently
            traceback.print_exc()
            self.errored.emit(f"unexpected error: {type(exc).__name__}: {exc}")
        finally:
            if limiter is not None:
                limiter.restore_original_limits()
            self.finished.emit()


def start_worker(
    owner: QObject,
    make_generator: Callable[[], Iterator[object]],
    on_yielded: Callable[[object], None],
    on_errored: Callable[[str], None],
    on_thread_finished: Callable[[], None],
    blas_threads: int | None = None,
) -> tuple[QThread, GeneratorWorker]:
    """The superqt wiring in one place: a GeneratorWorker moved to a new QThread owned by
    ``owner``, its signals connected, the thread started. ``on_thread_finished`` runs in the
    GUI thread once the thread has ended (delete the pair there: ``deleteLater`` both)."""
    thread = QThread(owner)
    worker = GeneratorWorker(make_generator, blas_threads)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.yielded.connect(on_yielded)
    worker.errored.connect(on_errored)
    worker.finished.connect(thread.quit)
    thread.finished.connect(on_thread_finished)
    thread.start()
    return thread, worker
