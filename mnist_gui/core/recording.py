"""Recording a run without letting the run store stop the training.

A run store that is a file, read-only or full must not cost the run nor its ``--save``
model: ``GuardedRecorder`` starts the store's recorder and feeds it the trainer's events,
and on the first failure to write (an OSError, or a ModelFileError the model writer made of
one) it warns once, through the caller's ``warn``, and records nothing more. Recording is a
convenience; the training is the work.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import ModelFileError
from .runs import RunStoreError

#: What a store that cannot be written raises (ModelFileError wraps a snapshot's OSError;
#: RunStoreError the OSError of creating the run's folder).
STORE_WRITE_ERRORS = (OSError, ModelFileError, RunStoreError)


class GuardedRecorder:
    """``start()`` -> a recorder (``RunStore.start``); ``record(event)`` for each event."""

    def __init__(self, start: Callable[[], Any], where: Any, warn: Callable[[str], None]) -> None:
        self._where = where
        self._warn = warn
        self.recorder: Any = None
        self.problem: str | None = None
        try:
            self.recorder = start()
        except STORE_WRITE_ERRORS as exc:
            self._give_up(exc)

    @property
    def id(self) -> str | None:
        """The recorded run's id; None if it could not be recorded."""
        return self.recorder.id if self.recording else None

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.problem is None

    def record(self, event: object) -> None:
        self._attempt(lambda: self.recorder.record(event))

    def finish(self, outcome: str) -> None:
        self._attempt(lambda: self.recorder.finish(outcome))

    def _attempt(self, write: Callable[[], object]) -> None:
        """``write()`` while recording; the first store error ends the recording."""
        if not self.recording:
            return
        try:
            write()
        except STORE_WRITE_ERRORS as exc:
            self._give_up(exc)

    def _give_up(self, exc: BaseException) -> None:
        if self.problem is not None:
            return
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        self.problem = (f"the run store {self._where} cannot be written ({reason}); training "
                        "goes on without recording this run")
        # what was recorded stays as it is: once this process ends, the run lists as
        # interrupted after its last recorded epoch
        self._warn(self.problem)
