"""The ``speech-recognition`` runner: mono float recordings (``audio_io.Audio``) -> transcripts with timed segments.

The transformers ASR pipeline does the model work; this runner feeds it arrays at the model's rate
(made by ``models.runtime.audio_io``: the pipeline itself would need torchaudio or ffmpeg) and does the
long-form part itself, so that it can report progress:
- a recording longer than ``chunk_seconds`` is cut into pieces at the quietest moment near each limit
  (``audio_io.chunk_bounds``), and the pieces run through the pipeline in batches of ``batch_size``;
- segment times are the model's timestamps (Whisper, when asked for) shifted by the piece's start, or
  the piece bounds when the model gives none; times are clamped to the piece and kept in order.

``stream(recording, stop, ...)`` yields the transcript so far after each piece (on CPU the pieces run one at a
time, so each shows as soon as it is done; on an accelerator a batch of pieces takes about as long as one), and
a set ``stop`` flag ends it between pieces.

Params: ``chunk_seconds`` (30 for Whisper: its window), ``batch_size``, ``timestamps`` (whether the
model can predict them), ``multilingual`` and ``translate`` (what generate accepts).
"""

from __future__ import annotations

import threading
from typing import Callable, Iterator


from models.runtime.audio_io import Audio, chunk_bounds, resample
from models.runtime.errors import InputError
from models.families.runners.base import BaseRunner
from models.families.results import Transcript
from models.text.speech_text import Segment, join_segments

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
        return [self.transcribe(audio, language, task, timestamps, on_progress, **overrides) for audio in recordings]

    def transcribe(self, audio: Audio, language: str | None = None, task: str = "transcribe", timestamps: bool = True,
                   on_progress: ProgressCallback | None = None, **overrides) -> Transcript:
        transcript = None
        for transcript in self._pieces(audio, None, language, task, timestamps, on_progress, None, overrides):
            pass
        return transcript

    def stream(self, audio: Audio, stop: threading.Event | None = None, *, language: str | None = None,
               task: str = "transcribe", timestamps: bool = True, **overrides) -> Iterator[Transcript]:
        """The transcript so far: empty first (``done`` 0, when there are several pieces), after each piece, then
        the whole one; a set ``stop`` flag ends it between pieces."""
        one_by_one = 1 if self.placement.device == "cpu" else None
        yield from self._pieces(audio, stop, language, task, timestamps, None, one_by_one, overrides)

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

    def _pieces(self, audio: Audio, stop: threading.Event | None, language: str | None, task: str, timestamps: bool,
                on_progress: ProgressCallback | None, batch_size: int | None, overrides: dict
                ) -> Iterator[Transcript]:
        params = {**self.params, **overrides}
        generate_kwargs = self._generate_kwargs(language, task)
        timestamps = bool(timestamps and params.get("timestamps", self.is_whisper))
        samples = resample(audio.samples, audio.rate, self.rate)
        bounds = chunk_bounds(samples, self.rate, float(params.get("chunk_seconds", 30)))
        batch_size = batch_size or max(1, int(params.get("batch_size", 4)))
        segments: list[Segment] = []

        def so_far(done: int) -> Transcript:
            return Transcript(text=join_segments(segments), segments=list(segments), seconds=len(samples) / self.rate,
                              chunks=len(bounds), timestamps=timestamps, done=done)

        if on_progress:
            on_progress(0, len(bounds))
        if len(bounds) > 1:
            yield so_far(0)  # how many pieces there are, before the first one runs
        for first in range(0, len(bounds), batch_size):
            if stop is not None and stop.is_set():
                return
            batch = bounds[first:first + batch_size]
            outputs = self.pipe([samples[start:end] for start, end in batch], batch_size=len(batch),
                                return_timestamps=timestamps, generate_kwargs=dict(generate_kwargs))
            for (start, end), output in zip(batch, outputs):
                segments.extend(self._segments(output, start / self.rate, end / self.rate, timestamps))
            if on_progress:
                on_progress(first + len(batch), len(bounds))
            if first + len(batch) < len(bounds):
                yield so_far(first + len(batch))
        yield so_far(len(bounds))

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


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {
    "models/families/runners/speech_recognition.py": "f46977f95312efdc",
    "models/runtime/audio_io.py": "0f3a8a268a6852cc",
    "models/text/speech_text.py": "a509f7aad8944bcb",
}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import DEVICE_LINES, checkpoint_lines, header, literal, merged

    params = merged(spec, settings)
    language, task = settings.get("language") or None, settings.get("task") or "transcribe"
    timestamps = bool(settings.get("timestamps", True) and params.get("timestamps", True))
    whisper_kwargs = {"task": task, **({"language": language} if language else {})}
    chunk, batch = int(params.get("chunk_seconds", 30)), max(1, int(params.get("batch_size", 4)))
    if timestamps:
        read = """# with timestamps: each piece comes back as timed segments
for start, out in zip(range(0, len(samples), PIECE), outputs):
    for chunk in out["chunks"]:
        begin, end = chunk["timestamp"]
        print(f"{start / RATE + (begin or 0):7.2f} {start / RATE + (end or 0):7.2f}  {chunk['text'].strip()}")
transcript = " ".join(c["text"].strip() for out in outputs for c in out["chunks"] if c["text"].strip())"""
    else:
        read = 'transcript = " ".join(out["text"].strip() for out in outputs if out["text"].strip())'
    return f"""{header('"transformers>=5" torch soundfile soxr', spec, "Transcribe speech")}
import soundfile
import soxr
import torch
from transformers import pipeline

{checkpoint_lines(spec)}
AUDIO = {literal(settings.get("audio") or "speech.wav")}  # your recording (wav, flac, ogg, mp3)
RATE = 16_000  # the model reads 16 kHz mono

# decode, mix down to mono and resample (the pipeline alone would need ffmpeg or torchaudio for this)
samples, rate = soundfile.read(AUDIO, dtype="float32", always_2d=True)
samples = soxr.resample(samples.mean(axis=1), rate, RATE, quality="HQ")

{DEVICE_LINES}
asr = pipeline("automatic-speech-recognition", model=CHECKPOINT, revision=REVISION, device=device, dtype=dtype)
# Whisper takes a task and, optionally, the spoken language (else it detects it)
generate_kwargs = {literal(whisper_kwargs)} if asr.model.config.model_type == "whisper" else {{}}
# a long recording is read in pieces of {chunk} s (the demo cuts at the quietest moment near each limit)
PIECE = {chunk} * RATE
pieces = [samples[i:i + PIECE] for i in range(0, len(samples), PIECE)]
outputs = asr(pieces, batch_size={batch}, return_timestamps={timestamps}, generate_kwargs=generate_kwargs)
{read}
print(transcript)
"""
