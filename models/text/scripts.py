"""Writing scripts, as far as text handling needs them: which ones write words without spaces between them.

Chinese (Han), Japanese (kana), Thai, Lao, Khmer and Myanmar run words together; Korean (Hangul) separates
words with spaces like Latin script does, so it is not one of them.
"""

from __future__ import annotations

import re

# (first, last) code points of blocks whose letters are written without spaces between words
NO_SPACE_RANGES = (
    (0x0E00, 0x0EFF),   # Thai, Lao
    (0x1000, 0x109F),   # Myanmar
    (0x1780, 0x17FF),   # Khmer
    (0x2E80, 0x2FDF),   # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),   # CJK symbols and punctuation (、。「」)
    (0x3040, 0x30FF),   # Hiragana, Katakana
    (0x31F0, 0x31FF),   # Katakana phonetic extensions
    (0x3400, 0x4DBF),   # CJK extension A
    (0x4E00, 0x9FFF),   # CJK unified ideographs
    (0xF900, 0xFAFF),   # CJK compatibility ideographs
    (0xFF00, 0xFF60),   # fullwidth forms (！？（）)
    (0xFF61, 0xFF9F),   # halfwidth CJK punctuation and Katakana
    (0x20000, 0x3134F),  # CJK extensions B-G
)
NO_SPACE = re.compile("[" + "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in NO_SPACE_RANGES) + "]")
HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))
KANA_RANGES = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
THAI_RANGES = ((0x0E00, 0x0E7F),)


def _in(ch: str, ranges) -> bool:
    code = ord(ch)
    return any(first <= code <= last for first, last in ranges)


def no_space_script(ch: str) -> bool:
    """True for a character of a script that writes words without spaces (Han, kana, Thai, ...)."""
    return NO_SPACE.match(ch) is not None


def guess_language(text: str) -> str | None:
    """The language a sample's script implies where the script alone tells (ja, zh, ko, th); else None."""
    sample = text[:2000]
    if any(_in(ch, KANA_RANGES) for ch in sample):
        return "ja"
    if any(_in(ch, HAN_RANGES) for ch in sample):
        return "zh"
    if any(_in(ch, HANGUL_RANGES) for ch in sample):
        return "ko"
    if any(_in(ch, THAI_RANGES) for ch in sample):
        return "th"
    return None


def writes_without_spaces(language: str | None = None, sample: str = "") -> bool:
    """Whether sentences of this language (a code when known, else guessed from the sample) are joined
    without a space: Chinese and Japanese; Korean and Thai (which separate sentences with a space) take one."""
    language = language or guess_language(sample)
    return (language or "").split("-")[0].split("_")[0] in ("zh", "ja")
