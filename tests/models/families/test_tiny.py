import json

import pytest

from models.families.twins import ensure_twin, twin_dir


@pytest.fixture(scope="module")
def twins(registry):
    return {spec.key: ensure_twin(spec) for spec in registry}


def test_every_twin_is_small(registry, twins):
    for spec in registry:
        size = sum(f.stat().st_size for f in twins[spec.key].rglob("*") if f.is_file())
        assert size < 2_000_000, (spec.key, size)


def test_encoder_twins_have_their_architecture_and_labels(registry, twins):
    """Encoder twins here; the other families are checked by their area's tests."""
    for spec in registry:
        if spec.tiny.builder != "encoder":
            continue
        config = json.loads((twins[spec.key] / "config.json").read_text())
        assert config["model_type"] == spec.tiny.options["model_type"] in {"distilbert", "bert", "xlm-roberta"}
        labels = spec.tiny.options.get("labels")
        if labels:
            assert [config["id2label"][str(i)] for i in range(len(labels))] == list(labels)


def test_twins_are_cached_and_keyed_by_recipe(registry, twins):
    spec = registry.keys()[0]
    spec = registry.get(spec)
    folder = twins[spec.key]
    stamp = (folder / "config.json").stat().st_mtime_ns
    assert ensure_twin(spec) == folder == twin_dir(spec)
    assert (folder / "config.json").stat().st_mtime_ns == stamp  # not rebuilt
    import dataclasses

    other = dataclasses.replace(spec, tiny=dataclasses.replace(spec.tiny, options={**spec.tiny.options, "labels": ("a", "b", "c")}))
    assert twin_dir(other) != folder


@pytest.mark.parametrize("key, text, words", [
    ("text-classification/distilbert-sst2", "I love this movie", ["love", "movie"]),
    ("token-classification/bert-base-ner", "Sarah works for Google in London", ["Sarah", "Google", "London"]),
    ("token-classification/multilingual-ner", "马云在杭州", ["马", "杭"]),
    ("question-answering/xlm-roberta-squad2", "Paris 北京", ["▁Paris", "北京"]),
])
def test_tokenizers_know_real_words(twins, key, text, words):
    """The transformers 5 trap: a tokenizer built from a vocab file it ignored maps everything to unknown."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(twins[key])
    assert tokenizer.is_fast
    tokens = tokenizer.tokenize(text)
    assert tokenizer.unk_token not in tokens, tokens
    for word in words:
        assert word in tokens, (word, tokens)


def test_xlm_roberta_twin_keeps_sentencepiece_special_ids(twins):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(twins["question-answering/xlm-roberta-squad2"])
    assert type(tokenizer).__name__ == "XLMRobertaTokenizer"
    assert (tokenizer.cls_token_id, tokenizer.pad_token_id, tokenizer.sep_token_id, tokenizer.unk_token_id) == (0, 1, 2, 3)
    assert tokenizer.mask_token_id == len(tokenizer) - 1
