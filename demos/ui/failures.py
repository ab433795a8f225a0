"""Keeping a failure's reason on screen: gradio shows a ``gr.Error`` in a toast that vanishes after seconds and
leaves a bare "Error" badge on the outputs. Here the handler's error is remembered per browser session and tab, and
a browser-only listener writes it into the tab's status line, where it stays until the next run.

API and MCP callers are not affected: they get the error as before. The server log gets one line per such error
instead of gradio's traceback (a ``gr.Error`` is a message for the user; real faults are logged with their
traceback where they are caught, in ``demos.ui.common.reported_failures``).
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from collections import OrderedDict
from typing import Any, Callable

import gradio as gr

log = logging.getLogger(__name__)

MAX_REMEMBERED = 2000  # sessions x tabs whose last error is kept (oldest dropped first)


class LastErrors:
    """The last error message per (browser session, tab), bounded."""

    def __init__(self, capacity: int = MAX_REMEMBERED) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._messages: OrderedDict[tuple[str, str], str] = OrderedDict()

    def remember(self, session: str | None, tab: str, error: gr.Error) -> None:
        message = str(error.message)
        error.print_exception = False  # a message for the user, not a fault: one log line, no traceback
        log.info("%s: %s", tab, message.replace("\n", " ")[:300])
        if not session:
            return
        with self._lock:
            self._messages[(session, tab)] = message
            self._messages.move_to_end((session, tab))
            while len(self._messages) > self.capacity:
                self._messages.popitem(last=False)

    def take(self, session: str | None, tab: str) -> str | None:
        with self._lock:
            return self._messages.pop((session or "", tab), None)


LAST_ERRORS = LastErrors()


def _session() -> str | None:
    from gradio.context import LocalContext  # set by gradio around every call of an event handler

    request = LocalContext.request.get(None)
    return getattr(request, "session_hash", None)


def remembering(fn: Callable, tab: str, errors: LastErrors = LAST_ERRORS) -> Callable:
    """``fn`` (plain or generator; same name, docstring and signature for gradio) that remembers the message of a
    ``gr.Error`` it raises before raising it on."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def remembering_stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except gr.Error as exc:
                errors.remember(_session(), tab, exc)
                raise
        return remembering_stream

    @functools.wraps(fn)
    def remembering_call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error as exc:
            errors.remember(_session(), tab, exc)
            raise
    return remembering_call


def failure_note(message: str) -> str:
    return f"⚠️ {message}"


def status_output(outputs: list) -> Any:
    """The tab's status line among an event's outputs (``demos.ui.common.status_line``), or None."""
    for component in outputs:
        if "status-line" in (getattr(component, "elem_classes", None) or []):
            return component
    return None


def show_failures(event, tab: str, outputs: list, errors: LastErrors = LAST_ERRORS) -> None:
    """When ``event`` fails in a browser, write its reason into the tab's status line (kept until the next run)."""
    status = status_output(outputs)
    if status is None:
        return

    def shown(request: gr.Request) -> str:
        message = errors.take(getattr(request, "session_hash", None), tab)
        return failure_note(message) if message else gr.skip()

    event.failure(shown, None, status, api_visibility="private", queue=False, show_progress="hidden")
