"""Fill in the blank: the blanks, the clickable words, the guesses put back into the sentence, and the tab on the
tiny twins (random weights: the guesses mean nothing, their shape and arithmetic do)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import gradio as gr
import pytest

from demos.fill_mask import logic, tab

SENTENCE = "Paris is the [MASK] of France."


# --- the sentence: blanks and words ---------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["[mask]", "[ MASK ]", "<mask>", "[Mask]"])
def test_every_spelling_of_a_blank_is_a_blank(written):
    assert logic.normalized(f"The {written} sat.") == "The [MASK] sat."


def test_words_are_runs_of_letters_and_each_chinese_character_blanks_are_not_words():
    text = "It's 3.5 km to the [MASK]: 北京大学."
    words = [text[start:end] for start, end in logic.words(text)]
    assert words == ["It's", "3.5", "km", "to", "the", "北", "京", "大", "学"]


def test_clicking_a_word_hides_it_and_a_click_on_a_blank_or_a_space_changes_nothing():
    text = "The cat sat on the [MASK]."
    pieces = logic.clickable(text)
    assert "".join(piece for piece, _ in pieces) == text  # the view is the sentence, nothing lost
    cat = next(i for i, (piece, _) in enumerate(pieces) if piece == "cat")
    blank = next(i for i, (_, label) in enumerate(pieces) if label == "blank")
    space = next(i for i, (piece, label) in enumerate(pieces) if label is None)
    assert tab.hide_clicked(text, SimpleNamespace(index=cat)) == "The [MASK] sat on the [MASK]."
    assert tab.hide_clicked(text, SimpleNamespace(index=blank)) == text
    assert tab.hide_clicked(text, SimpleNamespace(index=space)) == text
    assert tab.hide_clicked(text, SimpleNamespace(index=10_000)) == text
    assert tab.hide_clicked(text, SimpleNamespace(index=(1, 2))) == text  # a forged index is ignored
    assert logic.hide("北京是首都", 1) == "北[MASK]是首都"  # one Chinese character per blank


def test_the_guesses_go_back_into_the_sentence_best_first():
    text = "A [MASK] and a [MASK]."
    output = [[{"token_str": "cat", "score": 0.2}, {"token_str": "dog", "score": 0.7}],
              [{"token_str": "##s", "score": 0.5}, {"token_str": " mouse ", "score": 0.4}]]
    blanks = logic.blanks_from(text, output)
    assert [[g.token for g in blank.guesses] for blank in blanks] == [["dog", "cat"], ["##s", "mouse"]]
    assert logic.filled(text, blanks) == [("A ", None), ("dog", "①"), (" and a ", None), ("##s", "②"), (".", None)]
    assert logic.table(blanks)[0] == ["①", "dog", 0.7] and len(logic.table(blanks)) == 4
    one = logic.blanks_from("A [MASK].", [{"token_str": "x", "score": 1.0}])  # a lone blank: the list itself
    assert len(one) == 1 and one[0].guesses[0].token == "x"
    with pytest.raises(ValueError, match="guesses for 1 blanks; the sentence has 2"):
        logic.blanks_from(text, [output[0]])


# --- the tab on the tiny twins --------------------------------------------------------------------------------

@pytest.mark.parametrize("model, text", [(tab.ENGLISH_MODEL, SENTENCE), (tab.CHINESE_MODEL, "北京是中国的[MASK]都。")])
def test_the_guesses_are_probabilities_best_first_and_the_best_fills_the_blank(ctx, model, text):
    first, filled, table, status = tab.fill_mask(ctx, text, model, 7)
    scores = list(first.values())
    assert len(first) == 7 and scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores) and sum(scores) <= 1 + 1e-6
    best = next(iter(first))
    assert "".join(piece for piece, _ in filled) == text.replace("[MASK]", best)
    assert [row[1] for row in table] == list(first) and len(table) == 7
    assert model.split("/")[1] in status and "inference" in status


def test_several_blanks_are_each_guessed_and_the_status_says_how(ctx):
    first, filled, table, status = tab.fill_mask(ctx, "I [MASK] to the [mask] to buy [MASK].", tab.ENGLISH_MODEL, 3)
    assert [label for _, label in filled if label] == ["①", "②", "③"]
    assert [row[0] for row in table] == ["①"] * 3 + ["②"] * 3 + ["③"] * 3
    assert "3 blanks, each guessed on its own" in status


@pytest.mark.parametrize("text, top_k, message", [
    ("Paris is the capital of France.", 5, "The sentence has no blank: write \\[MASK\\]"),
    ("[MASK] " * 6, 5, "has 6 blanks; the limit is 5"),
    ("x" * 501 + "[MASK]", 5, "Sentence is 507 characters long; the limit is 500"),
    ("", 5, "Sentence is empty"),
    (SENTENCE, math.nan, "Guesses must be a whole number between 1 and 20, not nan"),
    (SENTENCE, 0, "Guesses must be a whole number between 1 and 20"),
    (SENTENCE, 21, "Guesses must be a whole number between 1 and 20"),
    (SENTENCE, [5], "Guesses must be a whole number between 1 and 20, not a list"),
])
def test_a_bad_input_gets_a_clear_error_and_the_next_request_works(ctx, text, top_k, message):
    with pytest.raises(gr.Error, match=message):
        tab.fill_mask(ctx, text, tab.ENGLISH_MODEL, top_k)
    assert len(tab.fill_mask(ctx, SENTENCE, tab.ENGLISH_MODEL, 2)[0]) == 2


@pytest.mark.parametrize("model", ["../../etc/passwd", "google-bert/bert-base-uncased", "attention/bert-base-uncased",
                                   ["fill-mask/bert-base-uncased"]])
def test_only_this_tabs_models_are_served(ctx, model):
    with pytest.raises(gr.Error, match="Unknown model"):
        tab.fill_mask(ctx, SENTENCE, model, 5)


def test_the_longest_sentence_allowed_fits_the_models_window_even_in_chinese(ctx):
    """500 characters: one token each at most in a BERT vocabulary, so the blank is never cut off."""
    text = "[MASK]" + "北" * 494
    assert len(text) == 500
    first, _, _, _ = tab.fill_mask(ctx, text, tab.CHINESE_MODEL, 1)
    assert len(first) == 1
