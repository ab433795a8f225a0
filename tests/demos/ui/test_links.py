"""One definition per handler (``demos.ui.common.bind``) and the typed links between tabs (``demos.ui.links``)."""

import inspect

import gradio as gr
import pytest
from gradio import utils

from demos.speech_recognition import tab as speech_recognition
from demos.text_classification import tab as text_classification
from demos.ui.common import DemoContext, bind
from demos.ui.links import Links


@pytest.mark.parametrize("handler", [text_classification.classify_text, speech_recognition.transcribe_audio])
def test_a_bound_handler_shows_gradio_its_name_docstring_and_parameters_without_ctx(tiny_manager, handler):
    bound = bind(DemoContext(tiny_manager), handler)
    assert bound.__name__ == handler.__name__  # the MCP tool's name
    assert inspect.getdoc(bound) == inspect.getdoc(handler) and "Args:" in bound.__doc__
    parameters = list(inspect.signature(handler).parameters.values())
    assert parameters[0].name == "ctx"
    assert list(inspect.signature(bound).parameters.values()) == parameters[1:]
    assert inspect.isgeneratorfunction(bound) == inspect.isgeneratorfunction(handler)  # gradio streams generators
    # what gradio reads for the API page and the MCP tool: the parameters (gr.Request left out) and their words
    assert [name for name, *_ in utils.get_function_params(bound)] == \
        [name for name, *_ in utils.get_function_params(handler)][1:]
    description, words, returns = utils.get_function_description(bound)
    assert description.startswith(inspect.getdoc(handler).splitlines()[0]) and returns
    assert "ctx" not in words and all(words[name] for name in ("model", "audio" if "audio" in words else "text"))
    assert any(isinstance(p.default, gr.Progress) for p in inspect.signature(bound).parameters.values())


def test_a_bound_handler_passes_ctx_first(tiny_manager):
    ctx = DemoContext(tiny_manager)
    with pytest.raises(gr.Error, match="Text is empty"):
        bind(ctx, text_classification.classify_text)("  ", "text-classification/distilbert-sst2")


def test_every_endpoint_of_the_api_is_a_module_level_handler(tiny_manager):
    """No tab defines a handler twice: each named endpoint's function, under its wrappers (bind, access,
    failures), is a function of its tab's module, the one the tests call."""
    import app

    blocks = app.build_app(app.parse_args(["--profile", "tiny"]), tiny_manager)
    endpoints = [fn for fn in blocks.fns.values() if fn.api_name and fn.api_visibility != "private"]
    handlers = [(fn.api_name, inspect.unwrap(fn.fn)) for fn in endpoints]
    ours = [(api_name, handler) for api_name, handler in handlers if not handler.__module__.startswith("gradio")]
    from tests.app.test_mcp import TOOLS

    assert len(ours) == len(TOOLS) + 2  # every MCP tool, and 2 undocumented endpoints of the fine-tune tab
    for api_name, handler in ours:
        assert "<locals>" not in handler.__qualname__, api_name
        assert handler.__module__.startswith("demos.") and getattr(
            __import__(handler.__module__, fromlist=["_"]), handler.__name__) is handler, api_name


def test_links_wait_until_every_tab_is_built_and_keep_one_object_per_kind():
    links, wired = Links(), []
    links.on_ready(lambda: wired.append(links.speech))
    links.speech = "offered after the tab that uses it was built"
    assert wired == []
    links.ready()
    assert wired == ["offered after the tab that uses it was built"]
    links.ready()  # once
    assert len(wired) == 1
    made = []
    first = links.kept(list, lambda: made.append(1) or ["state"])
    assert links.kept(list, lambda: made.append(1) or ["other"]) is first and made == [1]
