"""What the generation tabs share: streaming a model call, stopping it, and checking generation settings.

``stream_model`` is the streaming twin of ``demos.common.run_model``: it acquires the model through the
manager (loading it on first use), then yields what the model produces, turning every failure into a
``gr.Error``. ``StopSignals`` lets a Stop button reach the generation it belongs to: each running request
holds a ``threading.Event`` keyed by its browser session and tab; the button sets it, the runner's stopping
criterion sees it within one decoding step, and the worker thread ends.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import gradio as gr

from demos.common import DemoContext, acquire_model, reported_failures, status_head
from models.spec import ModelSpec


class StopSignals:
    """One stop flag per (browser session, tab) while a generation runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[tuple[str, str], threading.Event] = {}

    @contextmanager
    def running(self, request: gr.Request | None, tab: str) -> Iterator[threading.Event]:
        event = threading.Event()
        key = (_session(request), tab)
        with self._lock:
            self._events[key] = event
        try:
            yield event
        finally:
            with self._lock:
                if self._events.get(key) is event:
                    del self._events[key]

    def stop(self, request: gr.Request | None, tab: str) -> bool:
        with self._lock:
            event = self._events.get((_session(request), tab))
        if event is None:
            return False
        event.set()
        return True


STOPS = StopSignals()


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "no-session"


def stream_model(ctx: DemoContext, spec: ModelSpec, generate: Callable[[Any], Iterator[Any]],
                 progress: gr.Progress | None = None) -> Iterator[tuple[Any, str]]:
    """Yield ``(item, status line)`` for each item ``generate(runner)`` produces; failures become gr.Error.
    The model gate is held for the whole stream, so generation never races other tabs for the GPU."""
    acquired = acquire_model(ctx, spec, progress)
    started = time.perf_counter()
    head = status_head(ctx, spec, acquired)
    with reported_failures(spec), ctx.manager.gate:
        for item in generate(acquired.runner):
            yield item, f"{head} · {time.perf_counter() - started:.1f} s"


# --- checks of generation settings -------------------------------------------------------------------

def check_number(value: Any, name: str, low: float, high: float, integer: bool = False) -> float | int:
    """A number within [low, high], or a gr.Error that names the allowed range."""
    kind = "a whole number" if integer else "a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise gr.Error(f"{name} must be {kind} between {low:g} and {high:g}, not {str(value)[:40]!r}.") from None
    if number != number or not low <= number <= high or (integer and number != int(number)):
        raise gr.Error(f"{name} must be {kind} between {low:g} and {high:g}, not {value}.")
    return int(number) if integer else number


def check_choice(value: Any, name: str, allowed: list[str] | dict) -> str:
    if value not in allowed:
        raise gr.Error(f"{name} {str(value)[:60]!r} is not available here. Choose one of: "
                       f"{', '.join(map(str, allowed))}.")
    return value

