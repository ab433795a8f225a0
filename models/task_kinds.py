"""Which runner kinds serve each task, and how: the task side of the contract with the model families.

A runner kind (``models.kinds``) knows no task. A task lists here the kinds that serve it and, where a kind can
do several things, says how it runs on it (as diffusers' ``AUTO_TEXT2IMAGE_PIPELINES_MAPPING`` says, per task,
which pipeline each model family takes). A ``Use`` holds:

- ``mode``: which of the kind's ways of running the task takes, in the kind's own words: what the ``pipeline``
  and ``image-pipeline`` runners return ("labels", "entities", "boxes"), what script the ``seq2seq`` and ``chat``
  runners write ("summarize": the whole text at once, "translate": sentence by sentence); "" where the kind
  has one way only;
- ``pipeline_task``: the transformers pipeline a pipeline-built kind creates;
- ``instruction``: the prompt a conversational kind is given (``Kind.conversation``), the task's own wording:
  for "summarize" ``(text, max_new_tokens)``, for "translate" ``(text, source, target)``;
- ``snippet``: the tab shows a "Show the code" script for it (``models.code_snippets``).

``mode`` and ``pipeline_task`` reach the runner as parameters under the entry's own (``runner_spec``); the code
scripts get the whole ``Use``. A registry entry must name a kind that serves its task (``models.registry``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Mapping

from models.generation_tasks import summary_prompt, translation_instruction
from models.spec import ModelSpec


@dataclass(frozen=True)
class Use:
    mode: str = ""
    pipeline_task: str = ""
    instruction: Callable[..., str] | None = None
    snippet: bool = True


TASK_KINDS: Mapping[str, Mapping[str, Use]] = {
    "text-classification": {"pipeline": Use("labels", "text-classification")},
    "token-classification": {"pipeline": Use("entities", "token-classification")},
    "question-answering": {"extractive-qa": Use()},
    "summarization": {"seq2seq": Use("summarize"), "chat": Use("summarize", instruction=summary_prompt)},
    "translation": {"seq2seq": Use("translate"), "chat": Use("translate", instruction=translation_instruction)},
    "chat": {"chat": Use()},
    "image-classification": {"image-pipeline": Use("labels", "image-classification"), "timm": Use()},
    "object-detection": {"image-pipeline": Use("boxes", "object-detection")},
    "text-to-image": {"diffusers": Use()},
    "automatic-speech-recognition": {"speech-recognition": Use()},
    "text-to-speech": {"vits-tts": Use(), "bark-tts": Use()},
    "attention": {"attention": Use()},
    # no scripts yet: the knowledge graph's (a strict triple parser) and fine-tuning's (a training loop) are to write
    "knowledge-graph": {"relation-extraction": Use(snippet=False), "chat": Use(snippet=False)},
    "fine-tune": {"fine-tune": Use(snippet=False)},
}

TASKS_WITHOUT_SNIPPETS = frozenset(task for task, uses in TASK_KINDS.items()
                                   if not any(use.snippet for use in uses.values()))


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
