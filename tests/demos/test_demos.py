"""Handlers as plain functions: validation, model call, formatting; no server."""

import gradio as gr
import pytest

from demos.ner import tab as ner
from demos.question_answering import tab as question_answering
from demos.text_classification import tab as text_classification
from demos.ui.common import check_text

BAD_TEXTS = [
    (None, "missing"),
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("\x00\x01\x02\x03\x04\x05\x06\x07\x08" * 5, "binary"),
    ("\ufffd" * 40 + "abc", "binary"),
]


@pytest.mark.parametrize("text, message", BAD_TEXTS)
def test_bad_text_gets_a_clear_error(text, message):
    with pytest.raises(gr.Error, match=message):
        check_text(text, "Text", 100)


def test_too_long_text_names_the_limit():
    with pytest.raises(gr.Error, match=r"101 characters long; the limit is 100"):
        check_text("a" * 101, "Text", 100)


@pytest.mark.parametrize("text", ["😀👍 great", "שלום עולם", "马云在杭州", "mixed 中文 and English\u200f"])
def test_any_script_is_accepted(text):
    assert check_text(f"  {text}\x07 ", "Text", 100) == text  # stray control characters dropped


def test_classify_returns_label_scores_and_status(ctx):
    scores, status = text_classification.classify_text(ctx, "I love it", "text-classification/distilbert-sst2")
    assert set(scores) == {"NEGATIVE", "POSITIVE"}
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-5)
    assert "distilbert-sst2" in status and "inference" in status and "cpu" in status


def test_classify_warns_when_the_text_was_truncated(ctx):
    _, status = text_classification.classify_text(ctx, "a " * 900, "text-classification/distilbert-sst2")
    assert "only the beginning was classified" in status and "512" in status


def test_classify_chinese_with_the_multilingual_model(ctx):
    scores, _ = text_classification.classify_text(ctx, "这部电影太好看了", "text-classification/multilingual-sentiment")
    assert set(scores) == {"positive", "neutral", "negative"}


@pytest.mark.parametrize("model", ["token-classification/bert-base-ner", "../../etc/passwd", "gpt2", "", None])
def test_models_outside_the_tab_are_refused(ctx, model):
    with pytest.raises(gr.Error, match="Unknown model"):
        text_classification.classify_text(ctx, "text", model)


def test_entities_are_highlighted_and_tabulated(ctx):
    text = "Sarah works for Google in London."
    highlighted, table, status = ner.find_named_entities(ctx, text, "token-classification/bert-base-ner")
    assert highlighted["text"] == text and len(highlighted["entities"]) == len(table)
    for span, row in zip(highlighted["entities"], table):
        entity, label, score, start, end = row
        assert (span["start"], span["end"], span["entity"]) == (start, end, label)
        assert text[start:end] == entity and 0 <= score <= 1
    assert f"{len(table)} entit" in status


def test_question_answering_highlights_the_answer(ctx):
    context = "The Transformer was introduced in 2017 by researchers at Google."
    answer, highlighted, status = question_answering.answer_from_context(
        ctx, context, "Who introduced it?", "question-answering/distilbert-squad")
    (span,) = highlighted["entities"]
    assert answer == context[span["start"]:span["end"]] and answer in context
    assert "score" in status


def test_question_answering_lists_the_top_answers_with_scores(ctx):
    context = "The Transformer was introduced in 2017 by researchers at Google in Mountain View, California."
    answer, highlighted, status = question_answering.answer_from_context(
        ctx, context, "Who introduced it?", "question-answering/distilbert-squad", 3)
    lines = answer.splitlines()
    assert [line.split(".", 1)[0] for line in lines] == ["1", "2", "3"]  # best first, one per answer
    texts = [line.split(". ", 1)[1].rsplit(" (", 1)[0] for line in lines]
    assert len(set(texts)) == 3 and all(text in context for text in texts)
    scores = [float(line.rsplit("(", 1)[1].rstrip(")")) for line in lines]
    assert scores == sorted(scores, reverse=True) and f"score {scores[0]:.3f}" in status
    assert highlighted["entities"][0]["entity"].startswith("answer 1 (")
    with pytest.raises(gr.Error, match="Answers must be a whole number between 1 and 5"):
        question_answering.answer_from_context(ctx, context, "Who?", "question-answering/distilbert-squad", 9)


def test_question_answering_reports_no_answer_truthfully(ctx, monkeypatch):
    from models.families.results import Answer

    runner = ctx.manager.get("question-answering/xlm-roberta-squad2")
    monkeypatch.setattr(type(runner), "__call__", lambda self, pairs, **kw: [Answer("", 0, 0, 0.9, True, 1)])
    answer, highlighted, status = question_answering.answer_from_context(
        ctx, "Some context.", "Unrelated?", "question-answering/xlm-roberta-squad2")
    assert answer == "(no answer in this context)" and highlighted["entities"] == []
    assert "no-answer score 0.900" in status


@pytest.mark.parametrize("context, question, message", [
    ("", "Who?", "Context is empty"),
    ("Some context.", "  ", "Question is empty"),
    ("x" * 20_001, "Who?", "Context is 20,001 characters"),
    ("Some context.", "why " * 100, "Question is 399 characters"),
])
def test_question_answering_validates_both_fields(ctx, context, question, message):
    with pytest.raises(gr.Error, match=message):
        question_answering.answer_from_context(ctx, context, question, "question-answering/distilbert-squad")


def test_a_bad_request_does_not_break_the_next(ctx):
    with pytest.raises(gr.Error):
        ner.find_named_entities(ctx, "\x00" * 50, "token-classification/bert-base-ner")
    highlighted, _, _ = ner.find_named_entities(ctx, "Berlin", "token-classification/bert-base-ner")
    assert highlighted["text"] == "Berlin"


def test_load_failure_becomes_a_tab_error_and_other_tabs_work(registry, tmp_path):
    import dataclasses

    from demos.ui.common import DemoContext
    from models.runtime.manager import ModelManager
    from models.registry import Registry

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    specs = [dataclasses.replace(s, checkpoint=str(broken)) if s.key == "text-classification/distilbert-sst2" else s
             for s in registry]
    manager = ModelManager(Registry(specs), profile="tiny", device="cpu")
    ctx = DemoContext(manager)
    with pytest.raises(gr.Error, match="distilbert-sst2 could not be loaded: .*try again") as failure:
        text_classification.classify_text(ctx, "I love it", "text-classification/distilbert-sst2")
    assert str(tmp_path) not in str(failure.value)  # the visitor never sees a server path
    assert manager.state("text-classification/distilbert-sst2") == "failed"
    highlighted, _, _ = ner.find_named_entities(ctx, "Sarah lives in Berlin", "token-classification/bert-base-ner")
    assert highlighted["text"] == "Sarah lives in Berlin"
    manager.close()
