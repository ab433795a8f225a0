"""Dynamic batching and the one-at-a-time gate for accelerator work.

``Gate``: at most N model executions in flight at once, whichever model and tab (two tabs never race for
VRAM). ``MicroBatcher``: requests from different users to the same model and settings that arrive while
the model is busy are grouped into one batched call, sorted by length to limit padding. A lone request
runs at once (no waiting for company), so batching costs a single user nothing.

A batch that fails is retried item by item, so one user's bad input never fails another user's request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable


class Gate:
    """A semaphore that also counts how many holders there are now and at most (for tests and /status)."""

    def __init__(self, slots: int):
        if slots < 1:
            raise ValueError("the gate needs at least one slot")
        self.slots = slots
        self._semaphore = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def __enter__(self):
        self._semaphore.acquire()
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return self

    def __exit__(self, *exc):
        with self._lock:
            self.in_flight -= 1
        self._semaphore.release()
        return False


class GatedRunner:
    """A runner whose model calls, ``runner(...)`` and ``runner.stream(...)``, each hold the gate for that call
    only; everything else (token counts, prompt planning, splitting a long text) runs outside it. A task that
    makes several model calls (map-reduce, batches of sentences) thus lets other tabs' requests in between,
    and no request holds the gate longer than one model call."""

    def __init__(self, runner: Any, gate: Gate):
        self._runner, self._gate = runner, gate

    def __getattr__(self, name: str) -> Any:
        return getattr(self._runner, name)

    def __call__(self, *args, **kwargs) -> Any:
        with self._gate:
            return self._runner(*args, **kwargs)

    def stream(self, *args, **kwargs):
        with self._gate:
            yield from self._runner.stream(*args, **kwargs)


@dataclass
class _Slot:
    item: Any
    finished: bool = False
    result: Any = None
    error: BaseException | None = None


def text_length(item: Any) -> int:
    """Sort key for batching: the length of an input's text (a string, or the strings in a tuple)."""
    if isinstance(item, str):
        return len(item)
    if isinstance(item, (tuple, list)):
        return sum(len(part) for part in item if isinstance(part, str))
    return 0


@dataclass
class MicroBatcher:
    """Groups concurrent calls into batched calls of ``run_batch(list) -> list``."""

    run_batch: Callable[[list], list]
    gate: Gate
    max_batch_size: int = 16
    length: Callable[[Any], int] = text_length
    batches_run: int = 0
    largest_batch: int = 0
    _cv: threading.Condition = field(default_factory=threading.Condition)
    _queue: list[_Slot] = field(default_factory=list)
    _busy: bool = False

    def __call__(self, item: Any) -> Any:
        slot = _Slot(item)
        with self._cv:
            self._queue.append(slot)
            while True:
                while self._busy and not slot.finished:
                    self._cv.wait()
                if slot.finished:
                    break
                # the model is free and this request is still waiting: run the next batch (FIFO) ourselves
                self._busy = True
                batch = self._queue[: self.max_batch_size]
                del self._queue[: self.max_batch_size]
                self._cv.release()
                try:
                    self._execute(batch)
                finally:
                    self._cv.acquire()
                    self._busy = False
                    self._cv.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _execute(self, batch: list[_Slot]) -> None:
        ordered = sorted(batch, key=lambda s: self.length(s.item))
        self.batches_run += 1
        self.largest_batch = max(self.largest_batch, len(ordered))
        try:
            with self.gate:
                results = self.run_batch([s.item for s in ordered])
            if len(results) != len(ordered):
                raise RuntimeError(f"batched call returned {len(results)} results for {len(ordered)} inputs")
            for slot, result in zip(ordered, results):
                slot.result = result
        except BaseException as exc:
            if len(ordered) == 1:
                ordered[0].error = exc
            else:  # find whose input failed: each on its own, so the others still get their answers
                for slot in ordered:
                    try:
                        with self.gate:
                            slot.result = self.run_batch([slot.item])[0]
                    except BaseException as single_exc:
                        slot.error = single_exc
        finally:
            for slot in ordered:
                slot.finished = True


def length_buckets(lengths: list[int], ratio: float = 1.5, slack: int = 8, max_size: int = 32) -> list[list[int]]:
    """Indices grouped into buckets of similar length (shortest first): an input joins the current bucket
    while its length is at most ``ratio`` times the bucket's shortest plus ``slack``, and the bucket has room."""
    buckets: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        current = buckets[-1] if buckets else None
        if current and len(current) < max_size and lengths[i] <= lengths[current[0]] * ratio + slack:
            current.append(i)
        else:
            buckets.append([i])
    return buckets


def batch_key(model_key: str, params: dict) -> Hashable:
    return (model_key, tuple(sorted((k, repr(v)) for k, v in params.items())))
