"""The Hugging Face Spaces front matter of README.md, generated from the registry.

Spaces reads a YAML block at the very top of README.md (keys as in the Hub's "Spaces Configuration
Reference": sdk, sdk_version, python_version, app_file, suggested_hardware, license, short_description,
tags, preload_from_hub). ``python -m models spaces-header --write`` rewrites that block; the tests fail
when README.md and the registry disagree. No gradio import: the gradio version is read from the
installed package's metadata.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from models.registry import Registry, builtin_registry
from models.registry.tasks import TASKS, task_named

README = Path(__file__).resolve().parents[2] / "README.md"


TITLE = "Transformer demo suite"
SHORT_DESCRIPTION = "Try the main applications of Transformer models"  # Spaces allows at most 60 characters
PYTHON_VERSION = "3.12"
# image generation and whisper-large want a GPU with room for two models; a T4 (16 GB) runs the defaults.
# "t4-small" is a hardware flavor named in the Spaces configuration reference (suggested_hardware)
SUGGESTED_HARDWARE = "t4-small"
LICENSE = "apache-2.0"  # the suite's own code; each model keeps its own license (see the tabs' model cards)
TAGS = ("transformers", "gradio", *(row.task for row in TASKS if row.hub_tag))

_BLOCK = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def default_checkpoints(registry: Registry | None = None, tabs: list[str] | None = None) -> list[str]:
    """Each selected tab's default checkpoint (hub ids, first use order, no duplicates)."""
    registry = registry or builtin_registry()
    checkpoints = []
    for row in [task_named(tab) for tab in tabs] if tabs else TASKS:
        if registry.for_task(row.task):
            checkpoints.append(registry.default_for(row.task).checkpoint)
    return list(dict.fromkeys(checkpoints))


def gradio_version() -> str:
    return metadata.version("gradio")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter(registry: Registry | None = None) -> str:
    """The YAML block, '---' lines included."""
    lines = [
        "---",
        f"title: {TITLE}",
        "emoji: 🤗",
        "colorFrom: indigo",
        "colorTo: purple",
        "sdk: gradio",
        f"sdk_version: {gradio_version()}",
        f"python_version: {_quote(PYTHON_VERSION)}",
        "app_file: app.py",
        "pinned: false",
        f"suggested_hardware: {SUGGESTED_HARDWARE}",
        f"license: {LICENSE}",
        f"short_description: {_quote(SHORT_DESCRIPTION)}",
        "tags:",
        *(f"  - {tag}" for tag in TAGS),
        "preload_from_hub:",
        *(f"  - {checkpoint}" for checkpoint in default_checkpoints(registry)),
        "---",
    ]
    return "\n".join(lines) + "\n"


def readme_front_matter(text: str) -> str | None:
    match = _BLOCK.match(text)
    return match.group(0) if match else None


def with_front_matter(text: str, block: str) -> str:
    """README text with its front matter replaced (or added at the top)."""
    if readme_front_matter(text) is not None:
        return _BLOCK.sub(lambda _: block, text, count=1)
    return block + "\n" + text


def write_readme(path: Path = README, registry: Registry | None = None) -> bool:
    """Rewrites the README's front matter; True when it changed."""
    text = path.read_text(encoding="utf-8")
    updated = with_front_matter(text, front_matter(registry))
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text
