"""Text classification (sentiment): text in, every label's probability out."""

from __future__ import annotations

import gradio as gr

from demos.ui.code_panel import as_given, code_panel
from demos.ui.common import (DemoContext, check_model, check_text, examples, follow_registry, model_event,
                             model_picker, run_batched, status_line)
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task

ENGLISH_MODEL, MULTILINGUAL_MODEL = "text-classification/distilbert-sst2", "text-classification/multilingual-sentiment"
EXAMPLES = [  # each with the model it needs: the default reads English only
    ["I love this movie and I would watch it again and again!", ENGLISH_MODEL],
    ["The food was cold, the service was slow and the room was dirty.", ENGLISH_MODEL],
    ["这部电影太好看了，我还想再看一遍。", MULTILINGUAL_MODEL],
    ["服务很差，饭菜也是凉的，我不会再来了。", MULTILINGUAL_MODEL],
]


def classify_text(ctx: DemoContext, text: str, model: str, progress=gr.Progress()) -> tuple[dict[str, float], str]:
    """Classify the sentiment of a text.

    Args:
        text: the text to classify (English; other languages with a multilingual model).
        model: registry key of the model, e.g. "text-classification/distilbert-sst2".
    Returns:
        the probability of each label, and a status line (model, device, timings).
    """
    text = check_text(text, "Text", ctx.settings.text.max_text_chars)
    spec = check_model(ctx, TASK, model)
    timed = run_batched(ctx, spec, text, progress)
    result = timed.result
    status = timed.status
    if result.truncated:
        status += (f"  \n⚠️ The text is {result.tokens:,} tokens long; this model reads at most "
                   f"{result.window:,}, so only the beginning was classified.")
    return {s.label: s.score for s in result.scores}, status


code_settings = as_given("text")


def build(ctx: DemoContext) -> None:
    gr.Markdown("Is a text positive or negative? The model gives a probability for each label.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            follow_registry(ctx, TASK, model)  # models fine-tuned on this server join the list
            text = gr.Textbox(label="Text", lines=5, max_length=ctx.settings.text.max_text_chars,
                              placeholder="Type or paste a review, a tweet, a sentence…")
            button = gr.Button("Run", variant="primary")
        with gr.Column():
            label = gr.Label(label="Labels", num_top_classes=5)
            status = status_line()
    examples(EXAMPLES, inputs=[text, model])

    model_event(ctx, [button.click, text.submit], classify_text, [text, model], [label, status],
                api_name="classify_text")
    code_panel(ctx, [model, text], code_settings)
