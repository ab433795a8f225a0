"""The tabs, in the order the app shows them. Adding a tab is adding a module here.

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


def load_demos(names: list[str] | None = None) -> list:
    names = names or list(DEMO_MODULES)
    unknown = [n for n in names if n not in DEMO_MODULES]
    if unknown:
        raise ValueError(f"unknown demo(s) {unknown}; choose from {list(DEMO_MODULES)}")
    return [importlib.import_module(DEMO_MODULES[n]) for n in names]
