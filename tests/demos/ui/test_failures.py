"""A handler's gr.Error is remembered per browser session and tab, for the status line, and logged in one line."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest
from gradio.context import LocalContext

from demos.ui.failures import LastErrors, failure_note, remembering


@pytest.fixture
def session():
    token = LocalContext.request.set(SimpleNamespace(session_hash="session-1"))
    yield "session-1"
    LocalContext.request.reset(token)


def test_a_streamed_error_is_remembered_for_its_session_and_tab_and_raised_on(session, caplog):
    caplog.set_level("INFO", logger="demos.ui.failures")
    errors = LastErrors()

    def stream(text):
        yield text
        raise gr.Error("Text is empty: type or paste some text.")

    wrapped = remembering(stream, "classify_text", errors)
    outputs = []
    with pytest.raises(gr.Error) as info:
        for item in wrapped("x"):
            outputs.append(item)
    assert outputs == ["x"] and info.value.print_exception is False  # no traceback in the server log
    assert "classify_text: Text is empty" in caplog.text
    assert errors.take("other-session", "classify_text") is None
    assert errors.take(session, "classify_text") == "Text is empty: type or paste some text."
    assert errors.take(session, "classify_text") is None  # shown once
    assert failure_note("x").endswith("x")


def test_a_plain_handler_keeps_its_result_and_the_memory_is_bounded(session):
    errors = LastErrors(capacity=2)
    assert remembering(lambda: 42, "tab", errors)() == 42
    for index in range(3):
        errors.remember(f"s{index}", "tab", gr.Error(f"error {index}"))
    assert errors.take("s0", "tab") is None and errors.take("s2", "tab") == "error 2"
