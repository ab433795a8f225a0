"""Whole numbers from environment variables, read one way everywhere (``app.environment_problem`` checks every
numeric DEMO_ variable at start, so a value that is not a number never gets this far)."""

from __future__ import annotations

import os


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default
