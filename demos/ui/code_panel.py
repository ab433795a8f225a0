"""The "Code" panel of every tab: the short plain-library script that does what the tab does.

``code_panel`` adds a closed accordion holding a ``gr.Code`` block (with a copy button) under the tab. The
tab gives its input components and a function ``settings(ctx, *values) -> (registry key, settings)`` that maps
their values to the entry and the settings the handler would use (``as_given`` when the values go to the
script as they are); ``models.code_snippets.render`` writes the script. The script is refreshed whenever one
of the watched inputs changes (and after the ``after`` events, e.g. a chat reply); these listeners are private,
so they stay out of the API page and the MCP tool list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import gradio as gr

from models.code_snippets import render

Settings = Callable[..., "tuple[str, dict[str, Any]]"]  # (ctx, *input values) -> (key, settings)


def as_given(*names: str) -> Settings:
    """The ``settings`` of a tab whose script takes its inputs as they are: the model picker's value, then one
    value per name (``as_given("context", "question")``)."""
    def settings(ctx, model: str, *values) -> tuple[str, dict[str, Any]]:
        return model, dict(zip(names, values))
    return settings


def file_name(path: Any) -> str | None:
    """The name of an uploaded file, as the script refers to it (the server's temporary path means nothing
    on the user's machine)."""
    return Path(str(path)).name if path else None


def snippet_for(ctx, settings: Settings, *values) -> str:
    """The script for the tab's current values, or a comment saying why there is none yet."""
    try:
        key, chosen = settings(ctx, *values)
        spec = ctx.manager.registry.get(key)
        chosen = {name: value.strip() if isinstance(value, str) else value for name, value in chosen.items()}
        return render(spec, chosen)
    except Exception as exc:  # a half-typed setting must never break the tab: say what is missing instead
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        return f"# No code for these settings: {reason}\n"


def code_panel(ctx, inputs: list, settings: Settings, watch: list | None = None, after: list | None = None) -> gr.Code:
    """A closed "Code" accordion whose script follows ``inputs`` (changes of ``watch``, default all of them)."""
    def script(*values) -> str:
        return snippet_for(ctx, settings, *values)

    with gr.Accordion("Code: do this in a few lines of Python", open=False):
        code = gr.Code(value=script(*[component.value for component in inputs]), language="python",
                       interactive=False, show_label=False, buttons=["copy"], lines=12, max_lines=40)
    options = dict(api_visibility="private", show_progress="hidden", queue=False)
    gr.on([component.change for component in (inputs if watch is None else watch)], script, inputs, code,
          trigger_mode="always_last", **options)
    for event in after or []:
        event.then(script, inputs, code, **options)
    return code
