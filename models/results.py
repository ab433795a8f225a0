"""Plain results that runners return and demos format. No torch, no gradio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScore:
    label: str
    score: float


@dataclass(frozen=True)
class Classification:
    scores: list[LabelScore]   # every label, highest first; the scores sum to 1
    tokens: int                # tokens in the input
    truncated: bool            # the input was longer than the model window and was cut to it
    window: int                # the model window, in tokens


@dataclass(frozen=True)
class Entity:
    text: str     # text[start:end] of the input
    label: str    # entity type, e.g. PER
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class AnswerSpan:
    text: str         # context[start:end]
    start: int
    end: int
    score: float      # probability of the span


@dataclass(frozen=True)
class Answer:
    text: str         # context[start:end]; "" when the model finds no answer
    start: int
    end: int
    score: float      # probability of the span (or of "no answer")
    no_answer: bool
    windows: int      # how many overlapping windows the context was split into
    alternatives: tuple[AnswerSpan, ...] = ()  # the next best answers (top_k - 1 of them), best first
