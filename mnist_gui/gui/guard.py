"""Slots that cannot raise: an unexpected error is reported once, never repeated per epoch.

An exception escaping a Qt slot is not harmless (pyqtgraph raising in a slot on every
snapshot ended in a segfault in shiboken). ``guarded`` wraps a slot so that such an error
goes to the log once and to the window's status bar (``report_unexpected``), and the app
keeps running.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QWidget

log = logging.getLogger("mnist_gui.gui")

F = TypeVar("F", bound=Callable[..., Any])


def guarded(method: F) -> F:
    """Decorate a method used as a slot: exceptions are reported, not raised. Extra signal
    arguments the method does not take are dropped (as Qt does for plain slots)."""
    parameters = list(inspect.signature(method).parameters.values())[1:]
    takes_any = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    n_positional = sum(
        p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for p in parameters
    )

    @functools.wraps(method)
    def slot(self, *args):
        try:
            return method(self, *(args if takes_any else args[:n_positional]))
        except Exception as exc:  # noqa: BLE001 - a slot must never raise into Qt
            report_unexpected(self, method.__qualname__, exc)
            return None

    return slot  # type: ignore[return-value]


def call_guarded(owner: object, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, reporting an exception like ``guarded`` does (None then): one
    view's failure must not keep the others from updating."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001
        report_unexpected(owner, getattr(function, "__qualname__", repr(function)), exc)
        return None


def report_unexpected(owner: object, where: str, exc: BaseException) -> None:
    """Log ``exc`` once per (where, kind, text) and show it where the user looks.

    The window (``owner.window()`` for a widget) shows it if it has
    ``show_unexpected_error``; the de-duplication is kept on that object."""
    target = owner.window() if isinstance(owner, QWidget) else owner
    key = (where, type(exc).__name__, str(exc))
    seen = target.__dict__.setdefault("_unexpected_errors_seen", set())
    if key in seen:
        return
    seen.add(key)
    log.error("unexpected error in %s", where, exc_info=(type(exc), exc, exc.__traceback__))
    show = getattr(target, "show_unexpected_error", None)
    if callable(show):
        show(where, exc)
