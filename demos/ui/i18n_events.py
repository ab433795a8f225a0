"""What the server sends after the page is built, in the browser's language (see ``demos/ui/i18n.py``).

Every event handler is wrapped (``localize_events``): a ``gr.update(...)`` or component it returns names its label,
hint, placeholder and choices in English, and the page gets their translation keys instead, so a translated label
stays translated after an example click or a model change; for a browser that asks for Chinese first, its status
lines, model cards, table headers, progress and errors are put in Chinese (``demos/ui/i18n_messages.py``). On each page
load in Chinese, ``localize_page`` sends what the page would otherwise show as built: the examples tables' headers
and value names, the model cards, the empty result tables' headers.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import gradio as gr
from gradio.blocks import Block

from demos.ui.i18n import I18N, TRANSLATED_PROPS, TRANSLATED_VALUES, control_key, translate_choices
from demos.ui.i18n_messages import TITLES_ZH, to_chinese
from demos.ui.i18n_ui import CHOICES_ZH, HEADERS_ZH, UI_ZH


# --- the browser's language, on the server -----------------------------------------------------------------------

def request_language(request=None) -> str:
    """"zh" when the browser asks for Chinese first (its Accept-Language header, which follows the same browser
    setting the page picks its language by), else "en". Without a request: the request of the handler running."""
    if request is None:
        from gradio.context import LocalContext  # set by gradio around every call of an event handler

        request = LocalContext.request.get(None)
    try:
        headers = getattr(request, "headers", None)
        accept = (headers.get("accept-language") or headers.get("Accept-Language") or "") if headers else ""
    except Exception:  # an unusual request object: English
        return "en"
    first = str(accept).split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


# --- what the handlers send back ----------------------------------------------------------------------------------

LOCALIZED = "_i18n_localized"
SERVER_SIDE_CLASSES = ("status-line", "model-card")  # outputs whose text is built at run time


def localize_events(blocks) -> None:
    """Wrap every event handler of ``blocks`` (plain, generator or async) so that what it sends back, its errors and
    its progress are translated: see ``localized_value``; errors and progress in Chinese for a Chinese browser."""
    wrappers: dict[tuple, Callable] = {}  # one handler wired twice to the same outputs stays one function
    for block_fn in blocks.fns.values():
        fn = block_fn.fn
        if fn is None or getattr(fn, LOCALIZED, False):
            continue
        outputs = list(block_fn.outputs)
        key = (fn, tuple(id(block) for block in outputs))
        if key not in wrappers:
            wrappers[key] = localized(fn, outputs)
        block_fn.fn = wrappers[key]


def localized(fn: Callable, outputs: list) -> Callable:
    """``fn`` with the same name, docstring and signature (gradio reads them), its results, errors and progress
    translated for the browser that called it."""

    def results(value):
        return localize_results(value, outputs, request_language())

    if inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            with _chinese_errors():
                async for item in fn(*_progress_args(args), **_progress_kwargs(kwargs)):
                    yield results(item)
    elif inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            with _chinese_errors():
                return results(await fn(*_progress_args(args), **_progress_kwargs(kwargs)))
    elif inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _chinese_errors():
                for item in fn(*_progress_args(args), **_progress_kwargs(kwargs)):
                    yield results(item)
    else:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _chinese_errors():
                return results(fn(*_progress_args(args), **_progress_kwargs(kwargs)))
    setattr(wrapper, LOCALIZED, True)
    return wrapper


class _chinese_errors:
    """A ``gr.Error`` raised inside, in Chinese (message and title) for a Chinese browser."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, gr.Error) and request_language() == "zh":
            error.message = to_chinese(error.message)
            error.title = TITLES_ZH.get(error.title, error.title)
        return False


class ChineseProgress:
    """A gr.Progress whose descriptions are shown in Chinese."""

    def __init__(self, progress) -> None:
        self._progress = progress

    def __call__(self, *args, **kwargs):
        if len(args) > 1:
            args = (args[0], to_chinese(args[1]), *args[2:])
        if kwargs.get("desc"):
            kwargs["desc"] = to_chinese(kwargs["desc"])
        return self._progress(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._progress, name)


def _progress_args(args: tuple) -> tuple:
    if not any(isinstance(arg, gr.Progress) for arg in args) or request_language() != "zh":
        return args
    return tuple(ChineseProgress(arg) if isinstance(arg, gr.Progress) else arg for arg in args)


def _progress_kwargs(kwargs: dict) -> dict:
    if not any(isinstance(arg, gr.Progress) for arg in kwargs.values()) or request_language() != "zh":
        return kwargs
    return {name: ChineseProgress(arg) if isinstance(arg, gr.Progress) else arg for name, arg in kwargs.items()}


def localize_results(value: Any, outputs: list, language: str) -> Any:
    """A handler's return value with each output's value translated (``localized_value``)."""
    if len(outputs) == 1:
        return localized_value(value, outputs[0], language)
    if isinstance(value, (tuple, list)) and len(value) == len(outputs):
        return type(value)(localized_value(item, block, language) for item, block in zip(value, outputs))
    if isinstance(value, dict) and value and all(isinstance(key, Block) for key in value):
        return {block: localized_value(item, block, language) for block, item in value.items()}
    return value


def localized_value(value: Any, block, language: str) -> Any:
    """What a handler sends to ``block``, translated: an update's or a component's label, hint, placeholder and choice
    names become translation keys (for every browser: the page picks the text); for a Chinese browser, the text of a
    status line or model card and the headers of a table, in Chinese."""
    if isinstance(value, Block):  # gradio sends a returned component's constructor arguments
        _translate_props(value.constructor_args, block)
        return value
    if isinstance(value, dict) and value.get("__type__") == "update":
        value = _translate_props(dict(value), block)
        if language == "zh" and "value" in value:
            value["value"] = _chinese_value(value["value"], block)
        return value
    return _chinese_value(value, block) if language == "zh" else value


def _translate_props(props: dict, block) -> dict:
    for name in TRANSLATED_PROPS + (("value",) if type(block).__name__ in TRANSLATED_VALUES else ()):
        if isinstance(props.get(name), str) and props[name] in UI_ZH:
            props[name] = I18N(control_key(props[name]))
    if isinstance(props.get("choices"), list) and getattr(block, "translated_choices", False):
        props["choices"] = translate_choices(props["choices"])
    return props


def _chinese_value(value: Any, block) -> Any:
    if isinstance(value, str) and set(getattr(block, "elem_classes", None) or []) & set(SERVER_SIDE_CLASSES):
        return to_chinese(value)
    if isinstance(block, gr.Dataframe):
        return chinese_table(value, block)
    return value


def chinese_table(value: Any, block) -> Any:
    """A table for a Dataframe output with its column headers in Chinese where they have a Chinese version."""
    if isinstance(value, list):
        headers = list(getattr(block, "headers", None) or [])
        return {"headers": [HEADERS_ZH.get(h, h) for h in headers], "data": value} if headers else value
    if isinstance(value, dict) and isinstance(value.get("headers"), list):
        return {**value, "headers": [HEADERS_ZH.get(h, h) for h in value["headers"]]}
    columns = getattr(value, "columns", None)
    if columns is not None and hasattr(value, "rename"):  # a pandas DataFrame
        return value.rename(columns=lambda h: HEADERS_ZH.get(h, h))
    return value


# --- what the page shows without translating it -------------------------------------------------------------------

def localize_page(blocks) -> None:
    """On each page load in Chinese: the examples tables' column headers (the inputs' labels) and the names of their
    dropdown values, the model cards, and the result tables' empty headers, which the page shows as they are sent."""
    datasets = [block for block in blocks.blocks.values() if isinstance(block, gr.Dataset) and block.headers]
    cards = [block for block in blocks.blocks.values()
             if "model-card" in (getattr(block, "elem_classes", None) or []) and isinstance(block.value, str)]
    tables = [block for block in blocks.blocks.values()
              if isinstance(block, gr.Dataframe) and block.headers and _empty(block.value)]
    outputs = datasets + cards + tables
    if not outputs:
        return

    def chinese_page(request: gr.Request):
        if request_language(request) != "zh":
            return [gr.skip()] * len(outputs)
        return ([gr.update(headers=[UI_ZH.get(h, h) for h in dataset.headers],
                           component_props=[_chinese_choice_names(props) for props in dataset.component_props])
                 for dataset in datasets]
                + [to_chinese(card.value) for card in cards]
                + [{"headers": [HEADERS_ZH.get(h, h) for h in table.headers], "data": []} for table in tables])

    with blocks:
        blocks.load(chinese_page, None, outputs, api_visibility="private", queue=False, show_progress="hidden")


def _chinese_choice_names(props: dict) -> dict:
    """An examples table shows a dropdown's value by its choice name, as it is (not as a translation key)."""
    choices = props.get("choices")
    if not isinstance(choices, list):
        return props
    return {**props, "choices": [(CHOICES_ZH.get(name, name) if isinstance(name, str) else name, value)
                                 for name, value in (tuple(c) for c in choices)]}


def _empty(value: Any) -> bool:
    """Whether a table holds no data (only then is it sent again, with its headers in Chinese)."""
    data = value.get("data") if isinstance(value, dict) else getattr(value, "data", value)
    return not data or all(cell in (None, "") for row in data for cell in (row if isinstance(row, list) else [row]))
