"""What every tab shares: the model picker and its card, input checks, running a model with a status line.

Handlers call ``check_text`` / ``check_model`` first, then ``run_model``; every problem a user can cause
becomes a ``gr.Error`` that says what is wrong and what is allowed, and the app keeps serving.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import gradio as gr

from demos.server import zerogpu
from demos.server.access import Access, note_model
from demos.ui.failures import remembering, show_failures
from demos.ui.links import Links
from models.runtime.batching import GatedRunner
from models.runtime.device import free_cached_memory, is_out_of_memory
from models.runtime.errors import InputError, ModelLoadError, hide_paths
from models.runtime.manager import ModelManager
from models.registry import UnknownModelError
from models.settings import Settings
from models.registry.spec import ModelSpec

log = logging.getLogger(__name__)


@dataclass
class DemoContext:
    """What a tab needs from the app: the shared model manager, the app's settings (input limits, data folder,
    ...), and how many model-bound requests may be in the handlers at once (the rest wait in gradio's queue)."""

    manager: ModelManager
    settings: Settings = field(default_factory=Settings)
    concurrency: int = 16
    links: Links = field(default_factory=Links)  # what one tab offers another (demos.ui.links)
    access: Access = field(default_factory=Access)  # rate limit and audit log around every model request

    def specs(self, task: str) -> list[ModelSpec]:
        return self.manager.registry.for_task(task)


# --- building blocks of a tab --------------------------------------------------------------------

def model_picker(ctx: DemoContext, task: str) -> gr.Dropdown:
    """A dropdown of the task's registry entries (default first) with a one-line card under it."""
    specs = ctx.specs(task)
    dropdown = gr.Dropdown(choices=[(spec.name, spec.key) for spec in specs], value=specs[0].key,
                           label="Model", interactive=len(specs) > 1)
    card = gr.Markdown(model_card(ctx, specs[0].key), elem_classes=["model-card"])  # (translated on the server)
    dropdown.change(lambda key: model_card(ctx, key), dropdown, card, api_visibility="private")
    ctx.links.pickers.cards[dropdown._id] = card
    return dropdown


def examples(rows: list[list], inputs: list, names: list[tuple[str, Any]] | None = None, **kwargs) -> gr.Examples:
    """gr.Examples whose table names every dropdown value of its rows. The table shows a dropdown's value by its
    name among the dropdown's choices as built, so a value outside them (a target language that follows the
    source, a voice of another model) would be an empty cell: it is added, named by ``names`` or as itself."""
    table = gr.Examples(rows, inputs=inputs, **kwargs)
    named = {value: name for name, value in names or []}
    for column, props in enumerate(table.dataset.component_props):
        if not isinstance(props.get("choices"), list):
            continue
        choices = [tuple(choice) for choice in props["choices"]]
        known = {value for _, value in choices}
        for row in table.visible_examples:
            value = row[column]
            if value is not None and value not in known:
                choices.append((named.get(value, str(value)), value))
                known.add(value)
        props["choices"] = choices
    return table


def refresh_cards(ctx: DemoContext, event, inputs: list) -> None:
    """After ``event`` (a run, successful or not), the cards of its model pickers say the model's state again
    (loaded, or its last load failed), not the state the page was built with."""
    for component in inputs:
        card = ctx.links.pickers.card_of(component)
        if card is not None:
            event.then(lambda key: model_card(ctx, key), component, card, api_visibility="private", queue=False,
                       show_progress="hidden")


def follow_registry(ctx: DemoContext, task: str, dropdown: gr.Dropdown) -> None:
    """Keep a model dropdown in step with entries added while the app serves (models fine-tuned here): the
    browser's list refreshes when the user opens the dropdown, and ``registry_changed`` updates the list
    that gradio checks every request's value against."""
    ctx.links.pickers.followed.append((task, dropdown))
    dropdown.focus(lambda: gr.Dropdown(choices=model_choices(ctx, task)), None, dropdown,
                   api_visibility="private", show_progress="hidden", queue=False)


def registry_changed(ctx: DemoContext, task: str) -> None:
    """Tell the dropdowns that follow ``task`` that its entries changed (called after an entry is added)."""
    for dropdown in ctx.links.pickers.following(task):
        dropdown.choices = model_choices(ctx, task)


def model_choices(ctx: DemoContext, task: str) -> list[tuple[str, str]]:
    return [(spec.name, spec.key) for spec in ctx.specs(task)]


def model_card(ctx: DemoContext, key: str) -> str:
    try:
        spec = ctx.manager.registry.get(key)
    except UnknownModelError:
        return ""
    state = ctx.manager.state(key)
    note = {"ready": "loaded", "failed": "last load failed: select Run to retry",
            "evicted": EVICTED_NOTE + ": reloads on next use"}.get(state, "loads on first use")
    card = spec.card()
    if ctx.manager.profile == "tiny":
        card = f"**{TINY_NOTE}**, standing in for: {card}"
    return f"<small>{card} · *{note}*</small>"


EVICTED_NOTE = "evicted to make room"  # a model unloaded for others (the memory budget), said when it comes back
TINY_NOTE = "Tiny twin: random weights, its outputs mean nothing"  # said in the card and every status line


def status_line() -> gr.Markdown:
    return gr.Markdown("", elem_classes=["status-line"])


# --- checks ------------------------------------------------------------------------------------

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
ECHO_CHARS = 60  # most characters of a user's value repeated in a message or a log line


def error_text(exc: BaseException, limit: int = 600) -> str:
    """A model-side error (``InputError`` and kin) as a message for the user: a sentence, at most ``limit``
    characters, with no path of the server in it."""
    text = " ".join(hide_paths(str(exc)).split()) or type(exc).__name__
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"{text[0].upper()}{text[1:]}{'' if text.endswith(('.', '?', '!')) else '.'}"


def shown(value: Any, limit: int = ECHO_CHARS) -> str:
    """A user's value as a message may quote it: its repr, cut to ``limit`` characters (a 20 MB value sent
    back in an error, or written to the log, costs 20 MB each time)."""
    if isinstance(value, str):
        return repr(value[:limit]) + ("…" if len(value) > limit else "")
    if value is None or isinstance(value, (int, float)):
        return str(value)[:limit]
    return f"a {type(value).__name__}"  # a list or a dict: what it is, not what it holds


def check_text(text: Any, field_name: str, max_chars: int) -> str:
    """The text, stripped, or a gr.Error saying why it cannot be used."""
    if text is None or not isinstance(text, str):
        raise gr.Error(f"{field_name} is missing: type or paste some text.")
    text = text.strip()
    if not text:
        raise gr.Error(f"{field_name} is empty: type or paste some text.")
    if len(text) > max_chars:
        raise gr.Error(f"{field_name} is {len(text):,} characters long; the limit is {max_chars:,}. "
                       "Shorten it and try again.")
    junk = sum(1 for ch in text if ch == "\ufffd" or
               (unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in _ALLOWED_CONTROLS))
    if junk > max(2, len(text) // 10):
        raise gr.Error(f"{field_name} looks like binary data, not text ({junk} control or invalid "
                       "characters). Paste plain text.")
    cleaned = clean_text(text)
    if not cleaned.strip():
        raise gr.Error(f"{field_name} holds no readable characters: type or paste some text.")
    return cleaned


def clean_text(text: str) -> str:
    """The text without the characters that mean nothing to a tokenizer and can break it: control characters
    (line breaks and tabs stay) and lone surrogates (half of a UTF-16 pair, which cannot be encoded)."""
    return "".join(ch for ch in text if ch in _ALLOWED_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs"))


def check_number(value: Any, name: str, low: float, high: float, integer: bool = False,
                 multiple: int = 1) -> float | int:
    """A finite number within [low, high] (a whole number, and a multiple of ``multiple``, when asked), or a
    gr.Error naming the field, what is wrong and what is allowed. NaN, infinities, booleans, lists and
    text that is not a number are refused, not passed on to fail deep inside a model."""
    kind = "a whole number" if integer else "a number"
    allowed = f"{name} must be {kind} between {_bound(low)} and {_bound(high)}"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise gr.Error(f"{allowed}, not {'nothing' if value is None else 'a ' + type(value).__name__}.")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        raise gr.Error(f"{allowed}, not {shown(value)}.") from None
    if not math.isfinite(number) or not low <= number <= high or (integer and number != int(number)):
        raise gr.Error(f"{allowed}, not {shown(value)}.")
    if integer and int(number) % multiple:
        raise gr.Error(f"{name} is {int(number)}; it must be a multiple of {multiple} "
                       f"(e.g. {int(number) // multiple * multiple}).")
    return int(number) if integer else number


def _bound(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def check_choice(value: Any, name: str, allowed: list[str] | dict) -> str:
    """One of the allowed names (a dropdown or radio value), or a gr.Error listing them."""
    if not isinstance(value, str) or value not in allowed:
        raise gr.Error(f"{name} {shown(value)} is not available here. Choose one of: "
                       f"{', '.join(map(str, allowed))}.")
    return value


def check_model(ctx: DemoContext, task: str, key: Any) -> ModelSpec:
    """The registry entry for a dropdown value; anything not listed for this task is refused."""
    allowed = {spec.key: spec for spec in ctx.specs(task)}
    if not isinstance(key, str) or key not in allowed:
        raise gr.Error(f"Unknown model {shown(key, 100)} for this tab. Choose one of: {', '.join(allowed)}.")
    return allowed[key]


# --- running a model ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Timed:
    result: Any
    status: str  # the status line: model, device, load and inference times


def run_model(ctx: DemoContext, spec: ModelSpec, call: Callable[[Any], Any],
              progress: gr.Progress | None = None) -> Timed:
    """Load (if needed) and call a model through the accelerator gate, for calls that do not batch. Each
    model call ``call`` makes holds the gate for that call only (``GatedRunner``): what it does around them
    (counting tokens, parsing the output) leaves the gate to other tabs."""
    acquired = acquire_model(ctx, spec, progress)
    return _timed(ctx, spec, acquired, lambda: call(GatedRunner(acquired.runner, ctx.manager.gate)))


def run_batched(ctx: DemoContext, spec: ModelSpec, item: Any, progress: gr.Progress | None = None,
                **params) -> Timed:
    """Load (if needed) and run one input, batched with other users' concurrent inputs to the same model."""
    acquired = acquire_model(ctx, spec, progress)
    batcher = ctx.manager.batcher(spec.key, acquired.runner, params)
    return _timed(ctx, spec, acquired, lambda: batcher(item))


def model_queue(ctx: DemoContext) -> dict:
    """Event settings for model-bound work: every such event shares one concurrency group, wide enough for
    batching; the manager's gate then lets only ``gpu_concurrency`` model executions run at once."""
    return {"concurrency_id": "models", "concurrency_limit": ctx.concurrency}


def model_event(ctx: DemoContext, triggers: list, fn: Callable, inputs: list, outputs: list, api_name: str):
    """Wire a tab's handler ``fn(ctx, *inputs)`` (see ``bind``) as a model-bound event (see ``model_queue``),
    behind the rate limit and audit log, and on ZeroGPU inside ``@spaces.GPU`` (see ``guarded``). In the browser,
    a failure's reason stays in the status line and the model card follows the model's state
    (``demos.ui.failures``, ``refresh_cards``)."""
    event = gr.on(triggers, guarded(ctx, bind(ctx, fn), api_name), inputs, outputs, api_name=api_name,
                  **model_queue(ctx))
    show_failures(event, api_name, outputs)
    refresh_cards(ctx, event, inputs)
    return event


def bind(ctx: DemoContext, fn: Callable) -> Callable:
    """A tab's handler ``fn(ctx, ...)`` with ``ctx`` given: what gradio calls. Each handler is defined once, at
    module level, where tests call it with a context; the bound one keeps its name (the MCP tool's name), its
    docstring (the API page's and the MCP tool's description) and its signature without ``ctx`` (the API's
    parameters; a ``gr.Progress()`` default and a ``gr.Request`` hint are what gradio fills in), and stays a
    generator function when ``fn`` is one (gradio streams those)."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def bound_stream(*args, **kwargs):
            yield from fn(ctx, *args, **kwargs)
        bound = bound_stream
    else:
        @functools.wraps(fn)
        def bound_call(*args, **kwargs):
            return fn(ctx, *args, **kwargs)
        bound = bound_call
    signature = inspect.signature(fn)
    bound.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
    return bound


def guarded(ctx: DemoContext, fn: Callable, api_name: str) -> Callable:
    """``fn`` behind the access rules (``demos.server.access``: rate limit, audit log) and, on a ZeroGPU Space, run
    inside ``@spaces.GPU`` (``demos.server.zerogpu``); for events wired without ``model_event``. Its errors are remembered
    for the browser's status line (``demos.ui.failures.show_failures``)."""
    return remembering(ctx.access.guard(zerogpu.gpu(fn, api_name), api_name), api_name)


def acquire_model(ctx: DemoContext, spec: ModelSpec, progress: gr.Progress | None = None):
    """The loaded model (loading it first if needed, with progress); a failed load becomes a gr.Error."""
    state = ctx.manager.state(spec.key)
    loading = progress is not None and state != "ready"
    if loading:
        progress(0, desc=f"Reloading {spec.name} ({EVICTED_NOTE})…" if state == "evicted"
                 else f"Loading {spec.name} (first use: downloading if needed)…")
    note_model(spec.key)
    try:
        acquired = ctx.manager.acquire(spec.key)
    except ModelLoadError as exc:  # the manager logged it with the operator's hint (download it, --profile tiny)
        raise gr.Error(f"{spec.name} could not be loaded: {hide_paths(exc.reason)}. The operator of this server has been told. "
                       "Select Run to try again; the other tabs keep working.") from exc
    if loading:  # only then: a progress message per request costs a lone user a few milliseconds
        progress(0, desc=f"Running {spec.name}…")  # 0: the work's own progress follows, never backwards
    return acquired


@contextmanager
def reported_failures(spec: ModelSpec):
    """Failures inside a model call become a gr.Error that says what to do; the app keeps serving."""
    try:
        yield
    except gr.Error:
        raise
    except InputError as exc:
        raise gr.Error(error_text(exc)) from exc
    except Exception as exc:
        if is_out_of_memory(exc):
            log.warning("out of memory in %s: %s", spec.key, exc)
            free_cached_memory()
            raise gr.Error(f"{spec.name} ran out of memory on this input. Lower the size or length (image size, "
                           "number of images, max new tokens, text or audio length) and try again; "
                           "the app keeps serving.") from exc
        log.exception("inference failed for %s", spec.key)
        raise gr.Error(f"{spec.name} failed on this input ({type(exc).__name__}). "
                       "Try a shorter or simpler input; the app keeps serving.") from exc


def status_head(ctx: DemoContext, spec: ModelSpec, acquired) -> str:
    """The start of a status line: model, device, and the load time when this request loaded it."""
    head = f"**{spec.name}** on {ctx.manager.placement.describe()}"
    if ctx.manager.profile == "tiny":
        head += f" · **{TINY_NOTE}**"
    if getattr(acquired, "reloaded", False):
        head += f" · reloading ({EVICTED_NOTE}): loaded in {acquired.load_seconds:.1f} s"
    elif acquired.load_seconds is not None:
        head += f" · loaded in {acquired.load_seconds:.1f} s (first use)"
    return head


def _timed(ctx: DemoContext, spec: ModelSpec, acquired, run: Callable[[], Any]) -> Timed:
    started = time.perf_counter()
    with reported_failures(spec):
        result = run()
    took = time.perf_counter() - started
    return Timed(result, f"{status_head(ctx, spec, acquired)} · inference {took * 1000:.0f} ms")
