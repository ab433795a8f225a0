"""Summarization: paste or upload a text, get a summary that streams in; long texts are map-reduced."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import gradio as gr

from demos.ui.code_panel import code_panel
from demos.ui.common import (
    DemoContext,
    check_model,
    check_text,
    examples,
    shown,
    model_event,
    model_picker,
    status_line,
)
from demos.ui.generation_common import STOPS, check_choice, check_number, stream_model
from demos.ui.progress import MonotoneProgress
from models.text.generation_tasks import summarize
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task

# summary length -> (min_new_tokens, max_new_tokens); a chat model gets the maximum only
LENGTHS = {"short": (10, 60), "medium": (30, 142), "long": (60, 256)}
MAX_BEAMS = 8
MAX_FILE_BYTES = 2_000_000

EXAMPLES = [
    ["The Transformer is a deep learning architecture based on the attention mechanism. It was introduced in "
     "2017 by researchers at Google in the paper Attention Is All You Need. BERT is an encoder that is "
     "pre-trained on large amounts of unlabeled text and then fine-tuned. Large language models are trained "
     "on billions of words and have billions of parameters.", "summarization/distilbart-cnn-12-6"],
    ["人工智能已经成为现代科技的重要一环，大模型是人工智能领域的重要发展方向。大模型通常指具有数十亿或甚至数百亿参数的"
     "神经网络模型。Transformer是一种基于注意力机制的深度学习模型，由谷歌的研究人员在2017年提出。自然语言处理、"
     "计算机视觉和语音识别是大模型的主要应用领域。", "summarization/qwen2.5-0.5b-instruct"],  # the default reads English only
]


def read_upload(path: str | None) -> str | None:
    """The text of an uploaded .txt file, or None when nothing was uploaded."""
    if not path:
        return None
    if not isinstance(path, str):
        raise gr.Error("The file must be an uploaded .txt file.")
    file = Path(path)
    name = shown(file.name)
    if file.suffix.lower() != ".txt":
        raise gr.Error(f"{name} is not a .txt file. Upload plain text (.txt) or paste the text.")
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise gr.Error(f"{name} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes.")
        data = file.read_bytes()
    except (OSError, ValueError):  # gone, or a path with a NUL byte sent through the API
        raise gr.Error("The uploaded file could not be read; upload it again (a .txt file).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise gr.Error(f"{name} is not UTF-8 text. Save it as UTF-8 and upload it again.") from None


def generation_settings(spec, length: str, beams: int, temperature: float) -> dict:
    from models.families import kind

    min_tokens, max_tokens = LENGTHS[check_choice(length, "Length", LENGTHS)]
    params = {"max_new_tokens": max_tokens}
    if kind(spec.runner).conversation:  # a chat model samples; a seq2seq model searches beams
        params["temperature"] = check_number(temperature, "Temperature", 0.0, 2.0)
    else:
        params.update(min_new_tokens=min_tokens, num_beams=check_number(beams, "Beams", 1, MAX_BEAMS, integer=True))
    return params


def code_settings(ctx: DemoContext, model: str, text: str, file: str | None, length: str, beams: int,
                  temperature: float) -> tuple[str, dict]:
    spec = check_model(ctx, TASK, model)
    return model, {"text": read_upload(file) or text, **generation_settings(spec, length, beams, temperature)}


def summarize_document(ctx: DemoContext, text: str, file: str | None, model: str, length: str, beams: int,
                       temperature: float, request: gr.Request = None,
                       progress=gr.Progress()) -> Iterator[tuple[str, str, str]]:
    """Summarize a text (streamed); long texts are summarized in parts, then combined.

    Args:
        text: the text to summarize (ignored when a file is given).
        file: optional path of a UTF-8 .txt file to summarize instead.
        model: registry key, e.g. "summarization/distilbart-cnn-12-6".
        length: "short", "medium" or "long".
        beams: beam search width for seq2seq models, 1-8 (1 streams token by token).
        temperature: sampling temperature for chat models, 0-2 (0 = greedy).
    Returns:
        the summary so far, (long texts) the part summaries so far, and a status line, updated as it goes.
    """
    # a long text's part summaries come first, round after round, then its summary streams in; neither text
    # ever replaces what it showed
    uploaded = read_upload(file)
    text = check_text(uploaded if uploaded is not None else text, "Text", ctx.settings.text.max_context_chars)
    spec = check_model(ctx, TASK, model)
    params = generation_settings(spec, length, beams, temperature)
    bar = MonotoneProgress(progress)
    with STOPS.running(request, NAME) as stop:
        for partial, status in stream_model(ctx, spec, lambda runner: summarize(runner, text, stop, **params), bar):
            if partial.steps > 1 or partial.done:
                bar(partial.step / partial.steps if partial.steps else 1.0, desc=partial.stage)
            note = "stopped" if partial.stage == "stopped" or (partial.done and stop.is_set()) else partial.stage
            parts = f" · {partial.pieces} parts (map-reduce)" if partial.pieces > 1 else ""
            yield partial.text, partial.parts, f"{status}{parts} · {note}"


def build(ctx: DemoContext) -> None:
    gr.Markdown("Paste or upload a text and get a summary that streams in. Texts longer than the model reads "
                "at once are summarized part by part, then the part summaries are summarized again.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            text = gr.Textbox(label="Text", lines=10, max_length=ctx.settings.text.max_context_chars,
                              placeholder="Paste an article, a report, notes…")
            file = gr.File(label="…or upload a .txt file", file_types=[".txt"], type="filepath")
            with gr.Row():
                length = gr.Radio(list(LENGTHS), value="medium", label="Summary length")
                beams = gr.Slider(1, MAX_BEAMS, value=1, step=1, label="Beams (seq2seq models)",
                                  info="more beams: often better, but the summary appears at once, not streamed")
                temperature = gr.Slider(0, 2, value=0.3, step=0.05, label="Temperature (chat models)",
                                        info="0 = always the most likely word")
            with gr.Row():
                button = gr.Button("Summarize", variant="primary")
                stop = gr.Button("Stop", variant="stop")
        with gr.Column():
            summary = gr.Textbox(label="Summary", lines=10, interactive=False)
            parts = gr.Textbox(label="Part summaries (long texts: each part as it is done, then each round of "
                                     "combining)", lines=4, max_lines=12, interactive=False)
            status = status_line()
    examples(EXAMPLES, inputs=[text, model])

    event = model_event(ctx, [button.click], summarize_document,
                        [text, file, model, length, beams, temperature], [summary, parts, status],
                        api_name="summarize")
    code_panel(ctx, [model, text, file, length, beams, temperature], code_settings)

    def stop_summary(request: gr.Request) -> None:
        STOPS.stop(request, NAME)

    stop.click(stop_summary, None, None, cancels=[event], api_visibility="private")
