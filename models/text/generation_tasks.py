"""Summarize and translate as prompts and parameters over the two generation runners.

Both tasks run on a ``seq2seq`` runner (the source text is the input) or a ``chat`` runner, one that takes a
conversation (``runner.conversation``: the text goes into an instruction, sent through the model's chat
template). Both yield ``Partial`` results as they go, so a tab can stream them, and both take a
``threading.Event`` that stops generation between and within model calls.

- Summaries: a text that fits the model window is summarized in one streamed pass. A longer one is cut
  into windows of whole sentences that together cover all of it (map), each window is summarized, and the
  joined partial summaries are summarized again (reduce), recursively if they are still too long. The part
  summaries are reported as they come, in ``Partial.parts``, which only grows (a later round adds to it, never
  replaces it); ``Partial.text`` is then only the final summary, streamed. ``steps`` is the model calls planned
  for all rounds, estimated before the first (``planned_calls``) and again after each round.
- Translations: the text is split into paragraphs and sentences; sentences are translated in batches and
  put back into the paragraph layout, so line breaks survive. A single sentence streams token by token.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any, Iterator

from models.text.languages import language_name
from models.text.text_split import join_paragraphs, sentence_joiner, split_paragraphs, token_windows

CHAT_PROMPT_RESERVE = 64   # tokens of instruction and chat-template markup around the text
MAX_REDUCE_ROUNDS = 3


@dataclass(frozen=True)
class Partial:
    text: str          # the output so far (or the final output when done)
    stage: str         # what is happening, for a status line
    step: int = 0      # model calls finished
    steps: int = 1     # model calls planned, all rounds of a map-reduce together (re-estimated after each round)
    done: bool = False
    parts: str = ""    # map-reduce: the part summaries so far, round after round (only grows)
    pieces: int = 1    # map-reduce: the parts the text was cut into


# --- summarization -----------------------------------------------------------------------------------

def summary_instruction(text: str, max_words: int) -> str:
    return (f"Summarize the following text in at most {max_words} words. Write the summary in the same "
            f"language as the text and output only the summary.\n\n{text}")


def summary_prompt(text: str, max_new_tokens: int) -> str:
    """What a chat model is asked: the instruction, with the summary's length in words from its token budget."""
    return summary_instruction(text, max(10, max_new_tokens * 2 // 3))


def summarize(runner, text: str, stop: threading.Event | None = None, **params: Any) -> Iterator[Partial]:
    """Summarize ``text``, map-reduce style when it is longer than the model window."""
    window = summary_window(runner, params)
    windows = plan_windows(runner, text, window)
    if not windows:
        yield Partial("", "done", 0, 0, done=True)
        return
    if len(windows) == 1:
        partial = ""
        for partial in _stream_summary(runner, text, stop, params):
            yield Partial(partial, "summarizing", 0, 1)
        yield Partial(partial, "stopped" if stop is not None and stop.is_set() else "done", 1, 1, done=True)
        return
    pieces, per_summary = len(windows), _max_new(runner, params)
    source, rounds, done_calls, parts = text, 0, 0, ""
    planned = planned_calls(len(windows), window, per_summary, MAX_REDUCE_ROUNDS)
    while len(windows) > 1:
        if rounds == MAX_REDUCE_ROUNDS:  # the part summaries keep growing: show them rather than cut them
            yield Partial(source, "done: part summaries (too long to combine)", done_calls, done_calls, done=True,
                          parts=parts, pieces=pieces)
            return
        rounds += 1
        summaries: list[str] = []
        for index, piece in enumerate(windows, 1):
            if stop is not None and stop.is_set():
                yield Partial("", "stopped", done_calls, planned, done=True, parts=parts, pieces=pieces)
                return
            stage = f"summarizing part {index} of {len(windows)}" if rounds == 1 else \
                f"combining, round {rounds}: group {index} of {len(windows)}"
            yield Partial("", stage, done_calls, planned, parts=parts, pieces=pieces)
            summaries.append(_summarize_once(runner, piece, stop, params))
            done_calls += 1
            name = f"Part {index} of {len(windows)}" if rounds == 1 else \
                f"Round {rounds}, group {index} of {len(windows)}"
            parts += f"{chr(10) * 2 if parts else ''}{name}: {summaries[-1].strip()}"
        source = sentence_joiner(sample=text).join(summaries)
        windows = plan_windows(runner, source, window)
        planned = done_calls + planned_calls(len(windows), window, per_summary, MAX_REDUCE_ROUNDS - rounds)
    final = ""
    for final in _stream_summary(runner, source, stop, params):
        yield Partial(final, "combining the part summaries", done_calls, done_calls + 1, parts=parts, pieces=pieces)
    yield Partial(final, "stopped" if stop is not None and stop.is_set() else "done", done_calls + 1,
                  done_calls + 1, done=True, parts=parts, pieces=pieces)


def planned_calls(windows: int, window: int, summary_tokens: int, rounds: int) -> int:
    """Model calls a map-reduce of ``windows`` windows makes in at most ``rounds`` more rounds: each round
    summarizes its windows; their summaries, at most ``summary_tokens`` each, fill about
    ``windows * summary_tokens / window`` windows of the next round; once one is left, one call summarizes it.
    (An estimate: whole sentences fill windows a little less tightly.)"""
    calls = 0
    while windows > 1:
        if rounds <= 0:
            return calls
        calls += windows
        windows = math.ceil(windows * summary_tokens / max(1, window))
        rounds -= 1
    return calls + 1


def summary_window(runner, params: dict) -> int:
    """Source tokens one model call can read (a chat model also needs room for instruction and answer)."""
    if runner.conversation:
        return runner.window - CHAT_PROMPT_RESERVE - _max_new(runner, params)
    return runner.window


def plan_windows(runner, text: str, window: int) -> list[str]:
    """Sentence-aligned windows of at most ``window`` tokens that together hold all of ``text``."""
    if not text.strip():
        return []
    if runner.count_tokens(text) <= window:
        return [text]
    sentences = [s for p in split_paragraphs(text) for s in p.sentences]
    return token_windows(sentences, runner.count_tokens, window, sentence_joiner(sample=text))


def _summary_input(runner, text: str, params: dict):
    if runner.conversation:
        return [{"role": "user", "content": summary_prompt(text, _max_new(runner, params))}]
    return text


def _stream_summary(runner, text: str, stop, params: dict) -> Iterator[str]:
    yield from runner.stream(_summary_input(runner, text, params), stop, **params)


def _summarize_once(runner, text: str, stop, params: dict) -> str:
    return runner([_summary_input(runner, text, params)], stop, **params)[0]


def _max_new(runner, params: dict) -> int:
    return int(params.get("max_new_tokens", runner.params.get("max_new_tokens", 256)))


# --- translation -------------------------------------------------------------------------------------

def translation_instruction(text: str, source: str | None, target: str) -> str:
    origin = f"from {language_name(source)} " if source else ""
    return (f"Translate the following text {origin}into {language_name(target)}. Keep the meaning and the "
            f"tone; output only the translation.\n\n{text}")


def translate(runner, text: str, source: str | None, target: str, stop: threading.Event | None = None,
              batch_size: int = 8, **params: Any) -> Iterator[Partial]:
    """Translate sentence by sentence in batches, keeping the paragraph breaks of ``text``.

    ``source`` None means auto-detect (chat models only: the instruction does not name the language).
    """
    paragraphs = split_paragraphs(text, source)
    sentences = [s for p in paragraphs for s in p.sentences]
    joiner = sentence_joiner(target)
    if not sentences:
        yield Partial("", "done", 0, 0, done=True)
        return
    if len(sentences) == 1:
        partial = ""
        single_params = _translation_params(runner, source, target, params)
        single_params["max_new_tokens"] = output_budget(runner, sentences, params)
        for partial in runner.stream(_translation_input(runner, sentences[0], source, target), stop,
                                     **single_params):
            yield Partial(partial, "translating", 0, 1)
        yield Partial(partial, "done", 1, 1, done=True)
        return
    batches = [sentences[i:i + batch_size] for i in range(0, len(sentences), batch_size)]
    translated: list[str] = []
    for index, batch in enumerate(batches):
        if stop is not None and stop.is_set():
            yield Partial(join_paragraphs(paragraphs, translated, joiner), "stopped", index, len(batches),
                          done=True)
            return
        yield Partial(join_paragraphs(paragraphs, translated, joiner),
                      f"translating sentences {len(translated) + 1}-{len(translated) + len(batch)} "
                      f"of {len(sentences)}", index, len(batches))
        inputs = [_translation_input(runner, sentence, source, target) for sentence in batch]
        batch_params = _translation_params(runner, source, target, params)
        batch_params["max_new_tokens"] = output_budget(runner, batch, params)
        translated += runner(inputs, stop, **batch_params)
    yield Partial(join_paragraphs(paragraphs, translated, joiner), "done", len(batches), len(batches), done=True)


def output_budget(runner, sentences: list[str], params: dict) -> int:
    """New tokens a batch may take: the configured maximum, but no more than a generous multiple of the
    longest source sentence, so a model that fails to end a sentence cannot run on for the whole maximum."""
    longest = max(runner.count_tokens(sentence) for sentence in sentences)
    return max(1, min(_max_new(runner, params), 3 * longest + 16))


def _translation_input(runner, sentence: str, source: str | None, target: str):
    if runner.conversation:
        return [{"role": "user", "content": translation_instruction(sentence, source, target)}]
    return sentence


def _translation_params(runner, source: str | None, target: str, params: dict) -> dict:
    if runner.conversation:
        return dict(params)
    return {**params, "source_lang": source, "target_lang": target} \
        if runner.params.get("multilingual") else dict(params)

