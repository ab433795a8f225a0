"""The tasks the app shows, one row each, in the order of its tabs: the one place the tab list is written, and the
place where each task says which model families (runner kinds, ``models.families``) serve it and how.

Everything that lists tabs derives from ``TASKS``: ``python app.py --demos``, the tabs' modules and their titles
in English and Chinese, the areas of the navigation, the Spaces front matter (tags, preloaded checkpoints),
``python -m models download`` and ``ray-config``, which kinds a registry entry of the task may name, what its
runner is told, and the tests. Adding a tab is adding a row here, its folder under ``demos/`` and its registry
entries (``models/catalog``). Plain data: no gradio, no torch.

A kind knows no task. A row lists the kinds that serve its task and, where a kind can do several things, how the
task runs on it (as diffusers' ``AUTO_TEXT2IMAGE_PIPELINES_MAPPING`` says, per task, which pipeline each model
family takes), in a ``Use``:

- ``mode``: which of the kind's ways of running the task takes, in the kind's own words: what the ``pipeline``
  and ``image-pipeline`` runners return ("labels", "entities", "boxes"; "output": the pipeline's own output, for
  a task that reads it itself), what script the ``seq2seq`` and ``chat`` runners write ("summarize": the whole
  text at once, "translate": sentence by sentence); "" where the kind has one way only;
- ``pipeline_task``: the transformers pipeline a pipeline-built kind creates;
- ``instruction``: the prompt a conversational kind is given (``Kind.conversation``), the task's own wording:
  for "summarize" ``(text, max_new_tokens)``, for "translate" ``(text, source, target)``;
- ``snippet``: the tab shows a "Show the code" script for it (``models.code_snippets``): True for the kind's own
  template (its runner module's ``code_snippet``), or "module:function" for a template of the task's own, in its
  folder, where the task does more than its kind's script shows.

``mode`` and ``pipeline_task`` reach the runner as parameters under the entry's own (``runner_spec``); the code
scripts get the whole ``Use``. A registry entry must name a kind that serves its task (``models.registry``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Mapping

from models.text.generation_tasks import summary_prompt, translation_instruction
from models.registry.spec import ModelSpec


@dataclass(frozen=True)
class Use:
    mode: str = ""
    pipeline_task: str = ""
    instruction: Callable[..., str] | None = None
    snippet: bool | str = True


@dataclass(frozen=True)
class Task:
    """One tab of the app.

    name:     the tab's name: ``--demos NAME``, the link ``/?tab=NAME``, ``python -m models download NAME``.
    area:     the navigation group it belongs to (a key of ``AREAS``).
    task:     the registry task its models serve (``ModelSpec.task``; a transformers task name where one exists).
    title:    its title in English, and in Chinese (``title_zh``).
    module:   the module under ``demos/`` that builds its tab (``build(ctx)``).
    uses:     the runner kinds that serve the task, each with how the task runs on it.
    hub_tag:  its task is a Hugging Face task tag, listed in the Spaces front matter's tags.
    """

    name: str
    area: str
    task: str
    title: str
    title_zh: str
    module: str
    uses: Mapping[str, Use]
    hub_tag: bool = True


AREAS = ("text", "vision", "audio", "learn")  # the navigation's order

TASKS = (
    Task("text-classification", "text", "text-classification", "Text classification", "文本分类",
         "demos.text_classification.tab", {"pipeline": Use("labels", "text-classification")}),
    Task("ner", "text", "token-classification", "Named entities", "命名实体识别", "demos.ner.tab",
         {"pipeline": Use("entities", "token-classification")}),
    Task("qa", "text", "question-answering", "Question answering", "问答", "demos.question_answering.tab",
         {"extractive-qa": Use()}),
    Task("summarization", "text", "summarization", "Summarization", "文本摘要", "demos.summarization.tab",
         {"seq2seq": Use("summarize"), "chat": Use("summarize", instruction=summary_prompt)}),
    Task("translation", "text", "translation", "Translation", "翻译", "demos.translation.tab",
         {"seq2seq": Use("translate"), "chat": Use("translate", instruction=translation_instruction)}),
    Task("chat", "text", "chat", "Chat", "对话", "demos.chat.tab", {"chat": Use()}),
    Task("image-classification", "vision", "image-classification", "Image classification", "图像分类",
         "demos.image_classification.tab", {"image-pipeline": Use("labels", "image-classification"), "timm": Use()}),
    Task("object-detection", "vision", "object-detection", "Object detection", "目标检测", "demos.object_detection.tab",
         {"image-pipeline": Use("boxes", "object-detection")}),
    Task("image-generation", "vision", "text-to-image", "Image generation", "图像生成", "demos.image_generation.tab",
         {"diffusers": Use()}),
    Task("asr", "audio", "automatic-speech-recognition", "Speech recognition", "语音识别",
         "demos.speech_recognition.tab", {"speech-recognition": Use()}),
    Task("tts", "audio", "text-to-speech", "Text to speech", "语音合成", "demos.text_to_speech.tab",
         {"vits-tts": Use(), "bark-tts": Use()}),
    Task("attention", "learn", "attention", "Attention explorer", "注意力可视化", "demos.attention.tab",
         {"attention": Use()}, hub_tag=False),
    Task("fill-mask", "learn", "fill-mask", "Fill in the blank", "完形填空", "demos.fill_mask.tab",
         {"pipeline": Use("output", "fill-mask", snippet="demos.fill_mask.snippet:code_snippet")}),
    # no scripts yet: the knowledge graph's (a strict triple parser) and fine-tuning's (a training loop) are to write
    Task("knowledge-graph", "learn", "knowledge-graph", "Knowledge graph", "知识图谱", "demos.knowledge_graph.tab",
         {"relation-extraction": Use(snippet=False), "chat": Use(snippet=False)}, hub_tag=False),
    Task("fine-tune", "learn", "fine-tune", "Fine-tune a classifier", "微调分类器", "demos.fine_tune.tab",
         {"fine-tune": Use(snippet=False)}, hub_tag=False),
)

BY_NAME = {row.name: row for row in TASKS}
NAMES = tuple(BY_NAME)
TASK_KINDS: Mapping[str, Mapping[str, Use]] = {row.task: row.uses for row in TASKS}  # registry task -> its kinds
TASKS_WITHOUT_SNIPPETS = frozenset(task for task, uses in TASK_KINDS.items()
                                   if not any(use.snippet for use in uses.values()))


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


# --- how an entry's task runs on its kind ---------------------------------------------------------------------

def use_problem(task: str, runner: str) -> str | None:
    """Why an entry of ``task`` cannot run on the kind ``runner``, or None."""
    if task not in TASK_KINDS:
        return f"task {task!r} is not one of {sorted(TASK_KINDS)}"
    if runner not in TASK_KINDS[task]:
        return f"runner {runner!r} does not serve task {task!r}; it runs on {', '.join(sorted(TASK_KINDS[task]))}"
    return None


def use_of(spec: ModelSpec) -> Use:
    """How the entry's task runs on its kind (a ValueError says which kinds serve the task)."""
    problem = use_problem(spec.task, spec.runner)
    if problem:
        raise ValueError(f"{spec.key}: {problem}")
    return TASK_KINDS[spec.task][spec.runner]


def runner_spec(spec: ModelSpec) -> ModelSpec:
    """The entry as its runner is given it: the task's ``mode`` and ``pipeline_task`` for this kind as parameters,
    under the entry's own."""
    use = use_of(spec)
    given = {name: value for name, value in (("mode", use.mode), ("pipeline_task", use.pipeline_task)) if value}
    return dataclasses.replace(spec, params={**given, **spec.params}) if given else spec
