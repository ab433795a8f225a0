"""Fill in the blank, as plain logic (no torch, no gradio): where the blanks are, the words a user may click to
hide, and the model's guesses for each blank put in order and back into the sentence."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MASK = "[MASK]"  # what the user writes for a blank, whatever the model's own mask token is
MAX_BLANKS = 5  # each blank is guessed on its own from one reading of the sentence: more would mean little
MAX_TOP_K = 20
MAX_SENTENCE_CHARS = 500  # a few sentences: within a BERT's 512 tokens even in Chinese (a token per character)
_BLANK = re.compile(r"\[\s*mask\s*\]|＜mask＞|<mask>", re.IGNORECASE)  # [MASK], [mask], <mask>
_WORD = re.compile(r"\[MASK\]|[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*", re.UNICODE)


@dataclass(frozen=True)
class Guess:
    token: str
    score: float


@dataclass(frozen=True)
class Blank:
    start: int  # where the blank is in the sentence (character offset of its [MASK])
    guesses: tuple[Guess, ...]  # best first


def normalized(text: str) -> str:
    """The sentence with every spelling of a blank ([mask], <mask>, [ MASK ]) written ``[MASK]``."""
    return _BLANK.sub(MASK, text)


def blank_starts(text: str) -> list[int]:
    """Where each ``[MASK]`` of a normalized sentence starts."""
    return [match.start() for match in re.finditer(re.escape(MASK), text)]


def with_mask_token(text: str, mask_token: str) -> str:
    """The normalized sentence with its blanks in the model's own spelling (``[MASK]`` for BERT)."""
    return text.replace(MASK, mask_token)


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


def words(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each word a user may click to hide: runs of letters or digits, and each Chinese
    character on its own (a Chinese BERT reads one character per token, so one blank hides one character).
    Blanks already in the sentence are not words."""
    spans = []
    for match in _WORD.finditer(text):
        if match.group() == MASK:
            continue
        start = match.start()
        run = match.group()
        if any(_is_cjk(char) for char in run):
            spans += [(start + i, start + i + 1) for i, char in enumerate(run) if not char.isspace()]
        else:
            spans.append((match.start(), match.end()))
    return spans


def hide(text: str, index: int) -> str:
    """The sentence with its ``index``-th clickable word replaced by a blank; unchanged if there is no such word."""
    spans = words(text)
    if not 0 <= index < len(spans):
        return text
    start, end = spans[index]
    return text[:start] + MASK + text[end:]


def clickable(text: str) -> list[tuple[str, str | None]]:
    """The sentence as (piece, label) pairs for a highlighted view: every clickable word labelled "word", blanks
    labelled "blank", the rest unlabelled. Clicking the i-th labelled "word" piece hides word i."""
    pieces, at = [], 0
    marks = sorted([(s, e, "word") for s, e in words(text)] + [(s, s + len(MASK), "blank") for s in blank_starts(text)])
    for start, end, label in marks:
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], label))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


def word_index(pieces: list[tuple[str, str | None]], piece_index: int) -> int | None:
    """Which word the piece at ``piece_index`` of ``clickable(...)`` is (None for a blank or plain text)."""
    if not 0 <= piece_index < len(pieces) or pieces[piece_index][1] != "word":
        return None
    return sum(1 for _, label in pieces[:piece_index] if label == "word")


def blanks_from(text: str, predictions: list) -> list[Blank]:
    """The guesses for each blank of ``text`` (normalized), from a fill-mask model's output: one list of
    ``{"token_str", "score"}`` per blank (a lone blank may come as the list itself), best first."""
    starts = blank_starts(text)
    if predictions and isinstance(predictions[0], dict):
        predictions = [predictions]
    if len(predictions) != len(starts):
        raise ValueError(f"the model gave guesses for {len(predictions)} blanks; the sentence has {len(starts)}")
    blanks = []
    for start, guesses in zip(starts, predictions):
        ranked = sorted(guesses, key=lambda guess: -float(guess["score"]))
        blanks.append(Blank(start, tuple(Guess(_shown(guess["token_str"]), float(guess["score"]))
                                         for guess in ranked)))
    return blanks


def _shown(token: str) -> str:
    """A guessed token as the user reads it: WordPiece's continuation mark kept (``##ing`` ends a word), spaces
    around it dropped."""
    return token.strip() or token


NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩"  # a blank's label in the highlighted sentence: the same in every language


def filled(text: str, blanks: list[Blank]) -> list[tuple[str, str | None]]:
    """The sentence with each blank replaced by its best guess, labelled ①, ②... for a highlighted view."""
    pieces, at = [], 0
    for number, blank in enumerate(blanks):
        if blank.start > at:
            pieces.append((text[at:blank.start], None))
        best = blank.guesses[0].token if blank.guesses else "?"
        pieces.append((best, NUMBERS[number]))
        at = blank.start + len(MASK)
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


def table(blanks: list[Blank]) -> list[list]:
    """Every blank's guesses as rows of (blank, guess, probability), best first within each blank."""
    return [[NUMBERS[number], guess.token, round(guess.score, 4)]
            for number, blank in enumerate(blanks) for guess in blank.guesses]
