"""The generation tabs in the running app (tiny profile), called through gradio_client like an API user."""

import pytest

from tests.waiting import BOUND_S

BART = "summarization/distilbart-cnn-12-6"
CHAT = "chat/qwen2.5-0.5b-instruct"


def test_generation_tabs_have_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/summarize", "/translate", "/chat"} <= set(endpoints)


def test_summarize_streams_and_returns_the_final_summary(client):
    job = client.submit("The museum opens at nine. It closes at six.", None, BART, "short", 1, 0.3,
                        api_name="/summarize")
    summary, parts, status = job.result(timeout=BOUND_S)
    assert status.endswith("done") and "distilbart-cnn-12-6" in status
    assert len(job.outputs()) >= 2  # intermediate updates were streamed before the final one


def test_translate_chinese_with_paragraphs(client):
    text = "Hello. How are you?\n\nThe museum opens at nine."
    translation, status = client.predict(text, "en", "zh", "opus-mt", api_name="/translate")
    assert "\n\n" in translation and "opus-mt-en-zh" in status


def test_chat_returns_the_history_with_the_answer(client):
    history, box, status = client.predict("你好", [], "", CHAT, 0.0, 0.8, 12, api_name="/chat")
    assert [m["role"] for m in history] == ["user", "assistant"] and box == ""
    history, _, _ = client.predict("And then?", history, "Be brief.", CHAT, 0.7, 0.8, 8, api_name="/chat")
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]


def test_bad_inputs_then_good_inputs(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        client.predict("  ", None, BART, "short", 1, 0.3, api_name="/summarize")
    with pytest.raises(AppError, match="limit is"):
        client.predict("x" * 60_000, None, BART, "short", 1, 0.3, api_name="/summarize")
    with pytest.raises(AppError, match="both 'en'"):
        client.predict("Hello.", "en", "en", "opus-mt", api_name="/translate")
    with pytest.raises(AppError, match="offers: en"):
        client.predict("Hallo.", "de", "zh", "opus-mt", api_name="/translate")
    with pytest.raises(AppError, match="minimum value 1|between 1 and 2048"):  # gradio checks the slider first
        client.predict("Hi", [], "", CHAT, 0.7, 0.8, -3, api_name="/chat")
    translation, status = client.predict("Hallo.", "de", "en", "opus-mt", api_name="/translate")
    assert "opus-mt-de-en" in status
    history, _, _ = client.predict("Hi", [], "", CHAT, 0.7, 0.8, 4, api_name="/chat")
    assert history[-1]["role"] == "assistant"
