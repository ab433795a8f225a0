"""Splitting text for generation: paragraphs, sentences, and token-bounded windows. Pure Python.

One sentence splitter for the whole app (translation, summaries, text-to-speech): ``sentencex`` (Wikimedia's
segmenter, ~300 languages, each with its abbreviations, so "Dr.", "U.S.A.", "3.5", "a.m." or "z. B." end no
sentence), with the app's own handling around it:
- paragraphs and the exact line breaks between them are kept (``split_paragraphs``);
- the language is the caller's when known, else guessed from the script (Chinese, Japanese, Korean, Thai),
  else English's rules apply (``sentence_language``);
- a few continuations that sentencex still cuts are glued back (``_continues``): a piece that starts with a
  lower-case letter, a number after a short abbreviation ("janv. 1990"), a name after a title ("M. Dupont",
  "Le Dr. Martin"), a German date ("am 3. Okt."), and Japanese quoting ("「…。」と言った");
- sentences are joined back with no space in Chinese and Japanese, a space elsewhere (Korean included).
Joining the sentences of a paragraph with single spaces gives the paragraph back, up to whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from models.text.scripts import guess_language, writes_without_spaces

PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
# titles that are followed by a name, never the end of a sentence (English, French, German, Spanish, ...)
TITLES = frozenset("Dr Drs Prof Pr Mr Mrs Ms Messrs M MM Mme Mmes Mlle Mlles Me Hr Hrn Fr Sr Sra Srta".split())
_TITLE_END = re.compile(r"(?:^|[\s(\"'«“])(\w+)\.$")
_SHORT_ABBREVIATION_END = re.compile(r"(?:^|\s)[^\W\d_]{1,5}\.$")
_DAY_NUMBER_END = re.compile(r"(?:^|\s)\d{1,2}\.$")
_MONTH_START = re.compile(r"(?:Jan|Feb|Mär|Mar|Apr|Mai|May|Jun|Jul|Aug|Sep|Okt|Oct|Nov|Dez|Dec)\w*\.?(?:\s|$)")
_JAPANESE_QUOTE_END = re.compile(r"[」』]$")
_JAPANESE_QUOTING = re.compile(r"(?:と|って)")


def sentence_language(language: str | None, text: str) -> str:
    """The language whose sentence rules apply: the given code, else the one the script shows, else English."""
    return language or guess_language(text) or "en"


@dataclass(frozen=True)
class Paragraph:
    sentences: list[str]
    separator: str  # the line break(s) that followed it in the input ("" for the last one)


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Sentences of one paragraph, stripped, none empty; ``language`` a code such as "de" (None: guessed)."""
    from sentencex import get_sentence_boundaries

    spans: list[list[int]] = []  # [start, end] character offsets into text
    for boundary in get_sentence_boundaries(sentence_language(language, text), text):
        start, end = boundary["start_index"], boundary["end_index"]
        if not text[start:end].strip():
            continue
        if spans and _continues(text[spans[-1][0]:spans[-1][1]].strip(), text[start:end].strip()):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [text[start:end].strip() for start, end in spans]


def _continues(previous: str, piece: str) -> bool:
    """Whether ``piece`` carries on the sentence ``previous`` rather than starting a new one."""
    if piece[0].islower() or piece[0] in "-,;:)]}%":  # cased scripts start a sentence with a capital
        return True
    title = _TITLE_END.search(previous)
    if title and title.group(1) in TITLES:
        return True
    if piece[0].isdigit() and _SHORT_ABBREVIATION_END.search(previous):
        return True
    if _DAY_NUMBER_END.search(previous) and _MONTH_START.match(piece):
        return True
    return bool(_JAPANESE_QUOTE_END.search(previous) and _JAPANESE_QUOTING.match(piece))


def split_paragraphs(text: str, language: str | None = None) -> list[Paragraph]:
    """Paragraphs with their sentences and the exact line breaks between them."""
    language = sentence_language(language, text)
    paragraphs, start = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        body = text[start:match.start()]
        if body.strip():
            paragraphs.append(Paragraph(split_sentences(body, language), match.group()))
        elif paragraphs:  # blank lines between paragraphs: keep them with the previous break
            paragraphs[-1] = Paragraph(paragraphs[-1].sentences, paragraphs[-1].separator + match.group())
        start = match.end()
    if text[start:].strip():
        paragraphs.append(Paragraph(split_sentences(text[start:], language), ""))
    if paragraphs:
        last = paragraphs[-1]
        paragraphs[-1] = Paragraph(last.sentences, "")
    return paragraphs


def sentence_joiner(language: str | None = None, sample: str = "") -> str:
    """How sentences are glued back together: no space in Chinese/Japanese, a space elsewhere (Korean too).

    ``language`` is a code when known (a translation target); else the sample text decides.
    """
    return "" if writes_without_spaces(language, sample) else " "


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
