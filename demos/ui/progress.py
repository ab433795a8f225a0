"""Progress a person can trust: a bar that never goes backwards, and text that only grows.

``MonotoneProgress`` wraps a ``gr.Progress`` (or any ``progress(value, desc=...)`` callable, or None): each
report is at least the one before and at most 1, whatever the steps of the work (loading, then running; a plan
that turns out shorter or longer) say. ``last`` is what a generator handler yields when nothing is left to add.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable


class MonotoneProgress:
    def __init__(self, progress: Callable | None):
        self._progress = progress
        self.value = 0.0

    def __call__(self, value: float, desc: str | None = None) -> None:
        if self._progress is None:
            return
        self.value = max(self.value, min(1.0, float(value)))
        self._progress(self.value, desc=desc)


def last(outputs: Iterable[Any]) -> Any:
    """The final output of a generator handler (what an API caller receives)."""
    result = None
    for result in outputs:
        pass
    return result
