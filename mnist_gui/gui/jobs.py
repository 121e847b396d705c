"""One service for the window's background work (superqt's worker set, napari's
``await_workers``): submit, latest-only, cancel, is-busy, and a shutdown that waits.

Every slow call off the GUI thread goes through ``Jobs.submit(key, function, *args, ...)``:

- **latest-only per key.** A job submitted under a key that is already running replaces any
  waiting one and cancels the running one: a slider dragged over ten snapshots asks for ten
  loads, the user wants the last. Results of a replaced or cancelled job are dropped.
- **cancel checked between yields.** ``function`` may be a generator function: each value it
  yields is progress (``on_progress``), its ``return`` value is the result, and a cancelled
  job is closed at its next yield. A plain function runs to its end (its result is dropped).
  ``should_stop=True`` also passes ``should_stop()`` to the function, for loops that do not
  yield (building an index).
- **callbacks never raise into Qt.** ``on_done(result)``, ``on_failed(message)`` and
  ``on_progress(value)`` run on the GUI thread, each through ``call_guarded``.
- **threads are owned here.** Helpers never set BLAS thread limits (threadpoolctl's limits
  are process-wide: a helper setting one BLAS thread dropped a training run to one core). Only
  the training worker sets them (``worker.start_worker(..., blas_threads=...)``).
"""

from __future__ import annotations

import inspect
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from .guard import call_guarded, guarded
from .worker import GeneratorWorker, start_worker


class _Progress:
    """A value a job yielded on its way (not its result)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class _Result:
    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


@dataclass
class _Job:
    key: str
    number: int
    function: Callable[..., Any]
    args: tuple
    on_done: Callable[[Any], None] | None
    on_failed: Callable[[str], None] | None
    on_progress: Callable[[Any], None] | None
    should_stop: bool
    on_ended: Callable[[], None] | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    thread: QThread | None = None
    worker: GeneratorWorker | None = None

    def events(self):  # noqa: ANN201 - an iterator of _Progress then one _Result
        """Runs in the job's thread."""
        kwargs = {"should_stop": self.cancelled.is_set} if self.should_stop else {}
        out = self.function(*self.args, **kwargs)
        if not inspect.isgenerator(out):
            yield _Result(out)
            return
        try:
            while True:
                if self.cancelled.is_set():
                    return
                yield _Progress(next(out))
        except StopIteration as stop:
            yield _Result(stop.value)
        finally:
            out.close()


class Jobs(QObject):
    """The window's background jobs. Signal ``idle()`` when the last job has ended."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._numbers = itertools.count(1)
        self._running: dict[str, _Job] = {}
        self._waiting: dict[str, _Job] = {}
        self._closing = False
        #: ``(where, exception)`` -> None: shows a callback's unexpected error (the window's
        #: ``show_unexpected_error``); without one it is only logged
        self.error_sink: Callable[[str, BaseException], None] | None = None

    # ---------------------------------------------------------------------- public

    def submit(self, key: str, function: Callable[..., Any], *args: Any,
               on_done: Callable[[Any], None] | None = None,
               on_failed: Callable[[str], None] | None = None,
               on_progress: Callable[[Any], None] | None = None,
               on_ended: Callable[[], None] | None = None,
               should_stop: bool = False) -> int:
        """Run ``function(*args)`` off the GUI thread as the latest job of ``key``; returns
        its number. ``on_ended()`` follows its end however it ended (cancelled too). Arguments are handed over as they are: pass copies of anything the GUI
        thread may change (a model that trains on, an array a view edits)."""
        if self._closing:
            return 0
        job = _Job(key, next(self._numbers), function, args, on_done, on_failed, on_progress,
                   should_stop, on_ended)
        self._waiting[key] = job
        running = self._running.get(key)
        if running is not None:
            running.cancelled.set()
        else:
            self._start(key)
        return job.number

    def cancel(self, key: str) -> None:
        """Forget ``key``'s waiting job and cancel its running one (its result is dropped)."""
        self._waiting.pop(key, None)
        running = self._running.get(key)
        if running is not None:
            running.cancelled.set()

    def cancel_prefix(self, prefix: str) -> None:
        """Cancel every job whose key starts with ``prefix`` (e.g. one view's jobs)."""
        for key in {*self._waiting, *self._running}:
            if key.startswith(prefix):
                self.cancel(key)

    def is_busy(self, prefix: str = "") -> bool:
        """Whether a job whose key starts with ``prefix`` is waiting or running."""
        return any(k.startswith(prefix) for k in (*self._waiting, *self._running))

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """No new jobs; cancel all and wait for their threads. True if none is left running."""
        self._closing = True
        self._waiting.clear()
        ok = True
        for job in self._running.values():
            job.cancelled.set()
        for job in list(self._running.values()):
            if job.thread is not None:
                job.thread.quit()
                ok = job.thread.wait(timeout_ms) and ok
        return ok

    # -------------------------------------------------------------------- internals

    def _start(self, key: str) -> None:
        job = self._waiting.pop(key, None)
        if job is None or self._closing:
            return
        self._running[key] = job
        # plain closures would run in the worker's thread: bound methods of this QObject
        # are queued to the GUI thread
        relay = _Relay(self, job)
        job.thread, job.worker = start_worker(
            relay, job.events, relay.on_yielded, relay.on_errored, relay.on_thread_finished)
        job.thread.setObjectName(f"job:{key}")

    def _yielded(self, job: _Job, item: object) -> None:
        if job.cancelled.is_set() or self._closing:
            return
        if isinstance(item, _Progress):
            if job.on_progress is not None:
                call_guarded(self, job.on_progress, item.value)
        elif isinstance(item, _Result) and job.on_done is not None:
            call_guarded(self, job.on_done, item.value)

    def _errored(self, job: _Job, message: str) -> None:
        if job.cancelled.is_set() or self._closing:
            return
        if job.on_failed is not None:
            call_guarded(self, job.on_failed, message)

    def _thread_finished(self, job: _Job, relay: QObject) -> None:
        if self._running.get(job.key) is job:
            del self._running[job.key]
        if job.worker is not None:
            job.worker.deleteLater()
        if job.thread is not None:
            job.thread.deleteLater()
        relay.deleteLater()
        job.thread = job.worker = None
        job.function, job.args = None, ()  # type: ignore[assignment] - drop what it held
        if job.on_ended is not None and not self._closing:
            call_guarded(self, job.on_ended)
        self._start(job.key)
        if not self.is_busy():
            self.idle.emit()

    def show_unexpected_error(self, where: str, exc: BaseException) -> None:
        """Where a callback's error goes (``guard.report_unexpected``): the window's."""
        if self.error_sink is not None:
            self.error_sink(where, exc)


class _Relay(QObject):
    """One job's slots in the GUI thread (a QObject, so Qt queues the worker's signals)."""

    def __init__(self, jobs: Jobs, job: _Job) -> None:
        super().__init__(jobs)
        self._jobs, self._job = jobs, job

    def show_unexpected_error(self, where: str, exc: BaseException) -> None:
        self._jobs.show_unexpected_error(where, exc)

    @guarded
    def on_yielded(self, item: object) -> None:
        self._jobs._yielded(self._job, item)

    @guarded
    def on_errored(self, message: str) -> None:
        self._jobs._errored(self._job, message)

    @guarded
    def on_thread_finished(self) -> None:
        self._jobs._thread_finished(self._job, self)


class JobChannel(QObject):
    """One key of a ``Jobs`` service as a latest-only queue with signals: ``submit`` runs
    the latest call, ``succeeded(result)`` / ``failed(message)`` for it, nothing for the
    calls it replaced."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, jobs: Jobs, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self.key = jobs, key

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        self._jobs.submit(self.key, function, *args, on_done=self.succeeded.emit,
                          on_failed=self.failed.emit)

    def cancel(self) -> None:
        self._jobs.cancel(self.key)

    def is_busy(self) -> bool:
        return self._jobs.is_busy(self.key)


def panel_jobs(panel: QObject, jobs: Jobs | None) -> tuple[Jobs, bool]:
    """The jobs service a panel uses: the window's, or (a panel on its own, in a test or a
    script) one of its own; and whether it owns it (then its ``shutdown`` waits for it)."""
    if jobs is not None:
        return jobs, False
    return Jobs(panel), True
