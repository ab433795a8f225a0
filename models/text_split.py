"""Splitting text for generation: paragraphs, sentences, and token-bounded windows. Pure Python.

A small regex splitter rather than a dependency (nltk needs a data download, pysbd is unmaintained): it
cuts after Western sentence ends followed by a space and after Chinese/Japanese sentence ends
(。！？；…) with or without a space, keeping closing quotes and brackets with their sentence.
Splitting never loses text: joining the pieces back (with the recorded separators) gives the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
SENTENCE_END = re.compile(
    r"(?:[.!?]+|…+)[\"'”’)\]»]*\s+"          # Western end: punctuation, closers, then whitespace
    r"|[。！？；]+[\"'”’」』）】》]*\s*"      # CJK end: no space needed
)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Paragraph:
    sentences: list[str]
    separator: str  # the line break(s) that followed it in the input ("" for the last one)


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph, stripped, none empty."""
    sentences, start = [], 0
    for match in SENTENCE_END.finditer(text):
        piece = text[start:match.end()].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs with their sentences and the exact line breaks between them."""
    paragraphs, start = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        body = text[start:match.start()]
        if body.strip():
            paragraphs.append(Paragraph(split_sentences(body), match.group()))
        elif paragraphs:  # blank lines between paragraphs: keep them with the previous break
            paragraphs[-1] = Paragraph(paragraphs[-1].sentences, paragraphs[-1].separator + match.group())
        start = match.end()
    if text[start:].strip():
        paragraphs.append(Paragraph(split_sentences(text[start:]), ""))
    if paragraphs:
        last = paragraphs[-1]
        paragraphs[-1] = Paragraph(last.sentences, "")
    return paragraphs


def sentence_joiner(language: str | None = None, sample: str = "") -> str:
    """How sentences are glued back together: no space in Chinese/Japanese, a space elsewhere.

    ``language`` is a code when known (a translation target); else the sample text decides.
    """
    if language is not None:
        return "" if language in ("zh", "ja") else " "
    return "" if CJK.search(sample[:500]) else " "


def join_paragraphs(paragraphs: list[Paragraph], sentences: list[str], joiner: str) -> str:
    """Put translated sentences (in order, as many as there are so far) back into the paragraph layout."""
    out, index = [], 0
    for paragraph in paragraphs:
        if index >= len(sentences):
            break
        count = len(paragraph.sentences)
        part = sentences[index:index + count]
        out.append(joiner.join(s.strip() for s in part))
        index += count
        if len(part) == count:
            out.append(paragraph.separator)
    return "".join(out).rstrip() if index >= len(sentences) else "".join(out)


def token_windows(sentences: list[str], count_tokens: Callable[[str], int], max_tokens: int,
                  joiner: str = " ") -> list[str]:
    """Group consecutive sentences into windows of at most ``max_tokens`` tokens each.

    Every sentence lands in exactly one window, in order; a sentence longer than a window on its own is
    cut into pieces by characters, so nothing is dropped.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    windows: list[str] = []
    current: list[str] = []
    current_tokens = 0
    for sentence in sentences:
        for piece in _fit(sentence, count_tokens, max_tokens):
            tokens = count_tokens(piece)
            if current and current_tokens + tokens > max_tokens:
                windows.append(joiner.join(current))
                current, current_tokens = [], 0
            current.append(piece)
            current_tokens += tokens
    if current:
        windows.append(joiner.join(current))
    return windows


def _fit(sentence: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    pieces, rest = [], sentence
    while rest:
        size = len(rest)
        while size > 1 and count_tokens(rest[:size]) > max_tokens:
            size = max(1, size * max_tokens // max(count_tokens(rest[:size]), 1) - 1)
        pieces.append(rest[:size])
        rest = rest[size:]
    return pieces
