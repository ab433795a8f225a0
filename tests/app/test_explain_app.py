"""The attention explorer and knowledge-graph tabs in the tiny profile, called through gradio_client (the suite app)."""

import pytest


def plot_image(plot) -> str:
    """The data URL of a gr.Plot output (gradio sends matplotlib figures as images)."""
    return plot["plot"] if isinstance(plot, dict) else plot


def test_both_tabs_have_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/explain_attention", "/positional_encoding", "/extract_knowledge_graph"} <= set(endpoints)


def test_attention_explorer(client):
    heatmap, grid, table, summary, status = client.predict(
        "The quick brown fox jumps over the lazy dog.", "attention/bert-base-uncased", 1, "average", 2,
        api_name="/explain_attention")
    assert plot_image(heatmap).startswith("data:image/") and plot_image(grid).startswith("data:image/")
    rows = table["data"]
    assert [row[1] for row in rows][:3] == ["[CLS]", "the", "quick"]
    assert sum(float(row[4]) for row in rows) == pytest.approx(1.0, abs=1e-3)
    assert "Token 2 `quick`" in summary and "2 layers × 2 heads" in status


def test_attention_in_chinese_with_truncation_notice(client):
    text = "人工智能已经成为现代科技的重要一环。" * 10  # 180 characters, one token each: over the 128-token window
    _, _, table, _, status = client.predict(text, "attention/bert-base-chinese", 0, "1", 1, api_name="/explain_attention")
    assert len(table["data"]) == 128 and table["data"][1][1] == "人"
    assert "only the first 128 tokens" in status


def test_positional_encoding(client):
    assert plot_image(client.predict(32, 64, api_name="/positional_encoding")).startswith("data:image/")


def test_knowledge_graph(client):
    table, graph, raw, status = client.predict("Apple was founded by Steve Jobs in California.",
                                               "knowledge-graph/rebel-large", api_name="/extract_knowledge_graph")
    assert table["headers"] == ["head", "relation", "tail"]
    assert plot_image(graph).startswith("data:image/") and raw
    assert "rebel-large" in status and "not in the expected format" in status  # random twin: reported, not guessed


def test_bad_input_then_good_input(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Text is empty"):
        client.predict("  ", "knowledge-graph/rebel-large", api_name="/extract_knowledge_graph")
    with pytest.raises(AppError, match="2 layers"):
        client.predict("Hello world", "attention/distilbert-base-uncased", 5, "0", 1, api_name="/explain_attention")
    with pytest.raises(AppError, match="even"):
        client.predict(10, 7, api_name="/positional_encoding")
    *_, status = client.predict("Hello world", "attention/distilbert-base-uncased", 1, "0", 1,
                                api_name="/explain_attention")
    assert "distilbert-base-uncased" in status
