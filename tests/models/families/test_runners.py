"""Each runner on tiny twins: real tokenizers, real models, random weights."""

from types import SimpleNamespace

import numpy as np
import pytest

from models.runtime.device import Placement
from models.runtime.errors import InputError
from models.families.runners.extractive_qa import ExtractiveQARunner, best_span_in_window
from models.registry.sources import ModelSource
from models.families.twins import ensure_twin

TEXTS = ["I love this movie and I would watch it again!", "这部电影太好看了，我还想再看一遍。",
         "مرحبا بالعالم 😀 שלום", "x"]


@pytest.mark.parametrize("key", ["text-classification/distilbert-sst2", "text-classification/multilingual-sentiment"])
def test_classification_scores_are_probabilities_over_every_label(tiny_manager, registry, key):
    runner = tiny_manager.get(key)
    labels = set(registry.get(key).tiny.options["labels"])
    results = runner(TEXTS)
    assert len(results) == len(TEXTS)
    for result in results:
        assert {s.label for s in result.scores} == labels
        assert sum(s.score for s in result.scores) == pytest.approx(1.0, abs=1e-5)
        assert all(0.0 <= s.score <= 1.0 for s in result.scores)
        assert [s.score for s in result.scores] == sorted((s.score for s in result.scores), reverse=True)
        assert not result.truncated and result.tokens <= result.window


def test_classification_says_when_it_truncated(tiny_manager):
    runner = tiny_manager.get("text-classification/distilbert-sst2")
    result = runner(["good " * 800])[0]
    assert result.truncated and result.tokens > result.window == 512
    assert sum(s.score for s in result.scores) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("key", ["token-classification/bert-base-ner", "token-classification/multilingual-ner"])
def test_entity_offsets_slice_the_text_to_the_entity(tiny_manager, registry, key):
    runner = tiny_manager.get(key)
    labels = {label.split("-")[-1] for label in registry.get(key).tiny.options["labels"]} - {"O"}
    texts = ["Sarah works for Google in London.", "马云在杭州创办了阿里巴巴集团。"]
    for text, entities in zip(texts, runner(texts)):
        assert entities, "random weights still tag something"
        for entity in entities:
            assert entity.text == text[entity.start:entity.end] and entity.text.strip()
            assert entity.label in labels and 0 <= entity.score <= 1


def test_long_text_is_tagged_to_its_end(tiny_manager):
    """Beyond the model window the runner uses overlapping windows instead of cutting the text."""
    runner = tiny_manager.get("token-classification/bert-base-ner")
    text = "Sarah works for Google in London. " * 120  # ~ 1000 tokens, two windows and more
    entities = runner([text])[0]
    assert max(e.end for e in entities) > len(text) * 0.9
    for entity in entities:
        assert entity.text == text[entity.start:entity.end]


# --- extractive QA --------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["question-answering/distilbert-squad", "question-answering/xlm-roberta-squad2"])
def test_answer_is_a_span_of_the_context(tiny_manager, key):
    runner = tiny_manager.get(key)
    pairs = [("Where is the Eiffel Tower?", "The Eiffel Tower is located in Paris, France, and was completed in 1889."),
             ("长城位于哪里？", "长城是中国古代的伟大建筑，位于北京北部。"),
             ("Who?", "Sarah works for Google in London. " * 60)]
    for (question, context), answer in zip(pairs, runner(pairs, allow_no_answer=False)):
        assert not answer.no_answer
        assert answer.text and answer.text == context[answer.start:answer.end]
        assert 0 < answer.score <= 1
    assert runner(pairs[2:])[0].windows > 1


def pointing_runner(registry, key, marker_word=None, at_cls=False):
    """A QA runner whose model points at a marker word (or at [CLS]): the windowing and offset logic
    around the model is what is under test, so the logits are made to say where the answer is."""
    import torch

    spec = registry.get(key)
    runner = ExtractiveQARunner(spec, ModelSource(str(ensure_twin(spec)), None), Placement("cpu", "float32"))
    tokenizer = runner.tokenizer
    marker = tokenizer(marker_word, add_special_tokens=False)["input_ids"] if marker_word else []

    class Pointer(torch.nn.Module):
        config = runner.model.config

        def forward(self, input_ids, attention_mask=None, **_):
            start = torch.zeros(input_ids.shape)
            end = torch.zeros(input_ids.shape)
            if at_cls:
                start[:, 0] = end[:, 0] = 20.0
            else:
                start[input_ids == marker[0]] = 20.0
                end[input_ids == marker[-1]] = 20.0
            return SimpleNamespace(start_logits=start, end_logits=end)

    runner.model = Pointer()
    return runner


@pytest.mark.parametrize("key", ["question-answering/distilbert-squad", "question-answering/xlm-roberta-squad2"])
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_long_context_finds_the_answer_in_any_window(registry, key, position):
    filler = "The museum opens at nine in the morning and closes at six in the evening. "
    answer_sentence = "The treaty was signed in Paris. "
    parts = [filler] * 90
    parts.insert({"first": 0, "middle": 45, "last": 90}[position], answer_sentence)
    context = "".join(parts)
    runner = pointing_runner(registry, key, marker_word="Paris")
    answer = runner([("Where was the treaty signed?", context)])[0]
    assert answer.windows >= 4
    assert answer.text.strip() == "Paris" and context[answer.start:answer.end] == answer.text
    assert answer.score > 0.5
    expected = context.index("Paris")
    assert abs(answer.start - expected) <= 1  # XLM-R's "▁Paris" may include the space before it


def test_no_answer_when_the_null_score_wins(registry):
    runner = pointing_runner(registry, "question-answering/xlm-roberta-squad2", at_cls=True)
    context = "The museum opens at nine in the morning."
    answer = runner([("Who founded Apple?", context)], allow_no_answer=True)[0]
    assert answer.no_answer and answer.text == "" and answer.score > 0.9
    forced = runner([("Who founded Apple?", context)], allow_no_answer=False)[0]
    assert not forced.no_answer and forced.text == context[forced.start:forced.end]


def runner_pointing_at(registry, key, question, context, start_char, end_char):
    """A QA runner whose model points its start at the token holding ``context[start_char]`` and its end at
    the one holding ``context[end_char - 1]`` (a short context: one window, token positions as encoded here)."""
    import torch

    spec = registry.get(key)
    runner = ExtractiveQARunner(spec, ModelSource(str(ensure_twin(spec)), None), Placement("cpu", "float32"))
    encoded = runner.tokenizer(question, context, return_offsets_mapping=True)
    tokens = list(zip(encoded["offset_mapping"], encoded.sequence_ids()))

    def position(char):
        return next(t for t, ((first, last), sequence) in enumerate(tokens) if sequence == 1 and first <= char < last)

    first, last = position(start_char), position(end_char - 1)
    raw = (tokens[first][0][0], tokens[last][0][1])  # the characters the two tokens cover

    class Pointer(torch.nn.Module):
        config = runner.model.config

        def forward(self, input_ids, attention_mask=None, **_):
            start, end = torch.zeros(input_ids.shape), torch.zeros(input_ids.shape)
            start[:, first] = end[:, last] = 20.0
            return SimpleNamespace(start_logits=start, end_logits=end)

    runner.model = Pointer()
    return runner, raw


@pytest.mark.parametrize("key", ["question-answering/distilbert-squad", "question-answering/xlm-roberta-squad2"])
def test_answers_start_and_end_on_word_boundaries(registry, key):
    # the model's best tokens start inside "Huggingface" and end inside "yesterday": the answer is the whole
    # words, as the transformers pipeline's align_to_words gave it (the raw offsets gave "face ... yes")
    context = "We met the Huggingface people in Paris yesterday."
    start, end = context.index("Huggingface") + 7, context.index("yesterday") + 4
    runner, raw = runner_pointing_at(registry, key, "Who?", context, start, end)
    assert context[raw[0]:raw[1]] != "Huggingface people in Paris yesterday"  # the tokens cut words
    answer = runner([("Who?", context)])[0]
    assert answer.text == "Huggingface people in Paris yesterday" == context[answer.start:answer.end]
    # the raw token span remains available to scripts that ask for it
    assert runner([("Who?", context)], align_to_words=False)[0].text == context[raw[0]:raw[1]].strip()


def test_chinese_answers_keep_the_character_span(registry):
    # XLM-R's pre-tokenizer splits on spaces only: the whole Chinese sentence is one "word", so widening to
    # words (as the pipeline did) would answer the whole sentence; the tokens' own characters are kept
    context = "华为公司的总部位于中国广东省深圳市。Hugging Face is here."
    start = context.index("深圳")
    runner, _ = runner_pointing_at(registry, "question-answering/xlm-roberta-squad2", "哪里？", context,
                                   start, start + 2)
    answer = runner([("哪里？", context)])[0]
    assert answer.text == "深圳"


def test_answers_are_at_most_15_tokens_by_default(registry):
    for key in ("question-answering/distilbert-squad", "question-answering/xlm-roberta-squad2"):
        assert registry.get(key).params["max_answer_tokens"] == 15  # as the reference pipeline's max_answer_len
    context = "alpha " + "one two three four five six seven eight nine ten eleven twelve thirteen " * 2 + "omega"
    runner, _ = runner_pointing_at(registry, "question-answering/distilbert-squad", "What?", context,
                                   0, len(context))
    runner.params.pop("max_answer_tokens")  # the runner's own default
    answer = runner([("What?", context)])[0]
    assert len(runner.tokenizer(answer.text, add_special_tokens=False)["input_ids"]) <= 15
    assert runner([("What?", context)], max_answer_tokens=100)[0].text == context


@pytest.mark.parametrize("key", ["question-answering/distilbert-squad", "question-answering/xlm-roberta-squad2"])
def test_top_k_answers_are_distinct_and_ranked(registry, key):
    # "Paris" sits in the overlap of several windows and twice in the text: it is listed once, best first
    filler = "The museum opens at nine in the morning and closes at six in the evening. "
    context = filler * 6 + "The treaty was signed in Paris. " + filler * 6 + "Paris is far. " + filler * 3
    runner = pointing_runner(registry, key, marker_word="Paris")
    runner.window = 64
    answer = runner([("Where was the treaty signed?", context)], top_k=4, stride_tokens=32)[0]
    assert answer.windows >= 4
    ranked = [(answer.text, answer.score)] + [(span.text, span.score) for span in answer.alternatives]
    assert len(ranked) == 4 and ranked[0][0] == "Paris"
    texts = [text for text, _ in ranked]
    assert len(set(texts)) == len(texts)
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
    for span in answer.alternatives:
        assert span.text == context[span.start:span.end]
    assert runner([("Where?", context)])[0].alternatives == ()  # top_k=1 by default
    with pytest.raises(InputError, match="top_k"):
        runner([("Where?", context)], top_k=0)


def test_too_long_question_is_an_input_error(tiny_manager):
    runner = tiny_manager.get("question-answering/distilbert-squad")
    with pytest.raises(InputError, match="question is too long"):
        runner([("why " * 600, "short context")])


def test_best_span_respects_order_length_and_context():
    start = np.array([0, 5, 0, 0, 9, 0], dtype=float)   # token 4 would win, but it is not context
    end = np.array([0, 0, 0, 6, 9, 0], dtype=float)
    context = np.array([False, True, True, True, False, False])
    s, e, score, null = best_span_in_window(start, end, context, cls_index=0, max_answer_tokens=30)
    assert (s, e) == (1, 3) and 0 < score <= 1 and 0 <= null < score
    # an answer may not be longer than max_answer_tokens
    s, e, _, _ = best_span_in_window(start, end, context, cls_index=0, max_answer_tokens=2)
    assert e - s + 1 <= 2
    # end never comes before start
    s, e, _, _ = best_span_in_window(np.array([0, 0, 0, 9.0]), np.array([0, 9.0, 0, 0]),
                                     np.array([False, True, True, True]), 0, 30)
    assert e >= s


def test_runner_close_drops_the_model(registry):
    spec = registry.get("question-answering/distilbert-squad")
    runner = ExtractiveQARunner(spec, ModelSource(str(ensure_twin(spec)), None), Placement("cpu", "float32"))
    import weakref

    ref = weakref.ref(runner.model)
    runner.close()
    import gc

    gc.collect()
    assert ref() is None and runner.model is None


@pytest.mark.parametrize("key", ["question-answering/distilbert-squad", "question-answering/xlm-roberta-squad2"])
def test_pairs_answered_together_match_pairs_answered_alone(tiny_manager, key):
    """All pairs' windows share forward passes; padding must not change anyone's answer."""
    runner = tiny_manager.get(key)
    pairs = [("Who?", "Sarah works for Google in London."),
             ("Where is the tower?", "The Eiffel Tower is located in Paris, France. " * 40),
             ("长城位于哪里？", "长城是中国古代的伟大建筑，位于北京北部。")]
    together = runner(pairs, allow_no_answer=False)
    for pair, batched in zip(pairs, together):
        alone = runner([pair], allow_no_answer=False)[0]
        assert (alone.start, alone.end, alone.text, alone.windows) == (batched.start, batched.end, batched.text,
                                                                        batched.windows)
        assert alone.score == pytest.approx(batched.score, rel=1e-3)


@pytest.mark.parametrize("key", ["text-classification/distilbert-sst2", "token-classification/bert-base-ner",
                                 "question-answering/distilbert-squad"])
def test_cpu_int8_quantizes_the_encoder_and_keeps_its_outputs_close(registry, key):
    """--cpu-int8 (the app's default on CPU) swaps every Linear layer for an int8 one; the outputs stay
    close to fp32's (same labels, spans within the context, probabilities within a few hundredths)."""
    from models.families.runners import runner_class
    from models.registry.tasks import runner_spec

    spec = registry.get(key)
    source = ModelSource(str(ensure_twin(spec)), None)
    fp32 = runner_class(spec.runner)(runner_spec(spec), source, Placement("cpu", "float32"))
    int8 = runner_class(spec.runner)(runner_spec(spec), source, Placement("cpu", "float32", cpu_int8=True))
    model = int8.model if hasattr(int8, "model") else int8.pipe.model
    import torch

    names = [m._get_name() for m in model.modules()]
    assert "DynamicQuantizedLinear" in names
    assert not any(type(m) is torch.nn.Linear for m in model.modules())
    if spec.task == "question-answering":
        context = "Marie Curie was a physicist and chemist. She was born in Warsaw in 1867."
        for answer in int8([("Where was she born?", context)]):
            assert context[answer.start:answer.end] == answer.text
        return
    if spec.task == "token-classification":
        text = "George Washington went to Washington."
        for entity in int8([text])[0]:
            assert text[entity.start:entity.end] == entity.text
        return
    for a, b in zip(fp32(TEXTS), int8(TEXTS)):
        exact, quantized = {s.label: s.score for s in a.scores}, {s.label: s.score for s in b.scores}
        assert max(abs(exact[label] - quantized[label]) for label in exact) < 0.05
        assert sum(quantized.values()) == pytest.approx(1.0, abs=1e-5)


def test_cpu_int8_applies_to_cpu_placements_only():
    from models.runtime.device import choose_placement

    assert choose_placement("cpu", cpu_int8=True).cpu_int8
    assert not choose_placement("cpu").cpu_int8


def test_a_pipeline_in_output_mode_returns_the_pipelines_own_output_and_refuses_what_it_cannot_read(registry,
                                                                                                    tmp_path):
    """Mode "output" (a task that reads the pipeline's output itself): the pipeline's result, called with the
    request's parameters; a text longer than the model window is refused with both lengths, not cut. The twin's
    head comes from its recipe (``head``)."""
    import dataclasses

    from models.families.runners import runner_class
    from models.registry.spec import TinyRecipe
    from models.registry.tasks import runner_spec

    base = registry.get("text-classification/distilbert-sst2")
    spec = dataclasses.replace(base, key="text-classification/masked-lm", params={
        "mode": "output", "pipeline_task": "fill-mask"},
        tiny=TinyRecipe("encoder", {"model_type": "bert", "lowercase": True, "head": "AutoModelForMaskedLM"}))
    folder = ensure_twin(spec, tmp_path)
    assert '"BertForMaskedLM"' in (folder / "config.json").read_text()
    runner = runner_class(spec.runner)(runner_spec(spec), ModelSource(str(folder), None), Placement("cpu", "float32"))
    one, two = runner(["the cat sat on the [MASK] .", "a [MASK] and a [MASK] ."], top_k=3)
    assert len(one) == 3 and all(set(guess) >= {"token_str", "score", "sequence"} for guess in one)
    assert [len(blank) for blank in two] == [3, 3]  # two blanks: a list of guesses each
    assert all(0 <= guess["score"] <= 1 for guess in one)
    with pytest.raises(InputError, match="tokens long; this model reads at most 512"):
        runner(["word " * 600 + "[MASK]"], top_k=1)
    assert len(runner(["the [MASK] ."], top_k=2)[0]) == 2  # and the next request is served
