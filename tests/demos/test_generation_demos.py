"""The generation tabs' handlers as plain functions: validation, streaming, stop, formatting."""

from types import SimpleNamespace

import gradio as gr
import pytest

from demos.chat import tab as chat
from demos.summarization import tab as summarization
from demos.translation import tab as translation
from demos.ui.generation_common import STOPS, StopSignals

BART = "summarization/distilbart-cnn-12-6"
QWEN_SUMMARY = "summarization/qwen2.5-0.5b-instruct"
CHAT = "chat/qwen2.5-0.5b-instruct"
LONG_TEXT = " ".join(f"The museum number {i} opens at nine in the morning and closes at six." for i in range(25))


def run(generator):
    return list(generator)


# --- summarization ---------------------------------------------------------------------------------

@pytest.mark.usefixtures("lockstep_generation")  # each read finds one new token
def test_summary_streams_and_reports_the_map_reduce(ctx):
    outputs = run(summarization.summarize_document(ctx, LONG_TEXT, None, BART, "short", 1, 0.3))
    summary, parts, status = outputs[-1]
    assert len(outputs) > 3 and status.endswith("done")
    assert "parts (map-reduce)" in status and "distilbart-cnn-12-6" in status


def test_chinese_summary_with_the_chat_model(ctx):
    outputs = run(summarization.summarize_document(ctx, "长城是中国古代的伟大建筑，位于北京北部。", None, QWEN_SUMMARY,
                                                   "short", 1, 0.0))
    assert outputs[-1][-1].endswith("done") and "qwen2.5" in outputs[-1][-1]


def test_uploaded_text_file_is_summarized(ctx, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("The museum opens at nine. It closes at six.", encoding="utf-8")
    outputs = run(summarization.summarize_document(ctx, "", str(path), BART, "short", 1, 0.3))
    assert outputs[-1][-1].endswith("done")


@pytest.mark.parametrize("name, data, message", [
    ("notes.pdf", b"%PDF-1.4", "not a .txt file"),
    ("notes.txt", b"\xff\xfe\x00\xd8bad", "not UTF-8"),
])
def test_bad_uploads_are_refused(ctx, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(gr.Error, match=message):
        run(summarization.summarize_document(ctx, "", str(path), BART, "short", 1, 0.3))


@pytest.mark.parametrize("kwargs, message", [
    (dict(text=""), "empty"),
    (dict(text="x" * 20_001), "limit is 20,000"),
    (dict(length="endless"), "short, medium, long"),
    (dict(beams=0), "between 1 and 8"),
    (dict(beams=100), "between 1 and 8"),
    (dict(model="chat/qwen2.5-0.5b-instruct"), "Unknown model"),
    (dict(model=QWEN_SUMMARY, temperature=-1), "between 0 and 2"),
])
def test_bad_summary_requests_get_clear_errors_and_the_next_works(ctx, kwargs, message):
    request = dict(text="The museum opens at nine.", file=None, model=BART, length="short", beams=1,
                   temperature=0.3) | kwargs
    with pytest.raises(gr.Error, match=message):
        run(summarization.summarize_document(ctx, **request))
    assert run(summarization.summarize_document(ctx, "It closes at six.", None, BART, "short", 1, 0.3))[-1][-1]


def test_the_stop_button_ends_a_running_summary(ctx):
    request = SimpleNamespace(session_hash="session-1")
    outputs = []
    for output in summarization.summarize_document(ctx, LONG_TEXT, None, BART, "long", 1, 0.3, request=request):
        outputs.append(output)
        if len(outputs) == 2:
            assert STOPS.stop(request, summarization.NAME)
    assert outputs[-1][-1].endswith("stopped")
    assert not STOPS.stop(request, summarization.NAME)  # nothing left running for that session


def test_stop_signals_reach_only_their_own_session_and_tab():
    signals = StopSignals()
    a, b = SimpleNamespace(session_hash="a"), SimpleNamespace(session_hash="b")
    with signals.running(a, "chat") as event_a, signals.running(b, "chat") as event_b:
        assert not signals.stop(a, "translation")
        assert signals.stop(a, "chat")
        assert event_a.is_set() and not event_b.is_set()


# --- translation -----------------------------------------------------------------------------------

def test_translation_streams_with_paragraphs_kept(ctx):
    text = "Hello. How are you?\n\nThe museum opens at nine."
    outputs = run(translation.translate_document(ctx, text, "en", "zh", "opus-mt"))
    final, status = outputs[-1]
    assert "\n\n" in final and "opus-mt-en-zh" in status and "English → Chinese" in status


def test_auto_detect_with_the_chat_model(ctx):
    outputs = run(translation.translate_document(ctx, "长城很长。", "auto", "en", "translation/qwen2.5-0.5b-instruct"))
    assert "auto-detected → English" in outputs[-1][1]


@pytest.mark.parametrize("source, target, model, message", [
    ("en", "en", "opus-mt", "both 'en'"),
    ("de", "zh", "opus-mt", "offers: en"),
    ("auto", "zh", "translation/m2m100-418m", "does not translate from 'auto'"),
    ("en", "zh", "../../etc/passwd", "Unknown translation model"),
])
def test_bad_translation_requests_get_clear_errors_and_the_next_works(ctx, source, target, model, message):
    with pytest.raises(gr.Error, match=message):
        run(translation.translate_document(ctx, "Hello.", source, target, model))
    assert run(translation.translate_document(ctx, "Hello.", "en", "de", "translation/m2m100-418m"))[-1][0] is not None


# --- chat ------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("lockstep_generation")  # each read finds one new token
def test_chat_appends_the_streamed_answer_to_the_history(ctx):
    history = [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": [{"type": "text", "text": "Hi"}]}]
    outputs = run(chat.chat(ctx, "你好", history, "", CHAT, 0.0, 0.8, 16))
    final, box, status = outputs[-1]
    assert len(outputs) >= 3 and box == ""
    assert [m["role"] for m in final] == ["user", "assistant", "user", "assistant"]
    assert final[1]["content"] == "Hi" and final[2]["content"] == "你好"


@pytest.mark.parametrize("kwargs, message", [
    (dict(message=""), "empty"),
    (dict(max_new_tokens=-5), "between 1 and 2048"),
    (dict(max_new_tokens=10**9), "between 1 and 2048"),
    (dict(temperature=9), "between 0 and 2"),
    (dict(top_p=0), "between 0.01 and 1"),
    (dict(history="not a list"), "History must be a list"),
    (dict(history=[{"role": "wizard", "content": "x"}]), "role"),
    (dict(system_prompt="s" * 3000), "limit is 2,000"),
])
def test_bad_chat_requests_get_clear_errors_and_the_next_works(ctx, kwargs, message):
    request = dict(message="Hi", history=[], system_prompt="", model=CHAT, temperature=0.7, top_p=0.8,
                   max_new_tokens=8) | kwargs
    with pytest.raises(gr.Error, match=message):
        run(chat.chat(ctx, **request))
    assert run(chat.chat(ctx, "Hi", [], "", CHAT, 0.7, 0.8, 8))[-1][0][-1]["role"] == "assistant"


def test_translation_card_names_the_pair_model_or_the_problem(ctx):
    specs = ctx.specs("translation")
    assert "Helsinki-NLP/opus-mt-en-de" in translation.route_card(specs, "opus-mt", "en", "de")
    assert "offers: en" in translation.route_card(specs, "opus-mt", "fr", "de")


# --- a long summary as it goes: a bar that only grows, texts that only grow ----------------------------------

@pytest.mark.usefixtures("lockstep_generation")
def test_a_map_reduce_summary_reports_a_bar_that_only_grows_and_texts_that_only_grow(ctx, monkeypatch):
    """A map-reduce (tiny windows): the part summaries and the summary are never replaced, the bar never goes
    back and ends full, and the number of parts shown stays the same."""
    from tests.progress_log import ProgressLog, assert_grows

    progress = ProgressLog()
    outputs = run(summarization.summarize_document(ctx, LONG_TEXT, None, BART, "short", 1, 0.3, progress=progress))
    summaries, parts, statuses = zip(*outputs)
    assert_grows(list(summaries))
    assert_grows(list(parts))
    assert "Part 1 of" in parts[-1]
    progress.assert_monotone(end=1.0)
    counts = {status.split(" parts (map-reduce)")[0].rsplit(" · ", 1)[-1] for status in statuses}
    assert len(counts) == 1 and int(counts.pop()) > 1, statuses[-1]  # "N parts" never changes
    stages = [desc for _, desc in progress.reports]
    assert any(desc.startswith("summarizing part ") for desc in stages), stages


def test_planned_calls_count_every_round_before_the_first():
    from models.text.generation_tasks import planned_calls

    assert planned_calls(40, 1024, 60, 3) == 40 + 3 + 1  # 40 parts; 40 x 60 tokens fill 3 windows; 1 final
    assert planned_calls(1, 1024, 60, 3) == 1
    assert planned_calls(10, 100, 100, 3) == 30  # summaries as long as windows: three rounds, no final combine
