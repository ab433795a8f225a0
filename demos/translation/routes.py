"""Which translation entry serves which language pair. Pure logic over registry data.

Marian opus-mt entries (``params["family"] == "opus-mt"``) each translate one pair; the tab shows them as
one engine, "opus-mt", whose language dropdowns offer exactly the pairs that have an entry. A
multilingual entry (M2M100, a chat model) translates between any two of its ``languages``; an entry with
``params["auto_detect"]`` (a chat model) may also be given no source language.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.registry.spec import ModelSpec

AUTO = "auto"


class RouteError(ValueError):
    """No entry translates the requested pair; the message says what is available."""


@dataclass(frozen=True)
class Route:
    spec: ModelSpec
    source: str | None  # None: auto-detect
    target: str


def family(spec: ModelSpec) -> str | None:
    return spec.params.get("family")


def engines(specs: list[ModelSpec]) -> list[tuple[str, str]]:
    """(label, value) per engine, in registry order: a family once, every other entry by its key."""
    out: dict[str, str] = {}
    for spec in specs:
        name = family(spec)
        if name:
            out.setdefault(name, f"{name} (one model per language pair)")
        else:
            out[spec.key] = spec.name
    return [(label, value) for value, label in out.items()]


def pairs(specs: list[ModelSpec], engine: str) -> dict[str, list[str]]:
    """source -> targets the engine translates; the source AUTO where the engine detects it."""
    if not isinstance(engine, str) or not engine:  # None would match every entry that has no family
        return {}
    members = [s for s in specs if family(s) == engine or s.key == engine]
    table: dict[str, list[str]] = {}
    for spec in members:
        if family(spec):
            table.setdefault(spec.params["source"], []).append(spec.params["target"])
            continue
        languages = list(spec.languages)
        if spec.params.get("auto_detect"):
            table[AUTO] = languages
        for source in languages:
            table[source] = [t for t in languages if t != source]
    return table


def resolve(specs: list[ModelSpec], engine: str, source: str, target: str) -> Route:
    """The entry and codes for a request, or RouteError saying what is allowed."""
    table = pairs(specs, engine)
    if not table:
        raise RouteError(f"Unknown translation model {_quoted(engine)}")
    if not isinstance(source, str) or not isinstance(target, str):
        raise RouteError("Source and target must be language codes, such as 'en' or 'zh'")
    if source == target:
        raise RouteError(f"Source and target are both {_quoted(source)}: pick two different languages")
    if source not in table:
        raise RouteError(f"{engine} does not translate from {_quoted(source)}; it translates from: "
                         f"{', '.join(table)}")
    if target not in table[source]:
        raise RouteError(f"{engine} does not translate {source!r} into {_quoted(target)}; from {source!r} it "
                         f"offers: {', '.join(table[source])}")
    for spec in specs:
        if family(spec) is not None and family(spec) == engine and (spec.params["source"], spec.params["target"]) == (source, target):
            return Route(spec, source, target)
        if spec.key == engine:
            return Route(spec, None if source == AUTO else source, target)
    raise RouteError(f"No model for {source!r} -> {target!r}")  # unreachable when pairs() agrees


def _quoted(value, limit: int = 40) -> str:
    """A user's value in a message: quoted, and cut (an error must not echo a megabyte back)."""
    text = value if isinstance(value, str) else type(value).__name__
    return repr(text[:limit]) + ("…" if len(text) > limit else "")
