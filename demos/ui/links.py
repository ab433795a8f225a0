"""What the tabs of one app offer each other, typed, and wired once every tab is built.

- ``speech``: the speech recognition tab's audio input and transcribe event (``SpeechLink``); the text to speech
  tab's "Speak it back" fills that input and runs that event.
- ``pickers``: each model picker's card (said again after every run) and the pickers that follow the registry,
  which the models fine-tuned on this server join (``Pickers``).
- ``on_ready``: wiring that uses what another tab offers waits until every tab is built (``ready``), so no tab
  depends on the order the tabs are built in.
- ``kept``: one object of a kind per app, made on first use (the fine-tune tab's training slot and store, the
  speech tabs' limits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

import gradio as gr

T = TypeVar("T")


@dataclass(frozen=True)
class SpeechLink:
    """What the speech recognition tab offers: its audio input, and its transcribe event (the keyword arguments
    of ``.click``/``.success``: handler, inputs, outputs, queue) for another tab to run on that input."""

    audio: gr.Audio
    event: dict[str, Any]


@dataclass
class Pickers:
    """The model pickers of every tab: each one's card, and those that follow the registry."""

    cards: dict[int, gr.Markdown] = field(default_factory=dict)   # a picker's card, by the picker's id
    followed: list[tuple[str, gr.Dropdown]] = field(default_factory=list)   # (task, picker)

    def card_of(self, component: Any) -> gr.Markdown | None:
        """The card under ``component`` when it is a model picker, else None."""
        return self.cards.get(getattr(component, "_id", None))

    def following(self, task: str) -> list[gr.Dropdown]:
        return [dropdown for followed_task, dropdown in self.followed if followed_task == task]


@dataclass
class Links:
    speech: SpeechLink | None = None
    pickers: Pickers = field(default_factory=Pickers)
    _waiting: list[Callable[[], None]] = field(default_factory=list)
    _kept: dict[type, Any] = field(default_factory=dict)

    def on_ready(self, wire: Callable[[], None]) -> None:
        """Call ``wire`` when every tab is built (inside the app's gr.Blocks), to use what other tabs offer."""
        self._waiting.append(wire)

    def ready(self) -> None:
        """Every tab is built: wire the links that wait for it (the app calls this once, inside gr.Blocks)."""
        waiting, self._waiting = self._waiting, []
        for wire in waiting:
            wire()

    def kept(self, kind: type[T], make: Callable[[], T]) -> T:
        """The app's one ``kind`` object, made by ``make`` the first time it is asked for."""
        if kind not in self._kept:
            self._kept[kind] = make()
        return self._kept[kind]
