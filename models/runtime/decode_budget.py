"""One process-wide budget for decoded media in flight: the pixels of images and the samples of recordings.

Each upload is bounded on its own (megapixels, seconds), but not their sum: eight concurrent 49-megapixel PNGs
grew the server by 2.5 GB. Whoever decodes reserves the bytes it is about to hold, from the file's header,
before decoding, and gives them back when done:

    with DECODED.reserve(width * height * 4, "the image"):
        image.load()
        ...

A reservation larger than the whole budget is refused at once; one that does not fit beside the others waits
up to ``wait_s`` for them to finish, then is refused with a message that says so. The size is set by
``python app.py --max-decoded-mb`` (or ``DEMO_MAX_DECODED_MB``). No gradio, no torch: the models' side and the
tabs both use it.

Memory is one cost of a large upload, CPU time the other: decoding a 49-megapixel image or minutes of
8-channel 192 kHz audio takes seconds of a core, and on a small machine that time comes out of everyone's
requests. ``DecodeBudget.decode`` therefore runs the decoding of large uploads (``large_bytes`` or more) in a
background lane: a few threads (half the cores) at a lower CPU priority (``nice`` +10 on Linux), so that while
the machine is busy, small requests go first and a large upload waits for spare CPU; on an idle machine it
runs at full speed:

    image = DECODED.decode(width * height * 4, "the image", lambda: decoded(image))
"""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from models.runtime.errors import InputError

DEFAULT_MB = 1024
DEFAULT_WAIT_S = 10.0
MB = 1024 * 1024
LARGE_BYTES = 64 * MB   # decoding this much or more runs in the background lane (a 6-megapixel photo and up)
LANE_NICE = 10          # how much lower the background lane's CPU priority is (Linux nice; 19 is the lowest)

T = TypeVar("T")


class BudgetError(InputError):
    """Decoding this upload would take more memory than the server allows now."""


class DecodeBudget:
    def __init__(self, max_bytes: int, wait_s: float = DEFAULT_WAIT_S, large_bytes: int = LARGE_BYTES):
        if max_bytes < 1:
            raise ValueError("the decoded-media budget must be at least one byte")
        self.max_bytes = int(max_bytes)
        self.wait_s = wait_s
        self.large_bytes = large_bytes
        self.in_use = 0
        self.peak = 0      # the most bytes reserved at once (for tests and benchmarks)
        self.waits = 0     # reservations that had to wait for others to finish
        self._cv = threading.Condition()

    @contextmanager
    def reserve(self, nbytes: int, what: str) -> Iterator[None]:
        """Hold ``nbytes`` of the budget while the block runs (``what`` names the upload in messages)."""
        nbytes = max(0, int(nbytes))
        if nbytes > self.max_bytes:
            raise BudgetError(f"{what} would take {_mb(nbytes)} of memory decoded; the server allows "
                              f"{_mb(self.max_bytes)}. Send a smaller one")
        deadline = time.monotonic() + self.wait_s
        with self._cv:
            if self.in_use + nbytes > self.max_bytes:
                self.waits += 1
            while self.in_use + nbytes > self.max_bytes:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BudgetError(f"the server is busy decoding other uploads ({_mb(self.in_use)} of "
                                      f"{_mb(self.max_bytes)} in use; {what} needs {_mb(nbytes)}). "
                                      "Try again in a moment")
                self._cv.wait(left)
            self.in_use += nbytes
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._cv:
                self.in_use -= nbytes
                self._cv.notify_all()


    def decode(self, nbytes: int, what: str, work: Callable[[], T]) -> T:
        """``work()`` (which decodes the upload) while ``nbytes`` are reserved; in the background lane when the
        upload is large (``large_bytes`` or more), else in the caller's thread. Its result or error comes back."""
        with self.reserve(nbytes, what):
            if nbytes < self.large_bytes:
                return work()
            return BACKGROUND.run(work)


class BackgroundLane:
    """Threads at a lower CPU priority for work that may wait while the machine is busy. ``run`` blocks its
    caller until the work is done (its result or error comes back), so a request's cost stays in its request."""

    def __init__(self, workers: int | None = None, nice: int = LANE_NICE):
        self.workers = workers or max(1, (os.cpu_count() or 2) // 2)
        self.nice = nice
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[], T]) -> T:
        with self._lock:
            if self._pool is None:  # started on first use: most processes never decode a large upload
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="background-lane",
                                                initializer=self._lower_priority)
        return self._pool.submit(work).result()

    def _lower_priority(self) -> None:
        if sys.platform.startswith("linux"):  # a thread's own nice value (elsewhere it would be the process's)
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
            except OSError:
                pass  # not allowed here: the lane still bounds how many large decodes run at once


BACKGROUND = BackgroundLane()


def _mb(nbytes: int) -> str:
    return f"{nbytes / MB:,.0f} MB" if nbytes >= 10 * MB else f"{nbytes / MB:,.1f} MB"


DECODED = DecodeBudget(DEFAULT_MB * MB)  # the app sets its size at start (app.py --max-decoded-mb)


def configure(max_mb: int, wait_s: float | None = None) -> DecodeBudget:
    """Set the process-wide budget (app start-up: ``--max-decoded-mb``)."""
    with DECODED._cv:
        DECODED.max_bytes = int(max_mb) * MB
        if wait_s is not None:
            DECODED.wait_s = wait_s
        DECODED._cv.notify_all()
    return DECODED
