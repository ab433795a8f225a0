"""Audio in and out without torch: decode with soundfile, resample with soxr, write WAV.

Everything here works on numpy arrays, so the demos can use it too. The transformers ASR pipeline
would resample only through torchaudio (and decode paths only through ffmpeg), so the app always
hands models float32 mono arrays at the model's own rate, made here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.errors import InputError

FORMATS = ("wav", "flac", "ogg", "mp3")   # what libsndfile (1.1+) decodes; the UI and the errors name these
MIN_SECONDS = 0.1
SILENCE_PEAK = 1e-3                       # peak amplitude below which a recording counts as silence


class AudioError(InputError):
    """The audio cannot be used (corrupt, unsupported, empty, too long, ...)."""


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray   # float32, mono, in [-1, 1]
    rate: int             # samples per second

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def decode(source: str | Path | bytes, max_seconds: float | None = None) -> tuple[np.ndarray, int]:
    """Samples (frames x channels, float32) and rate of an audio file or its bytes.

    With ``max_seconds``, the header's length is checked before any sample is read, so an over-long
    upload is refused without decoding it into memory.
    """
    import soundfile

    if isinstance(source, (bytes, bytearray)):
        handle, name = io.BytesIO(source), "the upload"
    else:
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"audio file {path.name!r} does not exist")
        if path.stat().st_size == 0:
            raise AudioError("the audio file is empty (0 bytes); record or upload some speech")
        handle, name = path, repr(path.name)
    try:
        with soundfile.SoundFile(handle) as sound:
            if max_seconds is not None and sound.samplerate > 0 and sound.frames > 0:
                check_length(sound.frames / sound.samplerate, max_seconds)
            samples = sound.read(dtype="float32", always_2d=True)
            rate = sound.samplerate
    except AudioError:
        raise
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise AudioError(f"{name} is not a readable audio file ({str(exc).strip()[:120]}); "
                         f"allowed formats: {', '.join(FORMATS)}") from None
    return samples, int(rate)


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


def load_for_model(source: str | Path | bytes, rate: int, max_seconds: float) -> Audio:
    """Decode, check, downmix and resample a recording for a model that reads ``rate`` Hz mono."""
    samples, source_rate = decode(source, max_seconds)
    return prepare(samples, source_rate, rate, max_seconds)


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
