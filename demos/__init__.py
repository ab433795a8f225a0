"""The tabs, in the order the app shows them, and the area each belongs to. Adding a tab is adding a module
here and its name to an area.

Each module has NAME (for --demos), TITLE, TASK (the registry task it serves) and build(ctx).
"""

from __future__ import annotations

import importlib

DEMO_MODULES = {
    "text-classification": "demos.text_classification",
    "ner": "demos.ner",
    "qa": "demos.question_answering",
    "summarization": "demos.summarization",
    "translation": "demos.translation",
    "chat": "demos.chat",
    "image-classification": "demos.image_classification",
    "object-detection": "demos.object_detection",
    "image-generation": "demos.image_generation",
    "asr": "demos.speech_recognition",
    "tts": "demos.text_to_speech",
    "attention": "demos.attention",
    "knowledge-graph": "demos.knowledge_graph",
    "fine-tune": "demos.fine_tune",
}

# the navigation groups the tabs by area (demos/layout.py); every tab is in exactly one
AREAS = {
    "text": ("text-classification", "ner", "qa", "summarization", "translation", "chat"),
    "vision": ("image-classification", "object-detection", "image-generation"),
    "audio": ("asr", "tts"),
    "learn": ("attention", "knowledge-graph", "fine-tune"),
}


def areas_of(names: list[str]) -> list[tuple[str, list[str]]]:
    """The areas that have at least one of ``names``, each with its tabs among them, in the order shown."""
    chosen = set(names)
    groups = [(area, [name for name in members if name in chosen]) for area, members in AREAS.items()]
    return [(area, members) for area, members in groups if members]


def load_demos(names: list[str] | None = None) -> list:
    names = names or list(DEMO_MODULES)
    unknown = [n for n in names if n not in DEMO_MODULES]
    if unknown:
        raise ValueError(f"unknown demo(s) {unknown}; choose from {list(DEMO_MODULES)}")
    return [importlib.import_module(DEMO_MODULES[n]) for n in names]
