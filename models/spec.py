"""What a registry entry is: plain, frozen data that names a checkpoint and how to run it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

KEY_PATTERN = re.compile(r"^[a-z0-9-]+/[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class TinyRecipe:
    """How to build an entry's tiny offline twin.

    builder: a name in ``models.tiny.BUILDERS`` (one per model family).
    options: family-specific settings (model_type, labels, casing, ...).
    """

    builder: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSpec:
    """One model the app can serve.

    key:        "<task>/<short-name>", unique; shown in the tab's model dropdown.
    task:       which demo uses it (a transformers task name where one exists).
    checkpoint: a Hugging Face Hub id, or a local folder (operator's models file only).
    revision:   a commit hash where it was confirmed, else "main".
    runner:     a name in ``models.runners.RUNNERS``: how it loads and runs.
    params:     the runner's defaults (thresholds, window sizes, ...).
    tiny:       recipe for the offline twin used by the ``tiny`` profile and the tests.
    """

    key: str
    task: str
    checkpoint: str
    runner: str
    revision: str = "main"
    params: Mapping[str, Any] = field(default_factory=dict)
    tiny: TinyRecipe | None = None
    license: str = "unknown"
    languages: tuple[str, ...] = ()
    size: str = ""
    description: str = ""

    @property
    def name(self) -> str:
        return self.key.split("/", 1)[1]

    def card(self) -> str:
        """A one-line model card for the UI."""
        parts = [f"`{self.checkpoint}`"]
        if self.size:
            parts.append(self.size)
        parts.append(f"license {self.license}")
        if self.languages:
            parts.append("languages " + ", ".join(self.languages))
        line = " · ".join(parts)
        return f"{line} — {self.description}" if self.description else line
