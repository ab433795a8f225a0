"""Named entities: text in, persons/organizations/places/... highlighted, plus a table with offsets."""

from __future__ import annotations

import gradio as gr

from demos.ui.code_panel import as_given, code_panel
from demos.ui.common import (DemoContext, check_model, check_text, examples, model_event, model_picker, run_batched,
                             status_line)
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
TABLE_HEADERS = ["entity", "type", "score", "start", "end"]

ENGLISH_MODEL, MULTILINGUAL_MODEL = "token-classification/bert-base-ner", "token-classification/multilingual-ner"
EXAMPLES = [  # each with the model it needs: the default reads English only
    ["My name is Wolfgang and I live in Berlin. Sarah works for Google in London.", ENGLISH_MODEL],
    ["Apple was founded by Steve Jobs, Steve Wozniak and Ronald Wayne in April 1976 in California.", ENGLISH_MODEL],
    ["马云在杭州创办了阿里巴巴集团。", MULTILINGUAL_MODEL],
    ["李明在北京大学学习计算机科学，他的朋友在上海工作。", MULTILINGUAL_MODEL],
]


def find_named_entities(ctx: DemoContext, text: str, model: str, progress=gr.Progress()
                        ) -> tuple[dict, list[list], str]:
    """Find named entities (persons, organizations, locations, ...) in a text.

    Args:
        text: the text to tag; Chinese and other languages with a multilingual model.
        model: registry key of the model, e.g. "token-classification/bert-base-ner".
    Returns:
        the text with entity spans, a table of entity/type/score/start/end, and a status line.
    """
    text = check_text(text, "Text", ctx.settings.text.max_text_chars)
    spec = check_model(ctx, TASK, model)
    timed = run_batched(ctx, spec, text, progress)
    entities = timed.result
    highlighted = {"text": text,
                   "entities": [{"entity": e.label, "start": e.start, "end": e.end} for e in entities]}
    table = [[e.text, e.label, round(e.score, 4), e.start, e.end] for e in entities]
    status = timed.status + f" · {len(entities)} entit{'y' if len(entities) == 1 else 'ies'}"
    return highlighted, table, status


code_settings = as_given("text")


def build(ctx: DemoContext) -> None:
    gr.Markdown("Find the people, organizations, places and other names in a text.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            text = gr.Textbox(label="Text", lines=5, max_length=ctx.settings.text.max_text_chars,
                              placeholder="Type or paste a text with names in it…")
            button = gr.Button("Run", variant="primary")
        with gr.Column():
            highlighted = gr.HighlightedText(label="Entities", show_legend=True)
            status = status_line()
    table = gr.Dataframe(headers=TABLE_HEADERS, label="Entity table (character offsets)",
                         interactive=False, wrap=True)
    examples(EXAMPLES, inputs=[text, model])

    model_event(ctx, [button.click, text.submit], find_named_entities, [text, model], [highlighted, table, status],
                api_name="find_named_entities")
    code_panel(ctx, [model, text], code_settings)
