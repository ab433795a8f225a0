"""Translation: pick an engine and a language pair, get a translation that streams in, paragraphs kept."""

from __future__ import annotations

from typing import Iterator

import gradio as gr

from demos.ui.code_panel import code_panel
from demos.ui.common import DemoContext, check_text, examples, model_event, status_line
from demos.ui.generation_common import STOPS, stream_model
from models.text.generation_tasks import translate
from models.text.languages import LANGUAGE_NAMES, language_name
from demos.translation.routes import AUTO, RouteError, engines, pairs, resolve
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
BATCH_SENTENCES = 8

EXAMPLES = [
    ["The Transformer is a deep learning architecture based on the attention mechanism. It was introduced in "
     "2017 by researchers at Google.\n\nThe museum opens at nine in the morning and closes at six in the "
     "evening.", "en", "zh"],
    ["长城是中国古代的伟大建筑，位于北京北部。华为公司的总部位于中国广东省深圳市。", "zh", "en"],
    ["Ich heiße Wolfgang und wohne in Berlin. Das Essen war ausgezeichnet.", "de", "en"],
]


def language_choices(codes: list[str]) -> list[tuple[str, str]]:
    return [("Auto-detect" if code == AUTO else language_name(code), code) for code in codes]


def route_card(specs, engine: str, source: str, target: str) -> str:
    """The model card of the entry that would serve this pair, or why none would."""
    try:
        return f"<small>{resolve(specs, engine, source, target).spec.card()}</small>"
    except RouteError as exc:
        return f"<small>⚠️ {exc}.</small>"


def code_settings(ctx: DemoContext, engine: str, source: str, target: str, text: str) -> tuple[str, dict]:
    route = resolve(ctx.specs(TASK), engine, source, target)
    return route.spec.key, {"text": text, "source": route.source, "target": route.target}


def translate_document(ctx: DemoContext, text: str, source: str, target: str, model: str, request: gr.Request = None,
                       progress=gr.Progress()) -> Iterator[tuple[str, str]]:
    """Translate a text (streamed), sentence by sentence in batches, keeping paragraph breaks.

    Args:
        text: the text to translate.
        source: source language code, e.g. "en", "zh", "de", "fr"; "auto" where the model detects it.
        target: target language code.
        model: "opus-mt" (one model per pair), or a registry key such as "translation/m2m100-418m".
    Returns:
        the translation so far and a status line, updated as generation goes.
    """
    text = check_text(text, "Text", ctx.settings.text.max_context_chars)
    try:
        route = resolve(ctx.specs(TASK), model, source, target)  # the model: an engine, or an entry
    except RouteError as exc:
        raise gr.Error(f"{exc}.") from None
    with STOPS.running(request, NAME) as stop:
        generate = lambda runner: translate(runner, text, route.source, route.target, stop,  # noqa: E731
                                            batch_size=BATCH_SENTENCES)
        for partial, status in stream_model(ctx, route.spec, generate, progress):
            if progress is not None and partial.steps > 1:
                progress(partial.step / partial.steps, desc=partial.stage)
            pair = f"{language_name(route.source) if route.source else 'auto-detected'} → {language_name(route.target)}"
            yield partial.text, f"{status} · {pair} · {'stopped' if stop.is_set() else partial.stage}"


def build(ctx: DemoContext) -> None:
    specs = ctx.specs(TASK)
    engine_choices = engines(specs)
    first = engine_choices[0][1]
    table = pairs(specs, first)
    first_source = "en" if "en" in table else next(iter(table))
    gr.Markdown("Translate between languages. opus-mt uses one small model per language pair (only pairs that "
                "exist are offered); the many-to-many and chat models take any pair they know. Long texts are "
                "translated sentence by sentence, in batches; paragraph breaks are kept.")
    with gr.Row():
        with gr.Column():
            engine = gr.Dropdown(engine_choices, value=first, label="Model")
            with gr.Row():
                source = gr.Dropdown(language_choices(list(table)), value=first_source, label="From",
                                     allow_custom_value=True)  # the handler checks the pair
                swap = gr.Button("⇄", scale=0, min_width=50)
                target = gr.Dropdown(language_choices(table[first_source]), value=table[first_source][0], label="To",
                                     allow_custom_value=True)
            card = gr.Markdown(route_card(specs, first, first_source, table[first_source][0]),
                               elem_classes=["model-card"])
            text = gr.Textbox(label="Text", lines=8, max_length=ctx.settings.text.max_context_chars,
                              placeholder="Type or paste the text to translate…")
            with gr.Row():
                button = gr.Button("Translate", variant="primary")
                stop = gr.Button("Stop", variant="stop")
        with gr.Column():
            output = gr.Textbox(label="Translation", lines=8, interactive=False)
            status = status_line()
    table = examples(EXAMPLES, inputs=[text, source, target], names=language_choices(list(LANGUAGE_NAMES)))

    def update_languages(engine_value: str, source_value: str, target_value: str):
        options = pairs(specs, engine_value)
        if not options:
            return gr.update(), gr.update()
        new_source = source_value if source_value in options else ("en" if "en" in options else next(iter(options)))
        targets = options[new_source]
        new_target = target_value if target_value in targets else targets[0]
        return (gr.update(choices=language_choices(list(options)), value=new_source),
                gr.update(choices=language_choices(targets), value=new_target))

    def swap_languages(engine_value: str, source_value: str, target_value: str, text_value: str, output_value: str):
        options = pairs(specs, engine_value)
        if not isinstance(source_value, str) or not isinstance(target_value, str) or source_value == AUTO \
                or source_value not in options.get(target_value, []):
            raise gr.Error(f"{language_name(target_value)} → {language_name(source_value) or 'auto'} is not "
                           "available with this model; pick the languages by hand.")
        return (gr.update(choices=language_choices(list(options)), value=target_value),
                gr.update(choices=language_choices(options[target_value]), value=source_value),
                output_value or text_value, "")

    engine.change(update_languages, [engine, source, target], [source, target], api_visibility="private")
    gr.on([engine.change, source.change, target.change], lambda e, s, t: route_card(specs, e, s, t),
          [engine, source, target], card, api_visibility="private")
    source.input(update_languages, [engine, source, target], [source, target], api_visibility="private")
    # an example sets both languages: the lists then offer what the model pairs with them
    table.load_input_event.then(update_languages, [engine, source, target], [source, target],
                                api_visibility="private", queue=False, show_progress="hidden")
    swap.click(swap_languages, [engine, source, target, text, output], [source, target, text, output],
               api_visibility="private")

    event = model_event(ctx, [button.click], translate_document, [text, source, target, engine],
                        [output, status], api_name="translate")
    code_panel(ctx, [engine, source, target, text], code_settings)

    def stop_translation(request: gr.Request) -> None:
        STOPS.stop(request, NAME)

    stop.click(stop_translation, None, None, cancels=[event], api_visibility="private")
