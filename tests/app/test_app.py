"""The whole app in the tiny profile, on a free port, called through gradio_client like an API user."""

import pytest

from tests.server import running_app


def test_every_tab_has_a_named_endpoint(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/classify_text", "/find_named_entities", "/answer_question"} <= set(endpoints)


def test_text_classification(client):
    label, status = client.predict("I love this movie", "text-classification/distilbert-sst2", api_name="/classify_text")
    confidences = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert set(confidences) == {"NEGATIVE", "POSITIVE"}
    assert sum(confidences.values()) == pytest.approx(1.0, abs=1e-4)
    assert "distilbert-sst2" in status


def test_named_entities_in_chinese(client):
    text = "马云在杭州创办了阿里巴巴集团。"
    highlighted, table, status = client.predict(text, "token-classification/multilingual-ner",
                                                api_name="/find_named_entities")
    assert "".join(part["token"] for part in highlighted) == text
    for entity, label, score, start, end in table["data"]:
        assert text[int(start):int(end)] == entity


def test_question_answering(client):
    context = "The Eiffel Tower is located in Paris, France, and was completed in 1889."
    answer, highlighted, status = client.predict(context, "Where is the Eiffel Tower?",
                                                 "question-answering/distilbert-squad", api_name="/answer_question")
    assert answer and answer in context
    assert "".join(part["token"] for part in highlighted) == context


def test_bad_input_then_good_input(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        client.predict("   ", "text-classification/distilbert-sst2", api_name="/classify_text")
    with pytest.raises(AppError, match="limit is"):
        client.predict("x" * 10_001, "text-classification/distilbert-sst2", api_name="/classify_text")
    with pytest.raises(AppError):
        client.predict("text", "../../../etc/passwd", api_name="/classify_text")
    with pytest.raises(AppError, match="Context is empty"):
        client.predict("", "Who?", "question-answering/distilbert-squad", api_name="/answer_question")
    label, _ = client.predict("Fine again", "text-classification/distilbert-sst2", api_name="/classify_text")
    assert len(label["confidences"]) == 2


def test_memory_budget_holds_across_tabs():
    """--max-models 3: walking through four models leaves three resident; the evicted one reloads."""
    from gradio_client import Client

    with running_app("--demos", "text-classification,ner", "--max-models", "3") as url:
        walk_past_the_budget(Client(url, verbose=False))


def walk_past_the_budget(client):
    calls = [("I love it", "text-classification/multilingual-sentiment", "/classify_text"),
             ("Berlin", "token-classification/bert-base-ner", "/find_named_entities"),
             ("Berlin", "token-classification/multilingual-ner", "/find_named_entities"),
             ("I love it", "text-classification/distilbert-sst2", "/classify_text")]
    for text, model, api in calls:
        result = client.predict(text, model, api_name=api)
        assert result[-1]  # a status line every time
    _, status = client.predict("again", "text-classification/multilingual-sentiment", api_name="/classify_text")
    assert "loaded in" in status  # it had been evicted, so it loaded again
