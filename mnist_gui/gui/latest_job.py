"""One slow call at a time in a background thread, where only the latest request matters.

A slider dragged over ten snapshots asks for ten model loads; the user wants the last one.
``LatestJob.submit(function, *args)`` runs ``function(*args)`` on a ``GeneratorWorker`` in
its own QThread; a request made while one runs replaces any waiting one, and a result is
emitted (``succeeded``) only if no newer request was made since: stale results are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from .worker import GeneratorWorker, call_once, start_worker


class LatestJob(QObject):
    """Runs the latest submitted call off the GUI thread; ``succeeded(result)`` or
    ``failed(message)`` for it, nothing for the calls it replaced."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._submitted = 0  # number of the latest request
        self._waiting: tuple[int, Callable[..., Any], tuple] | None = None
        self._running: tuple[QThread, GeneratorWorker, int] | None = None
        self._closing = False

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        if self._closing:
            return
        self._submitted += 1
        self._waiting = (self._submitted, function, args)
        self._start_waiting()

    def cancel(self) -> None:
        """Forget the waiting request and drop the running one's result."""
        self._submitted += 1
        self._waiting = None

    def is_busy(self) -> bool:
        return self._running is not None or self._waiting is not None

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """No new work; wait for the running call. True if nothing is left running."""
        self._closing = True
        self._waiting = None
        if self._running is None:
            return True
        thread = self._running[0]
        thread.quit()
        return thread.wait(timeout_ms)

    def _start_waiting(self) -> None:
        if self._running is not None or self._waiting is None or self._closing:
            return
        number, function, args = self._waiting
        self._waiting = None
        thread, worker = start_worker(
            self, call_once(function, *args), self._on_worker_yielded, self._on_worker_errored,
            self._on_thread_finished, blas_threads=1)
        self._running = (thread, worker, number)

    def _is_current(self) -> bool:
        return (self._running is not None and self._running[2] == self._submitted
                and not self._closing)

    def _on_worker_yielded(self, value: object) -> None:
        if self._is_current():
            self.succeeded.emit(value)

    def _on_worker_errored(self, message: str) -> None:
        if self._is_current():
            self.failed.emit(message)

    def _on_thread_finished(self) -> None:
        if self._running is None:
            return
        thread, worker, _ = self._running
        self._running = None
        worker.deleteLater()
        thread.deleteLater()
        self._start_waiting()
