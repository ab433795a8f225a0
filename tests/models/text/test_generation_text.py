"""Pure functions of the generation tabs: sentence and paragraph splitting, token windows, language routes."""

import gradio as gr
import pytest

from demos.ui.generation_common import check_number
from models.text.text_split import join_paragraphs, sentence_joiner, split_paragraphs, split_sentences, token_windows
from demos.translation.routes import AUTO, RouteError, engines, pairs, resolve


def test_english_sentences_keep_their_punctuation_and_quotes():
    text = 'He said "stop." Then he left! Did she follow? Yes… she did'
    # an ellipsis before a lower-case word ends no sentence
    assert split_sentences(text) == ['He said "stop."', "Then he left!", "Did she follow?", "Yes… she did"]


def test_chinese_sentences_split_without_spaces():
    text = "长城是中国古代的伟大建筑。华为的总部在哪里？他说：“好！”然后走了；最后"
    assert split_sentences(text) == ["长城是中国古代的伟大建筑。", "华为的总部在哪里？", "他说：“好！”", "然后走了；最后"]


def test_decimals_and_abbreviations_without_a_space_stay_whole():
    assert split_sentences("Version 2.5 costs 3.99 dollars.") == ["Version 2.5 costs 3.99 dollars."]


# Abbreviation-heavy text: titles, initialisms, times, decimals, dates end no sentence (issue 18). The old
# regex splitter cut each of these at every "." followed by a space.
@pytest.mark.parametrize("language, text, expected", [
    ("en", "Dr. Smith met Mr. J. R. R. Tolkien at 5 p.m. on Jan. 5th. They talked about the U.S.A. and e.g. "
           "the U.K. economy, which grew 3.5% vs. 2.1% in 2019. Prof. Jones (Ph.D.) disagreed! Really? Yes... he did.",
     ["Dr. Smith met Mr. J. R. R. Tolkien at 5 p.m. on Jan. 5th.",
      "They talked about the U.S.A. and e.g. the U.K. economy, which grew 3.5% vs. 2.1% in 2019.",
      "Prof. Jones (Ph.D.) disagreed!", "Really?", "Yes... he did."]),
    ("en", '"Is it raining?" she asked. "No." He left at 10 a.m. and came back at 3.30 p.m. The end.',
     ['"Is it raining?" she asked.', '"No."', "He left at 10 a.m. and came back at 3.30 p.m.", "The end."]),
    ("de", "Dr. Müller kam am 3. Okt. 2020 um 10 Uhr an. Das kostet ca. 3,50 € bzw. 4 Euro, z. B. im Supermarkt. "
           "Herr Prof. Dr. Weber wohnt in der Str. 5, d. h. in der Nähe. Am 24. Dezember feiern wir. Ende.",
     ["Dr. Müller kam am 3. Okt. 2020 um 10 Uhr an.", "Das kostet ca. 3,50 € bzw. 4 Euro, z. B. im Supermarkt.",
      "Herr Prof. Dr. Weber wohnt in der Str. 5, d. h. in der Nähe.", "Am 24. Dezember feiern wir.", "Ende."]),
    ("fr", "Le Dr. Martin est là. M. Durand et Mme. Roux sont arrivés à 10 h. Il est né le 3 janv. 1990 à Paris, "
           "c.-à-d. il y a longtemps. Voir chap. 3, p. 12. « Vraiment ? » Oui… il est parti. Fin.",
     ["Le Dr. Martin est là.", "M. Durand et Mme. Roux sont arrivés à 10 h.",
      "Il est né le 3 janv. 1990 à Paris, c.-à-d. il y a longtemps.", "Voir chap. 3, p. 12.", "« Vraiment ? »",
      "Oui… il est parti.", "Fin."]),
    ("zh", "今天天气很好。我们去公园吧！你觉得怎么样？“好啊。”他说…… 那走吧。",
     ["今天天气很好。", "我们去公园吧！", "你觉得怎么样？", "“好啊。”", "他说…… 那走吧。"]),
    ("ja", "今日は晴れです。公園に行きましょう！どう思いますか？「いいですね。」と彼は言った。",
     ["今日は晴れです。", "公園に行きましょう！", "どう思いますか？", "「いいですね。」と彼は言った。"]),
], ids=["en-titles-initialisms-times", "en-quotes", "de", "fr", "zh", "ja"])
def test_abbreviations_titles_and_numbers_end_no_sentence(language, text, expected):
    assert split_sentences(text, language) == expected
    assert split_sentences(text) == expected or language in ("de", "fr")  # (unknown language: English rules)
    assert "".join(expected).replace(" ", "") == text.replace(" ", "")  # nothing lost


def test_translation_and_speech_use_the_same_splitter():
    from models.text.speech_text import split_sentences as speech_sentences

    text = "Dr. Smith arrived at 5 p.m. on Jan. 5th. He left.\n\nMr. Brown stayed."
    assert speech_sentences(text, 300) == [s for p in split_paragraphs(text) for s in p.sentences] == \
        ["Dr. Smith arrived at 5 p.m. on Jan. 5th.", "He left.", "Mr. Brown stayed."]


def test_korean_sentences_are_joined_with_a_space():
    assert split_sentences("오늘은 날씨가 좋습니다. 공원에 갈까요? 좋아요!") == ["오늘은 날씨가 좋습니다.", "공원에 갈까요?", "좋아요!"]
    assert sentence_joiner("ko") == " " and sentence_joiner(sample="오늘은 날씨가 좋습니다.") == " "


def test_paragraph_breaks_survive_a_round_trip():
    text = "First one. Second one.\n\nNew paragraph!\nA line of its own.\n\n\n中文段落。第二句。"
    paragraphs = split_paragraphs(text)
    assert [p.separator for p in paragraphs] == ["\n\n", "\n", "\n\n\n", ""]
    sentences = [s for p in paragraphs for s in p.sentences]
    assert len(sentences) == 6
    assert join_paragraphs(paragraphs, [s.upper() for s in sentences], " ") == \
        "FIRST ONE. SECOND ONE.\n\nNEW PARAGRAPH!\nA LINE OF ITS OWN.\n\n\n中文段落。 第二句。"


def test_partial_translations_fill_paragraphs_in_order():
    paragraphs = split_paragraphs("One. Two.\n\nThree.")
    assert join_paragraphs(paragraphs, ["a."], " ") == "a."
    assert join_paragraphs(paragraphs, ["a.", "b."], " ") == "a. b."  # no dangling break while streaming
    assert join_paragraphs(paragraphs, ["a.", "b.", "c."], " ") == "a. b.\n\nc."


def test_sentence_joiner():
    assert sentence_joiner("zh") == "" and sentence_joiner("de") == " "
    assert sentence_joiner(sample="长城很长。") == "" and sentence_joiner(sample="Long wall.") == " "


def test_token_windows_cover_the_whole_text_in_order():
    sentences = [f"Sentence number {i} has some words in it." for i in range(40)]
    count = lambda s: len(s.split())  # noqa: E731
    windows = token_windows(sentences, count, 30)
    assert len(windows) > 1
    assert all(count(w) <= 30 for w in windows)
    assert " ".join(windows) == " ".join(sentences)  # nothing lost, nothing repeated, order kept


def test_a_sentence_longer_than_a_window_is_cut_not_dropped():
    long = "x" * 250
    windows = token_windows(["short.", long, "end."], len, 100)
    assert all(len(w) <= 100 for w in windows)
    assert "".join(windows).replace(" ", "") == ("short." + long + "end.")


def test_token_windows_refuse_a_zero_window():
    with pytest.raises(ValueError):
        token_windows(["a"], len, 0)


# --- translation routes ------------------------------------------------------------------------------

def test_opus_mt_is_one_engine_offering_only_existing_pairs(registry):
    specs = registry.for_task("translation")
    values = [value for _, value in engines(specs)]
    assert values[0] == "opus-mt" and values.count("opus-mt") == 1
    table = pairs(specs, "opus-mt")
    assert sorted(table["en"]) == ["de", "fr", "zh"]
    assert table["zh"] == ["en"] and table["de"] == ["en"] and table["fr"] == ["en"]
    assert AUTO not in table


def test_each_pair_resolves_to_its_own_entry(registry):
    specs = registry.for_task("translation")
    route = resolve(specs, "opus-mt", "en", "zh")
    assert route.spec.key == "translation/opus-mt-en-zh" and route.spec.params["target_prefix"] == ">>cmn_Hans<<"
    assert resolve(specs, "opus-mt", "zh", "en").spec.key == "translation/opus-mt-zh-en"


def test_chat_model_may_auto_detect_and_m2m100_may_not(registry):
    specs = registry.for_task("translation")
    route = resolve(specs, "translation/qwen2.5-0.5b-instruct", AUTO, "zh")
    assert route.source is None and route.target == "zh"
    assert AUTO not in pairs(specs, "translation/m2m100-418m")
    with pytest.raises(RouteError, match="does not translate from 'auto'"):
        resolve(specs, "translation/m2m100-418m", AUTO, "zh")


@pytest.mark.parametrize("engine, source, target, message", [
    ("opus-mt", "en", "en", "both 'en'"),
    ("opus-mt", "de", "fr", "offers: en"),
    ("opus-mt", "xx", "en", "translates from"),
    ("nllb", "en", "de", "Unknown translation model"),
])
def test_unsupported_requests_say_what_is_allowed(registry, engine, source, target, message):
    with pytest.raises(RouteError, match=message):
        resolve(registry.for_task("translation"), engine, source, target)


@pytest.mark.parametrize("value", [-1, 0, 5000, "many", None, float("nan"), 2.5])
def test_absurd_numbers_are_refused_with_the_range(value):
    with pytest.raises(gr.Error, match="between 1 and 2048"):
        check_number(value, "Max new tokens", 1, 2048, integer=True)


def test_numbers_in_range_pass():
    assert check_number("7", "Beams", 1, 8, integer=True) == 7
    assert check_number(0.0, "Temperature", 0, 2) == 0.0
