"""Language codes and their plain names, for translation dropdowns and instructions. Pure data.

Codes are ISO 639-1, as M2M100 and the opus-mt model names use them.
"""

from __future__ import annotations

LANGUAGE_NAMES = {
    "en": "English", "zh": "Chinese", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "ru": "Russian", "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "hi": "Hindi",
    "nl": "Dutch", "pl": "Polish", "tr": "Turkish", "vi": "Vietnamese", "id": "Indonesian", "th": "Thai",
    "uk": "Ukrainian", "sv": "Swedish", "cs": "Czech", "el": "Greek", "he": "Hebrew", "fa": "Persian",
}


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", code or "")
