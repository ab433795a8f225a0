"""The tabs. Which tabs there are, in what order and area, is the task table (``models/registry/tasks.py``); each row
names the module here that builds its tab, with ``build(ctx)``. A tab module finds its own row with
``TAB = task_of_module(__name__)``.
"""

from __future__ import annotations

import importlib

from models.registry.tasks import NAMES, task_named, unknown_names


def load_demos(names: list[str] | None = None) -> list:
    """The modules of the tabs called ``names`` (all, by default), in the order given."""
    names = names or list(NAMES)
    unknown = unknown_names(names)
    if unknown:
        raise ValueError(f"unknown demo(s) {unknown}; choose from {list(NAMES)}")
    return [importlib.import_module(task_named(name).module) for name in names]
