"""Example inputs that work offline. See ATTRIBUTION.md for the photos' sources and licenses."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def example_path(name: str) -> str:
    return str(FOLDER / name)
