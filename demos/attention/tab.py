"""Attention explorer: which tokens each token looks at, in every layer and head, with one row worked by hand."""

from __future__ import annotations

from typing import Any

import gradio as gr
import numpy as np

from demos.ui.code_panel import code_panel
from demos.ui.common import DemoContext, check_model, check_text, model_event, model_picker, run_model, status_line
from demos.ui.explain_plots import attention_heatmap, head_grid, positional_encoding_plot
from demos.ui.generation_common import check_number
from demos.ui.layout import PHONE_MAX_PX
from models.families.attention import AttentionMaps, head_average, sinusoidal_encoding
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task

AVERAGE = "average"
MAX_HEADS = 16        # head choices offered (bert-base has 12); the model says how many it really has
MAX_LAYERS = 48
SHOWN_DIMS = 6        # dimensions of q, k, v and the output shown in the worked example
MAX_PE_POSITIONS, MAX_PE_DIMS = 512, 1024

# on a phone the heatmap keeps its drawn size (tick labels of 12.5 px) and scrolls sideways instead of shrinking
CSS = f"""
@media (max-width: {PHONE_MAX_PX}px) {{
  .readable-plot [data-testid="matplotlib"] {{ overflow-x: auto; justify-content: flex-start;
    align-items: flex-start; }}
  .readable-plot [data-testid="matplotlib"] img {{ max-width: none; width: auto; height: auto; flex-shrink: 0; }}
}}
"""

WORKED_HEADERS = ["j", "token", "key k_j (first dims)", "score q·k_j/√d_k", "softmax", "heatmap row",
                  "value v_j (first dims)"]

EXAMPLES = [
    ["The animal didn't cross the street because it was too tired.", "attention/bert-base-uncased", 1, "average", 10],
    ["The Transformer is a deep learning architecture based on the attention mechanism.",
     "attention/distilbert-base-uncased", 1, "0", 2],
    ["马云在杭州创办了阿里巴巴集团。", "attention/bert-base-chinese", 1, "1", 1],
]


def check_head(head: Any) -> int | None:
    """None for the average of heads, else a head number (the model checks it exists)."""
    if head == AVERAGE:
        return None
    try:
        number = int(str(head).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise gr.Error(f"Head {str(head)[:20]!r} is not valid: choose {AVERAGE!r} or a head number from 0.")
    return number


def explain_attention(ctx: DemoContext, text: str, model: str, layer: float, head: str, token: float,
                      progress=gr.Progress()) -> tuple[Any, Any, list[list], str, str]:
    """Show an encoder's attention weights for a sentence, and one token's row worked by hand.

    Args:
        text: the sentence (English or Chinese); long texts are cut to the tab's token window.
        model: registry key, e.g. "attention/bert-base-uncased".
        layer: layer number, from 0.
        head: "average" for the mean of the layer's heads, or a head number from 0 as text.
        token: position of the token whose attention row is worked out (0 is [CLS]).
    Returns:
        the heatmap, a grid of every head of the layer, the worked numbers as a table and as text, and a
        status line (model, sizes, truncation notice).
    """
    text = check_text(text, "Sentence", ctx.settings.text.max_text_chars)
    spec = check_model(ctx, TASK, model)
    layer = check_number(layer, "Layer", 0, MAX_LAYERS - 1, integer=True)
    head_number = check_head(head)
    token = check_number(token, "Token position", 0, 10_000, integer=True)
    timed = run_model(ctx, spec, lambda runner: runner([text], layer=layer, head=head_number or 0,
                                                       token=token)[0], progress)
    maps: AttentionMaps = timed.result
    if head_number is None:
        matrix, which = head_average(maps.attention), f"average of {maps.heads} heads"
    else:
        matrix, which = maps.attention[head_number], f"head {head_number}"
    heatmap = attention_heatmap(maps.tokens, matrix, f"Layer {maps.layer}, {which}: softmax(QKᵀ/√d_k)")
    grid = head_grid(maps.tokens, maps.attention, maps.layer)
    status = (f"{timed.status} · {len(maps.tokens)} tokens · {maps.layers} layers × {maps.heads} heads, "
              f"d_k = {maps.d_k}")
    if maps.truncated:
        status += (f"  \n⚠️ The text is {maps.total_tokens:,} tokens long; this tab reads at most {maps.window:,}, "
                   f"so only the first {maps.window:,} tokens were used.")
    return heatmap, grid, worked_table(maps), worked_summary(maps, head_number is None), status


def code_settings(ctx: DemoContext, model: str, text: str, layer: float, head: str, token: float
                  ) -> tuple[str, dict]:
    """The registry key and the script's settings for the tab's inputs (the Code panel)."""
    head_number = check_head(head)
    return model, {"text": text, "layer": int(layer or 0), "head": head_number, "token": int(token or 0)}


def worked_table(maps: AttentionMaps) -> list[list]:
    """One row per key token: its key, the scaled score, the softmax weight and the model's own weight."""
    worked = maps.worked
    model_row = maps.attention[worked.head, worked.token]
    return [[j, token, _vector(worked.keys[j], 4), round(float(worked.scores[j]), 5),
             round(float(worked.weights[j]), 5), round(float(model_row[j]), 5), _vector(worked.values[j], 4)]
            for j, token in enumerate(maps.tokens)]


def worked_summary(maps: AttentionMaps, averaged: bool) -> str:
    worked = maps.worked
    gap = float(np.abs(worked.weights - maps.attention[worked.head, worked.token]).max())
    note = (f" (the heatmap shows the average of heads; the worked numbers are for head {worked.head})"
            if averaged else "")
    return "\n".join([
        f"**Token {worked.token} `{maps.tokens[worked.token]}`, layer {worked.layer}, head {worked.head}**{note}",
        "",
        f"1. Query: q = x W_q + b_q, this head's {worked.d_k} dimensions: `{_vector(worked.query, SHOWN_DIMS)}`",
        f"2. Scores: q · k_j / √d_k for every token j, with √d_k = {np.sqrt(worked.d_k):.3f} (table, 4th column)",
        "3. Softmax over the scores: the weights, which sum to "
        f"{worked.weights.sum():.6f} (5th column); the model's own row of the heatmap is beside them "
        f"(largest difference {gap:.1e})",
        f"4. Output: Σ_j weight_j · v_j = `{_vector(worked.output, SHOWN_DIMS)}` — what this head passes on "
        f"for the token (its {maps.heads} heads are then concatenated and projected).",
    ])


def plot_positional_encoding(positions: float, d_model: float) -> Any:
    """Plot the Transformer's sinusoidal positional encoding.

    Args:
        positions: how many positions, 1-512.
        d_model: the model width, an even number from 2 to 1024.
    Returns:
        a heatmap of PE(position, dimension) beside a few dimensions drawn as waves.
    """
    positions = check_number(positions, "Positions", 1, MAX_PE_POSITIONS, integer=True)
    d_model = check_number(d_model, "d_model", 2, MAX_PE_DIMS, integer=True)
    if d_model % 2:
        raise gr.Error(f"d_model must be even (sine and cosine pairs), not {d_model}.")
    return positional_encoding_plot(sinusoidal_encoding(positions, d_model))


def _vector(values: np.ndarray, count: int) -> str:
    shown = ", ".join(f"{v:+.3f}" for v in values[:count])
    return f"[{shown}{', …' if len(values) > count else ''}]"


def build(ctx: DemoContext) -> None:
    gr.Markdown("Each token of a sentence builds its next representation from all tokens, weighted by "
                "softmax(QKᵀ/√d_k). Pick a layer and a head to see those weights, and a token to see them "
                "computed step by step.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            text = gr.Textbox(label="Sentence", lines=3, max_length=ctx.settings.text.max_text_chars,
                              placeholder="A sentence in English or Chinese…")
            with gr.Row():
                layer = gr.Number(label="Layer", value=0, precision=0, minimum=0, maximum=MAX_LAYERS - 1,
                                  info="from 0; the status line says how many the model has")
                head = gr.Dropdown([AVERAGE] + [str(i) for i in range(MAX_HEADS)], value=AVERAGE, label="Head")
                token = gr.Number(label="Token for the worked numbers", value=1, precision=0, minimum=0,
                                  info="its position in the heatmap (0 is [CLS])")
            button = gr.Button("Run", variant="primary")
            status = status_line()
        with gr.Column():
            heatmap = gr.Plot(label="Attention weights", elem_classes=["readable-plot"])
    grid = gr.Plot(label="Every head of the layer")
    summary = gr.Markdown()
    table = gr.Dataframe(headers=WORKED_HEADERS, label="Worked numbers for the chosen token", interactive=False,
                         wrap=True)
    gr.Examples(EXAMPLES, inputs=[text, model, layer, head, token])

    model_event(ctx, [button.click, text.submit], explain_attention, [text, model, layer, head, token],
                [heatmap, grid, table, summary, status], api_name="explain_attention")
    code_panel(ctx, [model, text, layer, head, token], code_settings)

    with gr.Accordion("Positional encoding (sinusoidal, from “Attention Is All You Need”)", open=False):
        gr.Markdown("Attention itself ignores word order, so the original Transformer adds to each token a vector "
                    "that encodes its position: sines and cosines of decreasing frequency. (BERT learns its "
                    "position vectors instead; this is the fixed formula.)")
        with gr.Row():
            positions = gr.Slider(1, MAX_PE_POSITIONS, value=64, step=1, label="Positions")
            d_model = gr.Slider(2, 512, value=128, step=2, label="d_model")
            draw = gr.Button("Draw")
        encoding = gr.Plot(label="Positional encoding")

    gr.on([draw.click], plot_positional_encoding, [positions, d_model], [encoding],
          api_name="positional_encoding")
