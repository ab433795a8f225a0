"""Text around speech, without torch: transcript segments, SRT subtitles, and sentences cut to a length for TTS."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.text.scripts import no_space_script
from models.text.text_split import split_paragraphs


@dataclass(frozen=True)
class Segment:
    start: float   # seconds from the start of the recording
    end: float
    text: str


def srt_timestamp(seconds: float) -> str:
    """SRT's ``HH:MM:SS,mmm``."""
    millis = max(0, int(round(seconds * 1000)))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def to_srt(segments: list[Segment]) -> str:
    """SubRip subtitles: numbered cues, ``start --> end``, the text, a blank line. Empty cues are skipped."""
    cues = []
    for segment in segments:
        text = segment.text.strip()
        if not text:
            continue
        end = max(segment.end, segment.start + 0.001)
        cues.append(f"{len(cues) + 1}\n{srt_timestamp(segment.start)} --> {srt_timestamp(end)}\n{text}\n")
    return "\n".join(cues)


def join_segments(segments: list[Segment]) -> str:
    """The transcript as one text; a space between pieces unless a piece is in a script without spaces."""
    text = ""
    for segment in segments:
        piece = segment.text.strip()
        if not piece:
            continue
        if text and not (no_space_script(text[-1]) and no_space_script(piece[0])):
            text += " "
        text += piece
    return text


def split_sentences(text: str, max_chars: int, language: str | None = None) -> list[str]:
    """Sentences of ``text`` (the app's one splitter, ``models.text.text_split``), whitespace collapsed, each at
    most ``max_chars`` long (long ones are cut at commas, then spaces)."""
    return [piece for paragraph in split_paragraphs(text, language) for sentence in paragraph.sentences
            for piece in _cut(" ".join(sentence.split()), max_chars)]


def _cut(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    for separator in (r"(?<=[,，、])\s*", r"\s+"):
        parts = [part for part in re.split(separator, sentence) if part]
        if len(parts) > 1:
            chunks, current = [], ""
            for part in parts:
                candidate = f"{current} {part}" if current else part
                if current and len(candidate) > max_chars:
                    chunks.append(current)
                    current = part
                else:
                    current = candidate
            chunks.append(current)
            return [piece for chunk in chunks for piece in _cut(chunk, max_chars)]
    return [sentence[i:i + max_chars] for i in range(0, len(sentence), max_chars)]
