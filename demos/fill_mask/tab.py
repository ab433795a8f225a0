"""Fill in the blank: a sentence with a blank in, the model's guesses for it out, with their probabilities.

What pre-training teaches: BERT learned language by guessing hidden words of unlabeled text (masked language
modelling); its guesses show what it learned before it was fine-tuned for any task.
"""

from __future__ import annotations

import gradio as gr

from demos.fill_mask.logic import (MASK, MAX_BLANKS, MAX_SENTENCE_CHARS, MAX_TOP_K, blank_starts, blanks_from,
                                   clickable, filled, hide, normalized, table, with_mask_token, word_index)
from demos.ui.code_panel import code_panel
from demos.ui.common import (DemoContext, check_model, check_number, check_text, examples, model_event, model_picker,
                             run_model, status_line)
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
TABLE_HEADERS = ["blank", "guess", "probability"]

ENGLISH_MODEL, CHINESE_MODEL = "fill-mask/bert-base-uncased", "fill-mask/bert-base-chinese"
EXAMPLES = [
    ["Paris is the [MASK] of France.", ENGLISH_MODEL, 5],
    ["The doctor told me to take this [MASK] twice a day.", ENGLISH_MODEL, 5],
    ["I went to the [MASK] to buy some bread and [MASK].", ENGLISH_MODEL, 5],
    ["北京是中国的[MASK]都。", CHINESE_MODEL, 5],
    ["今天天气很好，我们去公园散[MASK]吧。", CHINESE_MODEL, 5],
]
INTRODUCTION = (
    "What pre-training learns: before BERT is taught any task, it reads a great deal of unlabeled text in which "
    "about 15% of the words are hidden, and learns to guess them from the words on both sides (a *masked "
    "language model*). Write a sentence with **[MASK]** where a word is missing, or click a word to hide it, and "
    "see the model's guesses. In Chinese, one [MASK] hides one character.")


def fill_mask(ctx: DemoContext, text: str, model: str, top_k: int = 5, progress=gr.Progress()
              ) -> tuple[dict[str, float], list[tuple[str, str | None]], list[list], str]:
    """Guess the hidden word of a sentence, as BERT learned to in pre-training (masked language modelling).

    Args:
        text: a sentence with [MASK] where a word is missing (up to 5 blanks, 500 characters; in Chinese one
            [MASK] is one character).
        model: registry key of the model, e.g. "fill-mask/bert-base-uncased" or "fill-mask/bert-base-chinese".
        top_k: how many guesses to give for each blank, 1 to 20.
    Returns:
        the guesses for the first blank with their probabilities, the sentence with each blank filled by its best
        guess, a table of every blank's guesses (blank, guess, probability), and a status line.
    """
    text = normalized(check_text(text, "Sentence", MAX_SENTENCE_CHARS))
    spec = check_model(ctx, TASK, model)
    top_k = check_number(top_k, "Guesses", 1, MAX_TOP_K, integer=True)
    count = len(blank_starts(text))
    if count == 0:
        raise gr.Error(f"The sentence has no blank: write {MASK} where a word is missing, or click a word in "
                       "the sentence to hide it.")
    if count > MAX_BLANKS:
        raise gr.Error(f"The sentence has {count} blanks; the limit is {MAX_BLANKS}. Each blank is guessed on "
                       "its own, so keep one to a few.")
    masked = with_mask_token(text, spec.params.get("mask_token", MASK))
    timed = run_model(ctx, spec, lambda runner: runner([masked], top_k=top_k)[0], progress)
    blanks = blanks_from(text, timed.result)
    status = timed.status
    if count > 1:
        status += f" · {count} blanks, each guessed on its own from one reading of the sentence"
    return {g.token: g.score for g in blanks[0].guesses}, filled(text, blanks), table(blanks), status


def code_settings(ctx: DemoContext, model: str, text: str, top_k: int) -> tuple[str, dict]:
    return model, {"text": normalized(text or ""), "top_k": int(top_k)}


def bounded(text: str) -> str:
    """The sentence as the tab reads it, cut before any work: a text far beyond the limit (only an API call can
    send one; the box holds 500 characters) costs no more to read than 4,500 characters."""
    return normalized((text or "")[: MAX_SENTENCE_CHARS * 9])[:MAX_SENTENCE_CHARS]


def words_of(text: str) -> list[tuple[str, str | None]]:
    return clickable(bounded(text))


def hide_clicked(text: str, clicked: gr.SelectData) -> str:
    """The sentence with the clicked word hidden (a click on a blank or a space changes nothing)."""
    index = word_index(words_of(text), clicked.index if isinstance(clicked.index, int) else -1)
    return text if index is None else hide(bounded(text), index)


def build(ctx: DemoContext) -> None:
    gr.Markdown(INTRODUCTION)
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            text = gr.Textbox(label="Sentence", lines=3, max_length=MAX_SENTENCE_CHARS,
                              placeholder="A sentence with [MASK] where a word is missing…")
            words = gr.HighlightedText(label="Click a word to hide it", value=[], show_legend=False,
                                       show_inline_category=False, elem_id="fill-mask-words",
                                       color_map={"word": "#e0e7ff", "blank": "#fde68a"})
            top_k = gr.Slider(1, MAX_TOP_K, value=5, step=1, label="Guesses")
            button = gr.Button("Run", variant="primary", elem_id="fill-mask-run")
        with gr.Column():
            guesses = gr.Label(label="Guesses for the blank", num_top_classes=MAX_TOP_K)
            sentence = gr.HighlightedText(label="The sentence with the best guess", show_legend=False)
            status = status_line()
    every = gr.Dataframe(headers=TABLE_HEADERS, label="Every blank's guesses", interactive=False)
    examples(EXAMPLES, inputs=[text, model, top_k])
    private = dict(api_visibility="private", queue=False, show_progress="hidden")
    text.change(words_of, text, words, **private)
    # a click hides the word, then runs the model as Run does (the same event, the same limits)
    words.select(hide_clicked, text, text, **private).then(
        None, None, None, js="() => document.querySelector('#fill-mask-run')?.click()", **private)

    model_event(ctx, [button.click, text.submit], fill_mask, [text, model, top_k], [guesses, sentence, every, status],
                api_name="fill_mask")
    code_panel(ctx, [model, text, top_k], code_settings)
