"""Waiting for an event in tests: the timeout is an upper bound that fails loudly, never a guess at how long
something takes."""

from __future__ import annotations

import time
from typing import Callable

# The upper bound on one piece of model work a test waits for through the app (a tiny training, a call answered
# by a server that is busy): seconds on an idle machine, minutes with both cores busy; only a failing test waits
# this long.
BOUND_S = 600


def wait_until(condition: Callable[[], object], timeout: float = 60.0, what: str = "the condition",
               interval: float = 0.005) -> None:
    """Return as soon as ``condition()`` is true (looked at every ``interval`` seconds); raise AssertionError if it
    is still false after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)
