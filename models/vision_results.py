"""Plain results of the vision runners. No torch, no gradio."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.results import LabelScore


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
