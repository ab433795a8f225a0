"""Knowledge graph: text in, (head, relation, tail) triples out, as a table and as a drawn graph."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from demos.ui.common import DemoContext, check_model, check_text, model_event, model_picker, run_model, status_line
from demos.ui.explain_plots import knowledge_graph_plot
from demos.knowledge_graph.logic import Extraction, extract_triples
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
TABLE_HEADERS = ["head", "relation", "tail"]

EXAMPLES = [
    ["Punta Cana is a resort town in the municipality of Higüey, in La Altagracia Province, the easternmost "
     "province of the Dominican Republic.", "knowledge-graph/rebel-large"],
    ["Apple was founded by Steve Jobs, Steve Wozniak and Ronald Wayne in April 1976 in California.",
     "knowledge-graph/rebel-large"],
    ["马云在杭州创办了阿里巴巴集团。华为公司的总部位于中国广东省深圳市。", "knowledge-graph/qwen2.5-0.5b-instruct"],
]


def extract_knowledge_graph(ctx: DemoContext, text: str, model: str, progress=gr.Progress()
                            ) -> tuple[list[list], Any, str, str]:
    """Extract (head, relation, tail) triples from a text and draw them as a graph.

    Args:
        text: the text to read (English with REBEL; Chinese and other languages with the chat model).
        model: registry key, e.g. "knowledge-graph/rebel-large".
    Returns:
        the triples as a table, the graph, the model's raw output, and a status line (a malformed output is
        reported there, with no triples).
    """
    text = check_text(text, "Text", ctx.settings.text.max_text_chars)
    spec = check_model(ctx, TASK, model)
    timed = run_model(ctx, spec, lambda runner: extract_triples(runner, text), progress)
    extraction: Extraction = timed.result
    table = [[t.head, t.relation, t.tail] for t in extraction.triples]
    graph = knowledge_graph_plot([(t.head, t.relation, t.tail) for t in extraction.triples])
    return table, graph, extraction.raw, timed.status + outcome_note(extraction)


def outcome_note(extraction: Extraction) -> str:
    if extraction.error:
        # escaped: the reason quotes markers such as <triplet>, which Markdown would take for HTML tags
        note = (f" · ⚠️ The model's output is not in the expected format ({html.escape(extraction.error)}), "
                "so no triples are shown: nothing was guessed. Its raw output is below.")
    else:
        count = len(extraction.triples)
        note = f" · {count} triple{'' if count == 1 else 's'}"
    if extraction.truncated:
        note += (f"  \n⚠️ The text is {extraction.tokens:,} tokens long; this model reads at most "
                 f"{extraction.window:,}, so only the beginning was read.")
    return note


def build(ctx: DemoContext) -> None:
    gr.Markdown("Turn sentences into facts: (head, relation, tail) triples, drawn as a graph of entities. "
                "REBEL writes triples in its own markup; the chat model is asked for JSON. Either output is "
                "read strictly: a malformed one is reported, not guessed at.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            text = gr.Textbox(label="Text", lines=6, max_length=ctx.settings.text.max_text_chars,
                              placeholder="A few sentences about people, places, companies…")
            button = gr.Button("Run", variant="primary")
            status = status_line()
            table = gr.Dataframe(headers=TABLE_HEADERS, label="Triples", interactive=False, wrap=True)
        with gr.Column():
            graph = gr.Plot(label="Graph")
    raw = gr.Textbox(label="Raw model output", lines=3, interactive=False)
    gr.Examples(EXAMPLES, inputs=[text, model])

    model_event(ctx, [button.click], extract_knowledge_graph, [text, model], [table, graph, raw, status],
                api_name="extract_knowledge_graph")
