"""Plain results that the families' runners return and the tasks format: text, speech and vision. No torch, no
gradio."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.text.speech_text import Segment


# --- text --------------------------------------------------------------------------------------------------------

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


# --- speech ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transcript:
    text: str
    segments: list[Segment]    # in order, covering the recording; times in seconds
    seconds: float             # length of the recording
    chunks: int                # how many pieces the recording was transcribed in
    timestamps: bool           # segment times come from the model (True) or are the chunk bounds (False)
    done: int | None = None    # pieces transcribed so far, in a streamed transcript (None: all of them)

    @property
    def complete(self) -> bool:
        return self.done is None or self.done >= self.chunks


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray        # float32 mono in [-1, 1]
    rate: int                  # the model's sampling rate
    sentences: int             # how many pieces the text was synthesized in
    dropped: str = ""          # characters the voice cannot speak, removed from the text
    notes: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


# --- vision ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageClassification:
    scores: list[LabelScore]   # every label of the model, highest first; the scores sum to 1


@dataclass(frozen=True)
class Detection:
    label: str
    score: float
    box: tuple[int, int, int, int]  # xmin, ymin, xmax, ymax in pixels, inside the image


@dataclass(frozen=True)
class GeneratedImage:
    image: Any   # a PIL image
    seed: int    # the seed that reproduces it (with the same prompt and settings)


@dataclass(frozen=True)
class DenoisingStep:
    step: int              # denoising steps done
    total: int             # steps in all
    previews: list         # rough PIL previews of the images so far (empty on most steps)


@dataclass(frozen=True)
class Generation:
    images: list[GeneratedImage]
    prompt_tokens: int     # tokens in the prompt, start/end tokens included
    window: int            # the text encoder's window; tokens beyond it are cut
    dropped_text: str      # the end of the prompt that was cut off ("" when it fit)
    cpu_offload: bool      # the pipeline ran with model CPU offload (GPU short of memory)
    filtered: int = 0      # images the pipeline's safety checker blacked out

    @property
    def truncated(self) -> bool:
        return self.prompt_tokens > self.window
