"""A stand-in for ``gr.Progress`` that records what a handler reports, and the checks a person's eye makes."""

from __future__ import annotations


class ProgressLog:
    def __init__(self):
        self.reports: list[tuple[float, str]] = []

    def __call__(self, value, desc=None):
        self.reports.append((value, desc or ""))

    @property
    def values(self) -> list[float]:
        return [value for value, _ in self.reports]

    def assert_monotone(self, end: float | None = 1.0) -> None:
        """The bar never goes backwards, and (when ``end`` is given) it ends there."""
        values = self.values
        assert values, "no progress was reported"
        backwards = [(a, b) for a, b in zip(values, values[1:]) if b < a]
        assert not backwards, f"the progress went backwards: {backwards[:3]} in {self.reports}"
        if end is not None:
            assert values[-1] == end, self.reports


def assert_grows(texts: list[str]) -> None:
    """Streamed text only grows: each output starts with the one before (what was shown is never replaced)."""
    for before, after in zip(texts, texts[1:]):
        assert after.startswith(before), f"shown text was replaced:\n{before!r}\n->\n{after!r}"
