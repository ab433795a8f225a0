"""Knowledge-graph triples from text: the two output formats, parsed strictly, and the call for each runner.

- REBEL (``relation-extraction`` runner) writes ``<triplet> head <subj> tail <obj> relation``; one head may be
  followed by several ``<subj> tail <obj> relation`` pairs (the linearization of its model card).
- A chat model (a runner that takes a conversation, ``runner.conversation``) is asked for a JSON array of
  ``{"head", "relation", "tail"}`` objects.
Both parsers accept exactly their format and raise ``TripleFormatError`` saying where it breaks: a malformed
output is reported to the user, never repaired by guessing. Pure Python: no torch, no gradio.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

REBEL_MARKERS = ("<triplet>", "<subj>", "<obj>")
_REBEL_SPLIT = re.compile(r"(<triplet>|<subj>|<obj>|</?head>|</?tail>)")
_FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(.*)\n```\Z", re.DOTALL)
JSON_KEYS = ("head", "relation", "tail")


@dataclass(frozen=True)
class Triple:
    head: str
    relation: str
    tail: str


@dataclass(frozen=True)
class Extraction:
    triples: list[Triple]     # in the order the model wrote them, exact repeats dropped
    raw: str                  # the model's output as decoded
    error: str | None         # why the output could not be read; then ``triples`` is empty
    tokens: int = 0           # tokens in the input text
    window: int = 0           # the most input tokens the model reads (0: not limited here)

    @property
    def truncated(self) -> bool:
        return bool(self.window) and self.tokens > self.window


class TripleFormatError(ValueError):
    """A model output that is not in the expected triple format."""


# --- REBEL ---------------------------------------------------------------------------------------------------

def parse_rebel(text: str) -> list[Triple]:
    """Triples from REBEL's linearized output (sequence tokens such as ``<s>`` already removed).

    Grammar: ``( <triplet> HEAD ( <subj> TAIL <obj> RELATION )+ )*`` where each part is non-empty text.
    An empty output means no triples.
    """
    pieces = [piece.strip() for piece in _REBEL_SPLIT.split(text)]
    # pieces alternate: text, marker, text, marker, ..., text
    if pieces[0]:
        raise TripleFormatError(f"text before the first <triplet>: {_short(pieces[0])!r}")
    triples, head, expected = [], None, ("<triplet>",)
    for i in range(1, len(pieces), 2):
        marker, content = pieces[i], pieces[i + 1]
        if marker not in expected:
            raise TripleFormatError(f"{marker} where {' or '.join(expected)} was expected "
                                    f"(marker {i // 2 + 1})")
        if not content:
            part = {"<triplet>": "head", "<subj>": "tail", "<obj>": "relation"}[marker]
            raise TripleFormatError(f"empty {part} after {marker} (marker {i // 2 + 1})")
        if marker == "<triplet>":
            head, expected = content, ("<subj>",)
        elif marker == "<subj>":
            tail, expected = content, ("<obj>",)
        else:
            triples.append(Triple(head, content, tail))
            expected = ("<subj>", "<triplet>")
    if expected != ("<triplet>",) and expected != ("<subj>", "<triplet>"):
        raise TripleFormatError(f"the output ends before the triple is complete ({' or '.join(expected)} missing)")
    return triples


# --- JSON from a chat model ----------------------------------------------------------------------------------

def triples_instruction(text: str) -> str:
    return ("Extract the facts stated in the text below as knowledge-graph triples. Answer with a JSON array "
            "only, no other words, in exactly this form:\n"
            '[{"head": "entity", "relation": "relation", "tail": "entity"}]\n'
            "Use the words of the text, in its language. If the text states no relation, answer [].\n\n"
            f"Text:\n{text}")


def parse_json_triples(text: str) -> list[Triple]:
    """Triples from a chat model's answer: a JSON array of objects with exactly the keys head, relation and
    tail, each a non-empty string. The array may be wrapped in one Markdown code fence and nothing else."""
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    if not body:
        raise TripleFormatError("the answer is empty (expected a JSON array, [] when there are no triples)")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise TripleFormatError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, list):
        raise TripleFormatError(f"expected a JSON array of triples, got a JSON {type(data).__name__}")
    triples = []
    for n, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise TripleFormatError(f"item {n} is a {type(item).__name__}, not an object with {', '.join(JSON_KEYS)}")
        if set(item) != set(JSON_KEYS):
            missing, extra = set(JSON_KEYS) - set(item), set(item) - set(JSON_KEYS)
            detail = "; ".join(part for part in (f"missing {sorted(missing)}" if missing else "",
                                                 f"unexpected {sorted(extra)}" if extra else "") if part)
            raise TripleFormatError(f"item {n} must have exactly the keys {', '.join(JSON_KEYS)} ({detail})")
        values = [item[key] for key in JSON_KEYS]
        if not all(isinstance(value, str) and value.strip() for value in values):
            raise TripleFormatError(f"item {n}: head, relation and tail must be non-empty strings")
        triples.append(Triple(*(value.strip() for value in values)))
    return triples


# --- running a model -----------------------------------------------------------------------------------------

def extract_triples(runner, text: str, **params) -> Extraction:
    """Ask the model behind ``runner`` for the triples of ``text`` and parse its answer strictly."""
    if getattr(runner, "conversation", False):  # a chat model: asked in words, answers in JSON
        messages = [{"role": "system", "content": "You extract knowledge-graph triples from text."},
                    {"role": "user", "content": triples_instruction(text)}]
        raw = runner([messages], **params)[0]
        return _parsed(raw, parse_json_triples, tokens=runner.count_tokens(text))
    raw = runner([text], **params)[0]
    return _parsed(raw, parse_rebel, tokens=runner.count_tokens(text), window=runner.window)


def _parsed(raw: str, parse, tokens: int = 0, window: int = 0) -> Extraction:
    try:
        triples = list(dict.fromkeys(parse(raw)))
    except TripleFormatError as exc:
        return Extraction([], raw, str(exc), tokens, window)
    return Extraction(triples, raw, None, tokens, window)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
