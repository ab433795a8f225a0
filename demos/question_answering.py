"""Extractive question answering: a context and a question in, the answer span of the context out."""

from __future__ import annotations

import gradio as gr

from demos.code_panel import code_panel
from demos.common import (DemoContext, check_model, check_text, model_event, model_picker, run_batched,
                          status_line)

# the answer in its context reads as a paragraph: gradio's highlighted text puts each span in a block of its own
# and breaks lines inside words (the app gives each tab's CSS to launch())
CSS = """
.answer-in-context .textfield { display: block; }
.answer-in-context .token-container { display: inline; }
.answer-in-context .text { word-break: normal; overflow-wrap: break-word; }
.answer-in-context .label { white-space: nowrap; }
"""

NAME = "qa"
TITLE = "Question answering"
TASK = "question-answering"

EXAMPLES = [
    ["The Transformer is a deep learning architecture based on the attention mechanism. It was introduced "
     "in 2017 by researchers at Google in the paper Attention Is All You Need.",
     "Who introduced the Transformer?"],
    ["Apple was founded by Steve Jobs, Steve Wozniak and Ronald Wayne in April 1976 in California.",
     "When was Apple founded?"],
    ["长城是中国古代的伟大建筑，位于北京北部。华为公司的总部位于中国广东省深圳市。", "华为的总部在哪里？"],
]


def answer_question(ctx: DemoContext, context: str, question: str, model: str,
                    progress: gr.Progress | None = None) -> tuple[str, dict, str]:
    context = check_text(context, "Context", ctx.limits.max_context_chars)
    question = check_text(question, "Question", ctx.limits.max_question_chars)
    spec = check_model(ctx, TASK, model)
    timed = run_batched(ctx, spec, (question, context), progress)
    answer = timed.result
    windows = f" · context read in {answer.windows} overlapping windows" if answer.windows > 1 else ""
    if answer.no_answer:
        return ("(no answer in this context)", {"text": context, "entities": []},
                timed.status + f" · no-answer score {answer.score:.3f}{windows}")
    highlighted = {"text": context, "entities": [
        {"entity": f"answer ({answer.score:.2f})", "start": answer.start, "end": answer.end}]}
    return answer.text, highlighted, timed.status + f" · score {answer.score:.3f}{windows}"


def code_settings(ctx: DemoContext, model: str, context: str, question: str) -> tuple[str, dict]:
    return model, {"context": context, "question": question}


def build(ctx: DemoContext) -> None:
    gr.Markdown("Ask a question about a text: the model points at the span of the text that answers it.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            context = gr.Textbox(label="Context", lines=8, max_length=ctx.limits.max_context_chars,
                                 placeholder="Paste the text that holds the answer…")
            question = gr.Textbox(label="Question", max_length=ctx.limits.max_question_chars,
                                  placeholder="Ask something the context answers…")
            button = gr.Button("Run", variant="primary")
        with gr.Column():
            answer = gr.Textbox(label="Answer", interactive=False)
            highlighted = gr.HighlightedText(label="Answer in context", elem_classes=["answer-in-context"])
            status = status_line()
    gr.Examples(EXAMPLES, inputs=[context, question])

    def answer_from_context(context: str, question: str, model: str,
                            progress=gr.Progress()) -> tuple[str, dict, str]:
        """Answer a question with a span copied from the given context (extractive QA).

        Args:
            context: the text that holds the answer; long texts are read in overlapping windows.
            question: the question to answer.
            model: registry key of the model, e.g. "question-answering/distilbert-squad".
        Returns:
            the answer text, the context with the answer highlighted, and a status line with its score.
        """
        return answer_question(ctx, context, question, model, progress)

    model_event(ctx, [button.click, question.submit], answer_from_context, [context, question, model],
                [answer, highlighted, status], api_name="answer_question")
    code_panel(ctx, [model, context, question], code_settings)
