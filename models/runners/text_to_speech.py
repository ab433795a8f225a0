"""The ``text-to-speech`` runner for VITS voices (MMS-TTS): text -> one waveform at the model's rate.

- Characters the voice has no symbol for (its vocabulary is a character set) are removed first and
  reported (punctuation missing from the vocabulary is removed quietly: it only marks pauses, which
  the sentence split and the joining pauses already give), instead of being dropped silently by the
  tokenizer.
- Long text is split into sentences (``max_sentence_chars``), synthesized ``batch_size`` at a time
  (each trimmed to its own length) and joined with ``pause_seconds`` of silence.
- ``speed`` sets the model's speaking rate; ``seed`` seeds torch before synthesis: VITS samples noise
  for its durations and waveform, so the same seed gives the same audio.
"""

from __future__ import annotations

from typing import Callable

import unicodedata

import numpy as np

from models.errors import InputError
from models.runners.base import BaseRunner
from models.speech_results import Speech
from models.speech_text import split_sentences

ProgressCallback = Callable[[int, int], None]


class TextToSpeechRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import AutoTokenizer, VitsModel

        kwargs = source.pretrained_kwargs()
        self.tokenizer = AutoTokenizer.from_pretrained(source.path, **kwargs)
        self.model = VitsModel.from_pretrained(source.path, dtype=placement.torch_dtype, **kwargs)
        self.model = self.model.to(placement.device).eval()
        self.rate = int(self.model.config.sampling_rate)
        self.symbols = {token for token in self.tokenizer.get_vocab() if len(token) == 1}

    @property
    def sampling_rate(self) -> int:
        return self.rate

    def __call__(self, texts: list[str], *, speed: float = 1.0, seed: int = 0,
                 on_progress: ProgressCallback | None = None, **overrides) -> list[Speech]:
        params = {**self.params, **overrides}
        return [self.synthesize(text, float(speed), int(seed), params, on_progress) for text in texts]

    def speakable(self, text: str) -> tuple[str, str]:
        """(the text with only characters the voice can speak, the characters removed)."""
        if getattr(self.tokenizer, "normalize", False):
            text = self.tokenizer.normalize_text(text)
        kept, dropped = [], []
        for ch in text:
            if ch in self.symbols or ch.isspace():
                kept.append(" " if ch.isspace() else ch)
            elif ch not in dropped and not unicodedata.category(ch).startswith("P"):
                dropped.append(ch)  # punctuation is not reported: the sentence split already used it
        return " ".join("".join(kept).split()), "".join(dropped)

    def synthesize(self, text: str, speed: float, seed: int, params: dict,
                   on_progress: ProgressCallback | None) -> Speech:
        import torch

        sentences = [s for s in (self.speakable(piece)[0] for piece in
                                 split_sentences(text, int(params.get("max_sentence_chars", 300))))
                     if any(ch.isalnum() for ch in s)]
        _, dropped = self.speakable(text)
        if not sentences:
            letters = "".join(sorted(ch for ch in self.symbols if ch.isalnum()))
            raise InputError(f"this voice cannot speak any of the text; it reads these characters: {letters}")
        batch_size = max(1, int(params.get("batch_size", 8)))
        pause = np.zeros(int(float(params.get("pause_seconds", 0.25)) * self.rate), dtype=np.float32)
        pieces: list[np.ndarray] = []
        torch.manual_seed(seed)
        self.model.speaking_rate = speed
        if on_progress:
            on_progress(0, len(sentences))
        with torch.inference_mode():
            for first in range(0, len(sentences), batch_size):
                batch = sentences[first:first + batch_size]
                inputs = self.tokenizer(batch, return_tensors="pt", padding=True).to(self.placement.device)
                output = self.model(**inputs)
                waveforms = output.waveform.float().cpu().numpy()
                for waveform, length in zip(waveforms, output.sequence_lengths.cpu().tolist()):
                    if pieces:
                        pieces.append(pause)
                    pieces.append(waveform[:length])
                if on_progress:
                    on_progress(first + len(batch), len(sentences))
        samples = np.clip(np.concatenate(pieces), -1.0, 1.0).astype(np.float32)
        return Speech(samples=samples, rate=self.rate, sentences=len(sentences), dropped=dropped)
