"""Plain results of the speech runners. No torch, no gradio."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.speech_text import Segment


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
