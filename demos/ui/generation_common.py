"""What the generation tabs share: streaming a model call, stopping it, and checking generation settings.

``stream_model`` is the streaming twin of ``demos.ui.common.run_model``: it acquires the model through the
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

from demos.ui.common import DemoContext, acquire_model, check_choice, check_number, reported_failures, status_head
from models.runtime.batching import GatedRunner
from models.registry.spec import ModelSpec


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
    Each model call ``generate`` makes holds the model gate for that call (``GatedRunner``), so generation
    never races other tabs for the GPU, and a task of several calls lets other tabs in between them."""
    acquired = acquire_model(ctx, spec, progress)
    started = time.perf_counter()
    head = status_head(ctx, spec, acquired)
    with reported_failures(spec):
        for item in generate(GatedRunner(acquired.runner, ctx.manager.gate)):
            yield item, f"{head} · {time.perf_counter() - started:.1f} s"


# --- checks of generation settings: shared with every tab (``demos.ui.common``), imported here for the old names
__all__ = ["STOPS", "StopSignals", "check_choice", "check_number", "stream_model"]
