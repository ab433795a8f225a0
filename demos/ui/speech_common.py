"""What the speech tabs share: their limits, the language list, and files handed back to the browser."""

from __future__ import annotations

from pathlib import Path

from models.settings import SpeechLimits
from models.runtime.temp_dirs import fresh_temp_dir

MODEL_RATE = 16_000   # every speech recognition entry reads 16 kHz mono; the runner resamples if one differs

# Whisper language codes the dropdown offers (Whisper knows 99; the model refuses codes it does not know)
LANGUAGES = [
    ("Auto-detect", "auto"), ("English", "en"), ("Chinese", "zh"), ("Spanish", "es"), ("French", "fr"),
    ("German", "de"), ("Japanese", "ja"), ("Korean", "ko"), ("Russian", "ru"), ("Portuguese", "pt"),
    ("Italian", "it"), ("Dutch", "nl"), ("Arabic", "ar"), ("Hindi", "hi"), ("Turkish", "tr"),
    ("Polish", "pl"), ("Ukrainian", "uk"), ("Vietnamese", "vi"), ("Indonesian", "id"), ("Thai", "th"),
    ("Swedish", "sv"), ("Greek", "el"), ("Hebrew", "he"), ("Persian", "fa"), ("Cantonese", "yue"),
]
LANGUAGE_CODES = {code for _, code in LANGUAGES}


OUTPUT_PREFIX = "demo-speech-"
OUTPUT_MAX_AGE_S = 3600   # Gradio copies returned files into its own cache; ours are removed after an hour


def output_dir(max_age_s: float = OUTPUT_MAX_AGE_S) -> Path:
    """A fresh folder for one request's files; earlier requests' folders older than ``max_age_s`` go."""
    return fresh_temp_dir(OUTPUT_PREFIX, max_age_s)


def limits_of(ctx) -> SpeechLimits:
    """The speech tabs' limits: the app's settings (DEMO_MAX_AUDIO_SECONDS, DEMO_MAX_TTS_CHARS)."""
    return ctx.settings.speech


def safe_stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in Path(name or "audio").stem)[:60]
    return stem.strip("-") or "audio"

