"""The attention explorer on tiny twins: real weights out of eager attention, one row recomputed by hand."""

from __future__ import annotations

import contextlib

import gradio as gr
import numpy as np
import pytest

from demos.attention import tab
from models.families.attention import head_average, sinusoidal_encoding, softmax

KEYS = ["attention/bert-base-uncased", "attention/bert-base-chinese", "attention/distilbert-base-uncased"]
SENTENCE = "The quick brown fox jumps over the lazy dog."
# The worked numbers are float64 numpy from the same float32 inputs the model used: they agree with the model's
# float32 softmax to float32 rounding. 1e-5 absolute leaves room for that and fails on any real mistake (a wrong
# head, token, scale or bias moves a weight by far more once attention is peaked, see ``sharpened``).
TOLERANCE = 1e-5


@contextlib.contextmanager
def sharpened(runner, layer: int, factor: float = 40.0):
    """Scale a layer's query and key weights so its attention is far from uniform (random tiny weights give
    almost flat rows, which would let a wrong row pass); restored afterwards."""
    import torch

    query, key, _ = runner.projections[layer]
    saved = [p.detach().clone() for p in (query.weight, key.weight)]
    with torch.no_grad():
        query.weight.mul_(factor)
        key.weight.mul_(factor)
    try:
        yield
    finally:
        with torch.no_grad():
            query.weight.copy_(saved[0])
            key.weight.copy_(saved[1])


def output_projection(runner, layer: int):
    """The Linear that receives the concatenated heads' outputs (BERT: attention.output.dense; DistilBERT:
    out_lin)."""
    model = runner.model
    if hasattr(model, "encoder"):
        return model.encoder.layer[layer].attention.output.dense
    return model.transformer.layer[layer].attention.out_lin


@pytest.mark.parametrize("key", KEYS)
def test_rows_sum_to_one_and_the_worked_row_reproduces_the_heatmap(tiny_manager, key):
    runner = tiny_manager.get(key)
    layer, head, token = 1, 1, 3
    captured = {}

    def keep_context(module, args) -> None:
        captured["context"] = args[0][0].detach().numpy()

    hook = output_projection(runner, layer).register_forward_pre_hook(keep_context)
    try:
        with sharpened(runner, layer):
            maps = runner([SENTENCE], layer=layer, head=head, token=token)[0]
    finally:
        hook.remove()
    n = len(maps.tokens)
    assert maps.attention.shape == (maps.heads, n, n) and maps.layers == 2 and maps.heads == 2
    np.testing.assert_allclose(maps.attention.sum(axis=-1), 1.0, atol=1e-5)
    worked = maps.worked
    row = maps.attention[head, token]
    assert row.max() > 0.3  # peaked: rows differ, so matching the right one means something
    np.testing.assert_allclose(worked.weights, row, atol=TOLERANCE)
    # the head's rows are not all alike, so matching this one means something
    assert max(np.abs(worked.weights - maps.attention[head, j]).max() for j in range(n) if j != token) > 0.05
    np.testing.assert_allclose(worked.weights, softmax(worked.scores), atol=1e-12)
    np.testing.assert_allclose(worked.scores, worked.keys @ worked.query / np.sqrt(maps.d_k), atol=1e-12)
    # the weighted sum of values is what the model passes on for this token and head
    model_output = captured["context"][token, head * maps.d_k:(head + 1) * maps.d_k]
    np.testing.assert_allclose(worked.output, model_output, atol=1e-4)


def test_chinese_sentence_is_read_character_by_character(tiny_manager):
    maps = tiny_manager.get("attention/bert-base-chinese")(["马云在杭州创办了阿里巴巴集团。"])[0]
    assert maps.tokens[0] == "[CLS]" and maps.tokens[-1] == "[SEP]"
    assert maps.tokens[1:4] == ["马", "云", "在"] and "[UNK]" not in maps.tokens


def test_head_average_is_the_mean_of_the_heads(ctx, monkeypatch):
    shown = []
    monkeypatch.setattr(tab, "attention_heatmap", lambda tokens, matrix, title: shown.append(matrix) or None)
    monkeypatch.setattr(tab, "head_grid", lambda *args: None)
    for head in ("average", "0", "1"):
        tab.explain_attention(ctx, SENTENCE, KEYS[0], 1, head, 2)
    average, first, second = shown
    np.testing.assert_allclose(average, (first + second) / 2, atol=1e-7)
    assert not np.allclose(first, second)  # two different heads, so the mean is not trivially either one
    np.testing.assert_allclose(average.sum(axis=-1), 1.0, atol=1e-5)


def test_head_average_function():
    attention = softmax(np.random.default_rng(0).normal(size=(3, 5, 5)))
    np.testing.assert_allclose(head_average(attention), attention.mean(axis=0))


def test_text_beyond_the_window_is_truncated_with_a_notice(ctx):
    long_text = " ".join(["the quick brown fox jumps over the lazy dog"] * 30)  # ~270 tokens, window 128
    _, _, table, summary, status = tab.explain_attention(ctx, long_text, KEYS[0], 0, "0", 5)
    assert "⚠️" in status and "only the first 128 tokens" in status
    assert len(table) == 128  # one worked row per key token read
    short = tab.explain_attention(ctx, SENTENCE, KEYS[0], 0, "0", 5)[4]
    assert "⚠️" not in short


def test_worked_table_and_summary(ctx):
    _, _, table, summary, status = tab.explain_attention(ctx, SENTENCE, KEYS[0], 0, "1", 2)
    assert [row[1] for row in table][:3] == ["[CLS]", "the", "quick"]
    assert sum(row[4] for row in table) == pytest.approx(1.0, abs=1e-3)
    assert all(abs(row[4] - row[5]) < 1e-4 for row in table)  # worked softmax beside the model's row
    assert "Token 2 `quick`, layer 0, head 1" in summary and "2 layers × 2 heads, d_k = 16" in status


@pytest.mark.parametrize("layer, head, token, message", [
    (2, "0", 1, "this model has 2 layers"),
    (0, "7", 1, "this model has 2 heads"),
    (0, "x", 1, "choose 'average'"),
    (0, "0", 99, "the text has 12 tokens"),
    (-1, "0", 1, "Layer must be"),
    (0.5, "0", 1, "Layer must be a whole number"),
])
def test_bad_choices_are_refused_clearly_and_the_next_request_works(ctx, layer, head, token, message):
    with pytest.raises(gr.Error, match=message):
        tab.explain_attention(ctx, SENTENCE, KEYS[0], layer, head, token)
    assert tab.explain_attention(ctx, SENTENCE, KEYS[0], 1, "average", 1)[4]


def test_empty_text_and_unknown_model_are_refused(ctx):
    with pytest.raises(gr.Error, match="empty"):
        tab.explain_attention(ctx, "  ", KEYS[0], 0, "0", 1)
    with pytest.raises(gr.Error, match="Unknown model"):
        tab.explain_attention(ctx, SENTENCE, "text-classification/distilbert-sst2", 0, "0", 1)


def test_sinusoidal_encoding_follows_the_formula():
    encoding = sinusoidal_encoding(50, 16)
    assert encoding.shape == (50, 16)
    np.testing.assert_allclose(encoding[0], [0, 1] * 8, atol=1e-12)
    positions = np.arange(50)
    np.testing.assert_allclose(encoding[:, 0], np.sin(positions))
    np.testing.assert_allclose(encoding[:, 1], np.cos(positions))
    np.testing.assert_allclose(encoding[:, 6], np.sin(positions / 10000 ** (6 / 16)))
    assert np.abs(encoding).max() <= 1.0


def test_positional_encoding_plot_checks_its_sizes():
    assert tab.plot_positional_encoding(16, 32) is not None
    with pytest.raises(gr.Error, match="even"):
        tab.plot_positional_encoding(16, 33)
    with pytest.raises(gr.Error, match="Positions"):
        tab.plot_positional_encoding(0, 32)
