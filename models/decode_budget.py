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
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

from models.errors import InputError

DEFAULT_MB = 1024
DEFAULT_WAIT_S = 10.0
MB = 1024 * 1024


class BudgetError(InputError):
    """Decoding this upload would take more memory than the server allows now."""


class DecodeBudget:
    def __init__(self, max_bytes: int, wait_s: float = DEFAULT_WAIT_S):
        if max_bytes < 1:
            raise ValueError("the decoded-media budget must be at least one byte")
        self.max_bytes = int(max_bytes)
        self.wait_s = wait_s
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
