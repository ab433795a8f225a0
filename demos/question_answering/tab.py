"""Extractive question answering: a context and a question in, the answer span of the context out."""

from __future__ import annotations

import gradio as gr

from demos.ui.code_panel import as_given, code_panel
from demos.ui.common import (DemoContext, check_model, check_text, examples, model_event, model_picker, run_batched,
                             status_line)
from demos.ui.generation_common import check_number
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task

# the answer in its context reads as a paragraph: gradio's highlighted text puts each span in a block of its own
# and breaks lines inside words (the app gives each tab's CSS to launch())
CSS = """
.answer-in-context .textfield { display: block; }
.answer-in-context .token-container { display: inline; }
.answer-in-context .text { word-break: normal; overflow-wrap: break-word; }
.answer-in-context .label { white-space: nowrap; }
"""

EXAMPLES = [
    ["The Transformer is a deep learning architecture based on the attention mechanism. It was introduced "
     "in 2017 by researchers at Google in the paper Attention Is All You Need.",
     "Who introduced the Transformer?", "question-answering/distilbert-squad"],
    ["Apple was founded by Steve Jobs, Steve Wozniak and Ronald Wayne in April 1976 in California.",
     "When was Apple founded?", "question-answering/distilbert-squad"],
    ["长城是中国古代的伟大建筑，位于北京北部。华为公司的总部位于中国广东省深圳市。", "华为的总部在哪里？",
     "question-answering/xlm-roberta-squad2"],  # the default model reads English only
]


MAX_ANSWERS = 5


def answer_from_context(ctx: DemoContext, context: str, question: str, model: str, answers: int = 1,
                        progress=gr.Progress()) -> tuple[str, dict, str]:
    """Answer a question with a span copied from the given context (extractive QA).

    Args:
        context: the text that holds the answer; long texts are read in overlapping windows.
        question: the question to answer.
        model: registry key of the model, e.g. "question-answering/distilbert-squad".
        answers: how many answers to give (1-5), best first; equal answers are listed once.
    Returns:
        the answer text (with several answers: one numbered line each, with its score), the context with
        the answers highlighted, and a status line with the best answer's score.
    """
    context = check_text(context, "Context", ctx.settings.text.max_context_chars)
    question = check_text(question, "Question", ctx.settings.text.max_question_chars)
    top_k = check_number(1 if answers is None else answers, "Answers", 1, MAX_ANSWERS, integer=True)
    spec = check_model(ctx, TASK, model)
    timed = run_batched(ctx, spec, (question, context), progress, **({"top_k": top_k} if top_k > 1 else {}))
    answer = timed.result
    windows = f" · context read in {answer.windows} overlapping windows" if answer.windows > 1 else ""
    others = [(span.text, span.start, span.end, span.score) for span in answer.alternatives]
    if answer.no_answer:
        text = "(no answer in this context)"
        status = timed.status + f" · no-answer score {answer.score:.3f}{windows}"
        ranked = others
    else:
        text, status = answer.text, timed.status + f" · score {answer.score:.3f}{windows}"
        ranked = [(answer.text, answer.start, answer.end, answer.score), *others]
    if top_k > 1:  # one line per answer, best first, with its score; each highlighted where none overlap
        lines = [text] if answer.no_answer else []
        text = "\n".join(lines + [f"{n}. {t} ({score:.3f})" for n, (t, _, _, score) in enumerate(ranked, 1)])
    return text, {"text": context, "entities": _highlights(ranked)}, status


def _highlights(ranked: list[tuple[str, int, int, float]]) -> list[dict]:
    """Highlights for the answers, best first; one that overlaps a better one is listed but not highlighted."""
    taken: list[tuple[int, int]] = []
    entities = []
    for n, (_, start, end, score) in enumerate(ranked, 1):
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        taken.append((start, end))
        label = f"answer ({score:.2f})" if len(ranked) == 1 else f"answer {n} ({score:.2f})"
        entities.append({"entity": label, "start": start, "end": end})
    return entities


code_settings = as_given("context", "question")


def build(ctx: DemoContext) -> None:
    gr.Markdown("Ask a question about a text: the model points at the span of the text that answers it.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            context = gr.Textbox(label="Context", lines=8, max_length=ctx.settings.text.max_context_chars,
                                 placeholder="Paste the text that holds the answer…")
            question = gr.Textbox(label="Question", max_length=ctx.settings.text.max_question_chars,
                                  placeholder="Ask something the context answers…")
            answers = gr.Slider(1, MAX_ANSWERS, value=1, step=1, label="Answers",
                                info="how many answers to list, best first, each with its score")
            button = gr.Button("Run", variant="primary")
        with gr.Column():
            answer = gr.Textbox(label="Answer", interactive=False)
            highlighted = gr.HighlightedText(label="Answer in context", elem_classes=["answer-in-context"])
            status = status_line()
    examples(EXAMPLES, inputs=[context, question, model])

    model_event(ctx, [button.click, question.submit], answer_from_context, [context, question, model, answers],
                [answer, highlighted, status], api_name="answer_question")
    code_panel(ctx, [model, context, question], code_settings)
