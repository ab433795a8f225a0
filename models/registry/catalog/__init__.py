"""The built-in registry entries, one module per application area.

Adding a model is adding one ``ModelSpec`` to the list of its area; adding an area is adding
a module here and naming it in ``AREAS``.
"""

from __future__ import annotations

from models.registry.catalog import explain, fine_tune, generation, speech, text, vision

AREAS = (text, generation, vision, speech, explain, fine_tune)


def builtin_entries():
    return [spec for area in AREAS for spec in area.ENTRIES]
