"""The tasks the app shows, one row each, in the order of its tabs: the one place the tab list is written.

Everything that lists tabs derives from ``TASKS``: ``python app.py --demos``, the tabs' modules and their titles
in English and Chinese, the areas of the navigation, the Spaces front matter (tags, preloaded checkpoints),
``python -m models download`` and ``ray-config``, and the tests. Adding a tab is adding a row here, its module
under ``demos/`` and its registry entries (``models/catalog``). Plain data: no gradio, no torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One tab of the app.

    name:     the tab's name: ``--demos NAME``, the link ``/?tab=NAME``, ``python -m models download NAME``.
    area:     the navigation group it belongs to (a key of ``AREAS``).
    task:     the registry task its models serve (``ModelSpec.task``; a transformers task name where one exists).
    title:    its title in English, and in Chinese (``title_zh``).
    module:   the module under ``demos/`` that builds its tab (``build(ctx)``).
    hub_tag:  its task is a Hugging Face task tag, listed in the Spaces front matter's tags.
    """

    name: str
    area: str
    task: str
    title: str
    title_zh: str
    module: str
    hub_tag: bool = True


AREAS = ("text", "vision", "audio", "learn")  # the navigation's order

TASKS = (
    Task("text-classification", "text", "text-classification", "Text classification", "文本分类",
         "demos.text_classification"),
    Task("ner", "text", "token-classification", "Named entities", "命名实体识别", "demos.ner"),
    Task("qa", "text", "question-answering", "Question answering", "问答", "demos.question_answering"),
    Task("summarization", "text", "summarization", "Summarization", "文本摘要", "demos.summarization"),
    Task("translation", "text", "translation", "Translation", "翻译", "demos.translation"),
    Task("chat", "text", "chat", "Chat", "对话", "demos.chat"),
    Task("image-classification", "vision", "image-classification", "Image classification", "图像分类",
         "demos.image_classification"),
    Task("object-detection", "vision", "object-detection", "Object detection", "目标检测", "demos.object_detection"),
    Task("image-generation", "vision", "text-to-image", "Image generation", "图像生成", "demos.image_generation"),
    Task("asr", "audio", "automatic-speech-recognition", "Speech recognition", "语音识别",
         "demos.speech_recognition"),
    Task("tts", "audio", "text-to-speech", "Text to speech", "语音合成", "demos.text_to_speech"),
    Task("attention", "learn", "attention", "Attention explorer", "注意力可视化", "demos.attention", hub_tag=False),
    Task("knowledge-graph", "learn", "knowledge-graph", "Knowledge graph", "知识图谱", "demos.knowledge_graph",
         hub_tag=False),
    Task("fine-tune", "learn", "fine-tune", "Fine-tune a classifier", "微调分类器", "demos.fine_tune",
         hub_tag=False),
)

BY_NAME = {row.name: row for row in TASKS}
NAMES = tuple(BY_NAME)


def task_named(name: str) -> Task:
    """The row of the tab called ``name``, or a ValueError that lists the names there are."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown tab {name!r}; choose from {', '.join(NAMES)}") from None


def task_of_module(module: str) -> Task:
    """The row of the tab that ``module`` (a tab module's ``__name__``) builds."""
    return next(row for row in TASKS if row.module == module)


def unknown_names(names) -> list[str]:
    return [name for name in names if name not in BY_NAME]


def areas_of(names) -> list[tuple[str, list[str]]]:
    """The areas that have at least one of ``names``, each with its tabs among them, in the order shown."""
    chosen = set(names)
    groups = [(area, [row.name for row in TASKS if row.area == area and row.name in chosen]) for area in AREAS]
    return [(area, members) for area, members in groups if members]
