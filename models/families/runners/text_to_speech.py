"""Text-to-speech runners: text -> one waveform at the model's rate, read sentence by sentence.

What every voice shares (``SentenceSpeechRunner``):
- characters the voice cannot speak are removed first and reported (punctuation missing from a voice's
  vocabulary is removed quietly: it only marks pauses, which the sentence split already gives);
- long text is split into sentences (``max_sentence_chars``), synthesized ``batch_size`` at a time (each
  trimmed to its own length) and joined with ``pause_seconds`` of silence;
- ``seed`` seeds torch before synthesis (the models sample noise or tokens), so the same seed gives the
  same audio.
A family implements ``symbols_ok`` (can the voice speak this character) and ``synthesize_batch``.

``VitsRunner`` (MMS-TTS): a character vocabulary; ``speed`` sets the model's speaking rate.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

import numpy as np

from models.runtime.errors import InputError
from models.families.runners.base import BaseRunner
from models.families.results import Speech
from models.text.speech_text import split_sentences

ProgressCallback = Callable[[int, int], None]


class SentenceSpeechRunner(BaseRunner):
    rate: int = 16_000
    voices: list[str] = []

    @property
    def sampling_rate(self) -> int:
        return self.rate

    def __call__(self, texts: list[str], *, speed: float = 1.0, seed: int = 0, voice: str | None = None,
                 on_progress: ProgressCallback | None = None, **overrides) -> list[Speech]:
        params = {**self.params, **overrides}
        if voice and voice not in self.voices:
            raise InputError(f"voice {voice!r} is not one of this model's: {', '.join(self.voices) or 'none'}")
        return [self.synthesize(text, float(speed), int(seed), voice or None, params, on_progress) for text in texts]

    # --- what a family provides ----------------------------------------------------------------
    def normalize(self, text: str) -> str:
        return text

    def symbol_ok(self, ch: str) -> bool:
        raise NotImplementedError

    def synthesize_batch(self, sentences: list[str], speed: float, voice: str | None,
                         params: dict) -> list[np.ndarray]:
        raise NotImplementedError

    def describe_symbols(self) -> str:
        return "letters of its language"

    # --- shared --------------------------------------------------------------------------------
    def speakable(self, text: str) -> tuple[str, str]:
        """(the text with only characters the voice can speak, the characters removed)."""
        kept, dropped = [], []
        for ch in self.normalize(text):
            if ch.isspace():
                kept.append(" ")
            elif self.symbol_ok(ch):
                kept.append(ch)
            elif ch not in dropped and not unicodedata.category(ch).startswith("P"):
                dropped.append(ch)
        return " ".join("".join(kept).split()), "".join(dropped)

    def synthesize(self, text: str, speed: float, seed: int, voice: str | None, params: dict,
                   on_progress: ProgressCallback | None) -> Speech:
        import torch

        language = self.spec.languages[0] if len(self.spec.languages) == 1 else None  # else guessed from the text
        pieces = split_sentences(text, int(params.get("max_sentence_chars", 300)), language)
        sentences = [s for s in (self.speakable(piece)[0] for piece in pieces) if any(ch.isalnum() for ch in s)]
        if not sentences:
            raise InputError(f"this voice cannot speak any of the text; it reads {self.describe_symbols()}")
        _, dropped = self.speakable(text)
        batch_size = max(1, int(params.get("batch_size", 8)))
        pause = np.zeros(int(float(params.get("pause_seconds", 0.25)) * self.rate), dtype=np.float32)
        waves: list[np.ndarray] = []
        torch.manual_seed(seed)
        if on_progress:
            on_progress(0, len(sentences))
        with torch.inference_mode():
            for first in range(0, len(sentences), batch_size):
                batch = sentences[first:first + batch_size]
                for wave in self.synthesize_batch(batch, speed, voice, params):
                    if waves:
                        waves.append(pause)
                    waves.append(np.asarray(wave, dtype=np.float32))
                if on_progress:
                    on_progress(first + len(batch), len(sentences))
        samples = np.clip(np.concatenate(waves), -1.0, 1.0).astype(np.float32)
        return Speech(samples=samples, rate=self.rate, sentences=len(sentences), dropped=dropped)


class VitsRunner(SentenceSpeechRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import AutoTokenizer, VitsModel

        kwargs = source.pretrained_kwargs()
        self.tokenizer = AutoTokenizer.from_pretrained(source.path, **kwargs)
        self.model = VitsModel.from_pretrained(source.path, dtype=placement.torch_dtype, **kwargs)
        self.model = self.model.to(placement.device).eval()
        self.rate = int(self.model.config.sampling_rate)
        self.symbols = {token for token in self.tokenizer.get_vocab() if len(token) == 1}
        self.voices = []

    def normalize(self, text: str) -> str:
        return self.tokenizer.normalize_text(text) if getattr(self.tokenizer, "normalize", False) else text

    def symbol_ok(self, ch: str) -> bool:
        return ch in self.symbols

    def describe_symbols(self) -> str:
        return "these characters: " + "".join(sorted(ch for ch in self.symbols if ch.isalnum()))

    def synthesize_batch(self, sentences, speed, voice, params):
        self.model.speaking_rate = speed
        inputs = self.tokenizer(sentences, return_tensors="pt", padding=True).to(self.placement.device)
        output = self.model(**inputs)
        waveforms = output.waveform.float().cpu().numpy()
        return [wave[:length] for wave, length in zip(waveforms, output.sequence_lengths.cpu().tolist())]


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {
    "models/families/runners/text_to_speech.py": "4e88ddb87c5d2345",
    "models/text/speech_text.py": "a509f7aad8944bcb",
}


def _snippet_speech(spec, settings: dict, *, pip: str, imports: str, load: str, keep: str, synthesize: str,
                    values: str = "") -> str:
    """The script every sentence-by-sentence voice shares; a family gives its loading, the characters it
    keeps and how it synthesizes a batch of sentences (to ``waveforms`` and ``lengths``)."""
    from models.code_snippets import DEVICE_LINES, checkpoint_lines, header, merged, sentence_lines, text_literal
    from models.text.text_split import sentence_language

    params = merged(spec, settings)
    language = sentence_language(spec.languages[0] if len(spec.languages) == 1 else None, settings.get("text") or "")
    return f"""{header(pip, spec, "Read a text aloud")}
import re

import numpy as np
import soundfile
import torch
from sentencex import segment
{imports}

{checkpoint_lines(spec)}
TEXT = {text_literal(settings, "text")}
SEED = {int(settings.get("seed") or 0)}  # the model samples noise: the same seed gives the same audio{values}

{DEVICE_LINES}
{load}

# sentence by sentence (the demo also cuts sentences over {int(params.get("max_sentence_chars", 300))} characters)
{sentence_lines(language)}
sentences = [" ".join(s.split()) for line in re.split(r"\\n\\s*\\n|\\n", TEXT) for s in sentences_of(line)]
# only characters the voice can speak; sentences left without letters or digits are skipped
sentences = [s for s in (" ".join("".join(ch for ch in s if ch.isspace() or {keep}).split()) for s in sentences)
             if any(ch.isalnum() for ch in s)]

torch.manual_seed(SEED)
waves, pause = [], np.zeros(int({float(params.get("pause_seconds", 0.25))!r} * rate), dtype=np.float32)
with torch.inference_mode():
    for first in range(0, len(sentences), {max(1, int(params.get("batch_size", 8)))}):
        batch = sentences[first:first + {max(1, int(params.get("batch_size", 8)))}]
{synthesize}
        for wave, length in zip(waveforms.float().cpu().numpy(), lengths):
            wave = wave[:int(length)]  # each trimmed to its own length
            waves += [pause, wave] if waves else [wave]
audio = np.clip(np.concatenate(waves), -1.0, 1.0)
soundfile.write("speech.wav", audio, rate)
print(f"{{len(audio) / rate:.2f}} s of audio at {{rate}} Hz in speech.wav")
"""


def code_snippet(spec, settings: dict, use) -> str:
    speed = float(settings.get("speed") or 1.0)
    return _snippet_speech(
        spec, settings, pip='"transformers>=5" torch soundfile',
        imports="from transformers import AutoTokenizer, VitsModel",
        values=f"\nSPEED = {speed!r}  # speaking rate, 1 = the voice's natural pace",
        load="""tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT, revision=REVISION)
model = VitsModel.from_pretrained(CHECKPOINT, revision=REVISION, dtype=dtype).to(device).eval()
model.speaking_rate = SPEED
rate = model.config.sampling_rate
if tokenizer.normalize:  # MMS voices read lower-case text
    TEXT = tokenizer.normalize_text(TEXT)
vocab = tokenizer.get_vocab()""",
        keep="ch in vocab",
        synthesize="""        output = model(**tokenizer(batch, return_tensors="pt", padding=True).to(device))
        waveforms, lengths = output.waveform, output.sequence_lengths""")
