"""Audio in and out without torch: decode with soundfile, resample with soxr, write WAV.

Everything here works on numpy arrays, so the demos can use it too. The transformers ASR pipeline
would resample only through torchaudio (and decode paths only through ffmpeg), so the app always
hands models float32 mono arrays at the model's own rate, made here.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np

from models.runtime.decode_budget import DECODED, BudgetError, DecodeBudget
from models.runtime.errors import InputError

FORMATS = ("wav", "flac", "ogg", "mp3")   # what libsndfile (1.1+) decodes; the UI and the errors name these
MIN_SECONDS = 0.1
SILENCE_PEAK = 1e-3                       # peak amplitude below which a recording counts as silence
MAX_RATE = 192_000                        # the highest sample rate accepted (studio recordings; headers can claim more)
BLOCK_SAMPLES = 1 << 18                   # samples (frames x channels) read at a time: 1 MB of float32

T = TypeVar("T")


class AudioError(InputError):
    """The audio cannot be used (corrupt, unsupported, empty, too long, ...)."""


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray   # float32, mono, in [-1, 1]
    rate: int             # samples per second

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def decode(source: str | Path | bytes, max_seconds: float | None = None, budget: DecodeBudget | None = None
           ) -> tuple[np.ndarray, int]:
    """Mono samples (float32) and rate of an audio file or its bytes, decoded from what its header promises.

    The header (rate, channels, frames) is checked before any sample is read: a rate above ``MAX_RATE``, a
    recording longer than ``max_seconds`` or one whose decoded size (frames x channels x 4 bytes) exceeds the
    decoded-media budget is refused without decoding. Samples are then read in blocks and mixed down to mono as
    they come, never more than ``max_seconds`` of them, inside a reservation of the process-wide budget
    (``models.runtime.decode_budget``): a 1 MB file of 64 channels at 192 kHz would otherwise decode to gigabytes.
    """
    return _decoded(source, max_seconds, budget, then=lambda samples, rate: (samples, rate))


def _decoded(source: str | Path | bytes, max_seconds: float | None, budget: DecodeBudget | None,
             then: Callable[[np.ndarray, int], T], copies: Callable[[int], float] = lambda rate: 0.0) -> T:
    """``then(mono samples, rate)``, decoded while the budget holds them, ``copies(rate)`` more arrays of their
    size (what ``then`` makes of them: normalized, resampled) and one block of the file's channels. A large
    recording is decoded in the budget's background lane (``DecodeBudget.decode``)."""
    budget = budget or DECODED
    with _opened(source) as (sound, name):
        frames = _checked_frames(sound, max_seconds, budget)
        block = max(1024, BLOCK_SAMPLES // sound.channels)
        reserved = int(frames * (1 + copies(sound.samplerate)) + block * sound.channels) * 4
        rate = int(sound.samplerate)
        return budget.decode(reserved, "the recording", lambda: then(_read_mono(sound, frames, block, max_seconds),
                                                                     rate))


@contextmanager
def _opened(source: str | Path | bytes):
    import soundfile

    if isinstance(source, (bytes, bytearray)):
        handle, name = io.BytesIO(source), "the upload"
    else:
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"audio file {_short(path.name)!r} does not exist")
        if path.stat().st_size == 0:
            raise AudioError("the audio file is empty (0 bytes); record or upload some speech")
        handle, name = path, repr(_short(path.name))
    try:
        with soundfile.SoundFile(handle) as sound:
            yield sound, name
    except (AudioError, BudgetError):
        raise
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        reason = str(exc).strip().replace(str(source), "the file")  # libsndfile's messages name the server's path
        raise AudioError(f"{name} is not a readable audio file ({_short(reason, 120)}); "
                         f"allowed formats: {', '.join(FORMATS)}") from None


def _checked_frames(sound, max_seconds: float | None, budget: DecodeBudget) -> int:
    """The most frames to read, from the header alone; refuses what would cost too much to decode."""
    rate, channels, frames = sound.samplerate, sound.channels, max(0, sound.frames)
    if not 0 < rate <= MAX_RATE:
        raise AudioError(f"the audio's sample rate is {rate:,} Hz; allowed is up to {MAX_RATE:,} Hz. "
                         "Resample it (e.g. to 48,000 Hz) and try again")
    if frames and max_seconds is not None:
        check_length(frames / rate, max_seconds)
    if frames * channels * 4 > budget.max_bytes:
        raise AudioError(f"decoded, the recording would take {frames * channels * 4 / 2**20:,.0f} MB "
                         f"({channels} channels x {frames:,} frames); the limit is {budget.max_bytes / 2**20:,.0f} "
                         "MB. Mix it down to mono or stereo, or send a shorter one")
    # one frame past the limit shows a recording longer than its header said (or than a header without a length)
    cap = int(max_seconds * rate) + 1 if max_seconds is not None else budget.max_bytes // (4 * channels)
    return min(frames, cap) if frames else cap


def _read_mono(sound, frames: int, block: int, max_seconds: float | None) -> np.ndarray:
    """Up to ``frames`` frames, block by block, each block mixed down to mono as it is read."""
    mono = np.empty(frames, dtype=np.float32)
    buffer = np.empty((block, sound.channels), dtype=np.float32)
    done = 0
    while done < frames:
        got = sound.read(dtype="float32", always_2d=True, out=buffer[:min(block, frames - done)])
        if len(got) == 0:
            break
        np.mean(got, axis=1, dtype=np.float32, out=mono[done:done + len(got)])
        done += len(got)
    if max_seconds is not None and done / sound.samplerate > max_seconds:  # a header that claimed fewer frames
        check_length(done / sound.samplerate, max_seconds)
    return mono[:done]


def check_length(seconds: float, max_seconds: float) -> None:
    if seconds > max_seconds:
        raise AudioError(f"the recording is {format_duration(seconds)} long; the limit is "
                         f"{format_duration(max_seconds)}. Trim it and try again")


def to_mono_float(samples: np.ndarray) -> np.ndarray:
    """Float32 mono in [-1, 1] from int or float samples, 1-D or (frames x channels)."""
    samples = np.asarray(samples)
    if samples.dtype.kind == "i":
        samples = samples.astype(np.float32) / float(-np.iinfo(samples.dtype).min)
    elif samples.dtype.kind == "u":
        middle = (np.iinfo(samples.dtype).max + 1) / 2
        samples = (samples.astype(np.float32) - middle) / middle
    elif samples.dtype.kind == "f":
        samples = samples.astype(np.float32, copy=False)
    else:
        raise AudioError(f"audio samples of type {samples.dtype} cannot be used; send integer or float PCM")
    if samples.ndim == 2:
        samples = samples.mean(axis=1, dtype=np.float32)  # frames x channels -> mono
    elif samples.ndim != 1:
        raise AudioError(f"audio must be 1-D or frames x channels, got shape {samples.shape}")
    if not np.isfinite(samples).all():
        raise AudioError("the audio contains NaN or infinite samples; it is corrupt")
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak > 1.0:  # float files may exceed full scale; scale down rather than clip
        samples = samples / peak
    return samples


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling (libsoxr, high quality); a no-op when the rates match."""
    if from_rate == to_rate:
        return samples.astype(np.float32, copy=False)
    import soxr

    return soxr.resample(samples, from_rate, to_rate, quality="HQ").astype(np.float32, copy=False)


def load_for_model(source: str | Path | bytes, rate: int, max_seconds: float,
                   budget: DecodeBudget | None = None) -> Audio:
    """Decode (mono, bounded: see ``decode``), check and resample a recording for a model that reads ``rate``
    Hz mono. What comes back is at most ``max_seconds`` at ``rate`` (38 MB for 10 minutes at 16 kHz); the
    larger arrays on the way are reserved in the decoded-media budget while they exist."""
    # held beside the mono samples: a normalized copy (when the peak exceeds full scale) and the resampled one
    copies = lambda source_rate: 1 + rate / source_rate  # noqa: E731
    return _decoded(source, max_seconds, budget, then=lambda samples, source_rate: prepare(samples, source_rate, rate,
                                                                                           max_seconds),
                    copies=copies)


def prepare(samples: np.ndarray, source_rate: int, rate: int, max_seconds: float) -> Audio:
    """Checks (length, limit, NaN), mono downmix and resampling of samples already in memory."""
    if source_rate <= 0:
        raise AudioError(f"the audio has an invalid sample rate ({source_rate} Hz)")
    frames = len(samples)
    seconds = frames / source_rate
    if frames == 0:
        raise AudioError("the recording is empty; record or upload some speech")
    if seconds < MIN_SECONDS:
        raise AudioError(f"the recording is too short ({frames} samples, {seconds * 1000:.0f} ms); "
                         f"send at least {MIN_SECONDS:.1f} s of speech")
    check_length(seconds, max_seconds)
    mono = to_mono_float(samples)
    return Audio(resample(mono, source_rate, rate), rate)


def is_silent(samples: np.ndarray) -> bool:
    return samples.size == 0 or float(np.abs(samples).max()) < SILENCE_PEAK


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> Path:
    """16-bit PCM WAV, which every browser and player reads."""
    import soundfile

    path = Path(path)
    soundfile.write(path, np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16", format="WAV")
    return path


def chunk_bounds(samples: np.ndarray, rate: int, max_seconds: float, search_seconds: float = 5.0,
                 frame_seconds: float = 0.05) -> list[tuple[int, int]]:
    """Split a long recording into consecutive pieces of at most ``max_seconds``.

    Each cut is placed at the quietest short frame within the last ``search_seconds`` of a piece, so
    that cuts fall between words where possible. The pieces cover every sample exactly once.
    """
    total = len(samples)
    limit = int(max_seconds * rate)
    if limit <= 0:
        raise ValueError("max_seconds must be positive")
    frame = max(1, int(frame_seconds * rate))
    search = min(int(search_seconds * rate), limit // 2)
    bounds, start = [], 0
    while total - start > limit:
        window_start = start + limit - search
        window = samples[window_start:start + limit]
        usable = len(window) // frame * frame
        if usable >= frame:
            energy = np.square(window[:usable].reshape(-1, frame)).mean(axis=1)
            quietest = int(np.argmin(energy[::-1]))          # prefer the latest of equally quiet frames
            cut = window_start + (len(energy) - 1 - quietest) * frame + frame // 2
        else:
            cut = start + limit
        cut = min(max(cut, start + 1), start + limit)
        bounds.append((start, cut))
        start = cut
    bounds.append((start, total))
    return bounds


def format_duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
