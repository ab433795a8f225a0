import dataclasses

import pytest

from models.families import KINDS
from models.registry import Registry, RegistryError, UnknownModelError, builtin_registry
from models.registry.spec import KEY_PATTERN, ModelSpec, TinyRecipe


def test_every_builtin_entry_is_well_formed(registry):
    assert len(registry) >= 6
    for spec in registry:
        assert KEY_PATTERN.match(spec.key), spec.key
        assert spec.key.startswith(spec.task + "/")
        assert spec.runner in KINDS
        assert spec.revision
        # hub ids look like org/name; no local paths among the built-in entries
        assert spec.checkpoint.count("/") == 1 and not spec.checkpoint.startswith((".", "/", "~"))
        assert spec.license and spec.license != "unknown", spec.key
        assert spec.languages and spec.size and spec.description
        assert spec.tiny is not None and spec.tiny.builder in KINDS[spec.runner].twins, spec.key


def test_keys_are_unique_and_duplicates_are_refused(registry):
    assert len(set(registry.keys())) == len(registry)
    first = next(iter(registry))
    with pytest.raises(RegistryError, match="duplicate"):
        Registry([first, first])


def test_tasks_have_their_default_first(registry):
    assert registry.default_for("text-classification").checkpoint == \
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    assert registry.default_for("token-classification").checkpoint == "dslim/bert-base-NER"
    assert registry.default_for("question-answering").checkpoint == "distilbert/distilbert-base-cased-distilled-squad"
    for task in ("token-classification", "question-answering", "text-classification"):
        assert any("zh" in spec.languages for spec in registry.for_task(task)), f"{task} needs a Chinese entry"


def test_unknown_keys_and_tasks_raise(registry):
    with pytest.raises(UnknownModelError, match="unknown model"):
        registry.get("text-classification/nope")
    with pytest.raises(UnknownModelError):
        registry.default_for("no-such-task")


@pytest.mark.parametrize("change, message", [
    ({"key": "no slash"}, "key must look like"),
    ({"key": "question-answering/x"}, "start with its task"),
    ({"runner": "teleport"}, "runner"),
    ({"checkpoint": " "}, "checkpoint is empty"),
    ({"revision": ""}, "revision"),
])
def test_malformed_entries_are_refused(registry, change, message):
    spec = dataclasses.replace(registry.default_for("text-classification"), **change)
    with pytest.raises(RegistryError, match=message):
        Registry([spec])


def test_models_file_adds_and_overrides(tmp_path):
    path = tmp_path / "models.toml"
    (tmp_path / "my-reviews").mkdir()  # a local checkpoint must exist (checked at start)
    path.write_text(f"""
[[model]]
key = "text-classification/my-reviews"
task = "text-classification"
checkpoint = "{tmp_path / 'my-reviews'}"
runner = "pipeline"
license = "proprietary"
languages = ["en"]

[[model]]
key = "question-answering/distilbert-squad"
revision = "0123456789abcdef0123456789abcdef01234567"
""")
    registry = builtin_registry().with_models_file(path)
    added = registry.get("text-classification/my-reviews")
    assert added.checkpoint == str(tmp_path / "my-reviews") and added.languages == ("en",)
    assert registry.for_task("text-classification")[-1] == added  # built-in default stays first
    overridden = registry.get("question-answering/distilbert-squad")
    assert overridden.revision.startswith("0123") and overridden.tiny is not None
    assert len(registry) == len(builtin_registry()) + 1


@pytest.mark.parametrize("text, message", [
    ("[[model]]\nkey = 'text-classification/x'\ntask = 'text-classification'\n", "needs"),
    ("[[model]]\nkey = 'text-classification/x'\nshell = 'rm -rf /'\n", "unknown field"),
    ("[[model]\n", "not valid TOML"),
    ("[[model]]\ntask = 'text-classification'\n", "needs a key"),
])
def test_bad_models_files_are_refused_with_a_reason(tmp_path, text, message):
    path = tmp_path / "models.toml"
    path.write_text(text)
    with pytest.raises(RegistryError, match=message):
        builtin_registry().with_models_file(path)


def test_missing_models_file(tmp_path):
    with pytest.raises(RegistryError, match="does not exist"):
        builtin_registry().with_models_file(tmp_path / "absent.toml")


def test_card_is_one_line_with_size_license_languages(registry):
    card = registry.get("token-classification/multilingual-ner").card()
    assert "\n" not in card
    for part in ("Davlan/bert-base-multilingual-cased-ner-hrl", "177M", "afl-3.0", "zh"):
        assert part in card


def test_spec_defaults_are_plain_data():
    spec = ModelSpec(key="text-classification/x", task="text-classification", checkpoint="a/b",
                     runner="pipeline", tiny=TinyRecipe("encoder", {"model_type": "bert"}))
    assert spec.name == "x" and spec.revision == "main"
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.key = "y"  # type: ignore[misc]


# --- GGUF checkpoints (llama.cpp files) ---------------------------------------------------------

def write_gguf(path, architecture="llama", dtype="float32"):
    """A small GGUF file: its architecture and one tensor of the given numpy type."""
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), arch=architecture)
    writer.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=dtype))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def gguf_entry(folder, name="model.gguf", runner="chat"):
    return ModelSpec(key="chat/local-gguf", task="chat", checkpoint=str(folder), runner=runner, gguf_file=name)


def test_a_gguf_file_of_a_supported_architecture_is_an_entry(tmp_path):
    from models.registry.gguf_files import read_header
    from models.registry.sources import resolve_source

    write_gguf(tmp_path / "model.gguf")
    assert read_header(tmp_path / "model.gguf") == ("llama", ["F32"])
    spec = Registry([gguf_entry(tmp_path)]).get("chat/local-gguf")
    source = resolve_source(spec, "tiny")  # a local file runs as itself in every profile
    assert source.pretrained_kwargs() == {"gguf_file": "model.gguf"} and source.path == str(tmp_path)
    assert "(model.gguf)" in spec.card()


@pytest.mark.parametrize("architecture, dtype, message", [
    ("rwkv6", "float32", r"cannot load GGUF architecture 'rwkv6'; supported: .*llama.*qwen2"),
    ("llama", "float64", r"cannot dequantize F64; supported quantizations: F32, F16, Q4_0, Q4_1"),
])
def test_gguf_files_transformers_cannot_load_are_refused_naming_what_is_supported(tmp_path, architecture, dtype,
                                                                                   message):
    write_gguf(tmp_path / "model.gguf", architecture, dtype)
    with pytest.raises(RegistryError, match=message):
        Registry([gguf_entry(tmp_path)])


@pytest.mark.parametrize("name, runner, message", [
    ("model.gguf", "pipeline", "gguf_file works with the chat runner"),
    ("../model.gguf", "chat", "a file name ending in .gguf"),
    ("model.bin", "chat", "a file name ending in .gguf"),
    ("absent.gguf", "chat", "absent.gguf is not in the checkpoint folder"),
    ("junk.gguf", "chat", "junk.gguf is not a readable GGUF file"),
])
def test_bad_gguf_entries_are_refused(tmp_path, name, runner, message):
    write_gguf(tmp_path / "model.gguf")
    (tmp_path / "junk.gguf").write_bytes(b"not a gguf file at all")
    with pytest.raises(RegistryError, match=message):
        Registry([gguf_entry(tmp_path, name, runner)])


def test_the_operators_models_file_names_gguf_files(tmp_path):
    write_gguf(tmp_path / "model.gguf")
    models = tmp_path / "models.toml"
    models.write_text(f'[[model]]\nkey = "chat/local-gguf"\ntask = "chat"\ncheckpoint = "{tmp_path}"\n'
                      f'gguf_file = "model.gguf"\nrunner = "chat"\n', encoding="utf-8")
    spec = builtin_registry().with_models_file(models).get("chat/local-gguf")
    assert spec.gguf_file == "model.gguf"
