"""The ``speech-recognition`` runner: mono float recordings (``audio_io.Audio``) -> transcripts with timed segments.

The transformers ASR pipeline does the model work; this runner feeds it arrays at the model's rate
(made by ``models.audio_io``: the pipeline itself would need torchaudio or ffmpeg) and does the
long-form part itself, so that it can report progress:
- a recording longer than ``chunk_seconds`` is cut into pieces at the quietest moment near each limit
  (``audio_io.chunk_bounds``), and the pieces run through the pipeline in batches of ``batch_size``;
- segment times are the model's timestamps (Whisper, when asked for) shifted by the piece's start, or
  the piece bounds when the model gives none; times are clamped to the piece and kept in order.

Params: ``chunk_seconds`` (30 for Whisper: its window), ``batch_size``, ``timestamps`` (whether the
model can predict them), ``multilingual`` and ``translate`` (what generate accepts).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from models.audio_io import Audio, chunk_bounds, resample
from models.errors import InputError
from models.runners.base import BaseRunner
from models.speech_results import Transcript
from models.speech_text import Segment, join_segments

ProgressCallback = Callable[[int, int], None]   # (pieces done, pieces in all)


class SpeechRecognitionRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import pipeline

        self.pipe = pipeline("automatic-speech-recognition", model=source.path, device=placement.device,
                             dtype=placement.torch_dtype, **source.pretrained_kwargs())
        self.rate = int(self.pipe.feature_extractor.sampling_rate)
        self.is_whisper = self.pipe.model.config.model_type == "whisper"
        generation = self.pipe.model.generation_config
        self.languages = sorted(code.strip("<|>") for code in getattr(generation, "lang_to_id", {}) or {})

    @property
    def sampling_rate(self) -> int:
        return self.rate

    def __call__(self, recordings: list[Audio], *, language: str | None = None, task: str = "transcribe",
                 timestamps: bool = True, on_progress: ProgressCallback | None = None,
                 **overrides) -> list[Transcript]:
        params = {**self.params, **overrides}
        generate_kwargs = self._generate_kwargs(language, task)
        timestamps = bool(timestamps and params.get("timestamps", self.is_whisper))
        return [self.transcribe(resample(audio.samples, audio.rate, self.rate), generate_kwargs, timestamps,
                                params, on_progress) for audio in recordings]

    def _generate_kwargs(self, language: str | None, task: str) -> dict:
        if task not in ("transcribe", "translate"):
            raise InputError(f"task {task!r} is not one of transcribe, translate")
        if not self.is_whisper:
            if task == "translate":
                raise InputError(f"{self.spec.name} only transcribes; pick a Whisper model to translate")
            if language and language not in self.spec.languages:
                raise InputError(f"{self.spec.name} only knows {', '.join(self.spec.languages)}; "
                                 f"pick a Whisper model for {language!r}")
            return {}
        if language and self.languages and language not in self.languages:
            raise InputError(f"language {language!r} is not one of this model's: {', '.join(self.languages)}")
        kwargs = {"task": task} if self.languages else {}
        if language and self.languages:
            kwargs["language"] = language
        return kwargs

    def transcribe(self, samples: np.ndarray, generate_kwargs: dict, timestamps: bool, params: dict,
                   on_progress: ProgressCallback | None) -> Transcript:
        bounds = chunk_bounds(samples, self.rate, float(params.get("chunk_seconds", 30)))
        batch_size = max(1, int(params.get("batch_size", 4)))
        segments: list[Segment] = []
        if on_progress:
            on_progress(0, len(bounds))
        for first in range(0, len(bounds), batch_size):
            batch = bounds[first:first + batch_size]
            outputs = self.pipe([samples[start:end] for start, end in batch], batch_size=len(batch),
                                return_timestamps=timestamps, generate_kwargs=dict(generate_kwargs))
            for (start, end), output in zip(batch, outputs):
                segments.extend(self._segments(output, start / self.rate, end / self.rate, timestamps))
            if on_progress:
                on_progress(first + len(batch), len(bounds))
        return Transcript(text=join_segments(segments), segments=segments, seconds=len(samples) / self.rate,
                          chunks=len(bounds), timestamps=timestamps)

    @staticmethod
    def _segments(output: dict, start: float, end: float, timestamps: bool) -> list[Segment]:
        """The piece's segments on the recording's clock (the model's times clamped to the piece, in order)."""
        pieces = output.get("chunks") if timestamps else None
        if not pieces:
            text = output.get("text", "").strip()
            return [Segment(round(start, 3), round(end, 3), text)] if text else []
        segments, previous = [], start
        for piece in pieces:
            text = piece.get("text", "").strip()
            begin, finish = piece.get("timestamp") or (None, None)
            begin = previous if begin is None else min(max(start + float(begin), previous), end)
            finish = end if finish is None else min(max(start + float(finish), begin), end)
            previous = finish
            if text:
                segments.append(Segment(round(begin, 3), round(finish, 3), text))
        return segments
