"""Runner kinds: how an entry loads and runs. Each kind is registered once, in ``models.families.KINDS`` (its
runner class, tiny-twin builders and Ray default together); resolved lazily, so importing this loads nothing
heavy."""

from __future__ import annotations

from models.families import runner_class

__all__ = ["runner_class"]
