"""The speech twins carry what the real generate/synthesis paths need (DESIGN.md section 5)."""

import json

import pytest

from models.families.twins import ensure_twin


@pytest.fixture(scope="module")
def folders(registry):
    return {spec.key: ensure_twin(spec) for spec in registry if spec.tiny.builder in ("whisper", "moonshine", "vits", "bark")}


def test_speech_twins_are_small(folders):
    for key, folder in folders.items():
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        assert size < 1_500_000, (key, size)


def test_whisper_twin_has_whispers_token_layout_and_generation_config(folders):
    from transformers import AutoProcessor, GenerationConfig

    folder = folders["automatic-speech-recognition/whisper-large-v3-turbo"]
    processor = AutoProcessor.from_pretrained(folder)
    tokenizer = processor.tokenizer
    generation = GenerationConfig.from_pretrained(folder)
    ids = tokenizer.convert_tokens_to_ids
    assert tokenizer.pad_token == tokenizer.eos_token == "<|endoftext|>"
    assert generation.no_timestamps_token_id == ids("<|notimestamps|>")
    assert tokenizer.convert_ids_to_tokens(generation.no_timestamps_token_id + 1) == "<|0.00|>"
    assert tokenizer.convert_ids_to_tokens(generation.no_timestamps_token_id + 1501) == "<|30.00|>"
    assert generation.lang_to_id["<|zh|>"] == ids("<|zh|>") and len(generation.lang_to_id) >= 99
    assert set(generation.task_to_id) == {"transcribe", "translate"} and generation.is_multilingual
    assert processor.feature_extractor.feature_size == 128  # large-v3 reads 128 mel bins
    assert tokenizer.decode([ids("<|zh|>"), ids("<|transcribe|>")], skip_special_tokens=True) == ""
    assert tokenizer.unk_token not in tokenizer.tokenize("Hello world")


def test_vits_twin_reads_characters_without_a_phonemizer(folders):
    from transformers import AutoTokenizer

    folder = folders["text-to-speech/mms-tts-eng"]
    tokenizer = AutoTokenizer.from_pretrained(folder)
    vocab = json.loads((folder / "vocab.json").read_text())
    assert type(tokenizer).__name__ == "VitsTokenizer" and tokenizer.phonemize is False
    assert vocab["<pad>"] == 0
    ids = tokenizer("hello")["input_ids"]
    assert ids[0::2] == [0] * 6 and ids[1::2] == [vocab[c] for c in "hello"]  # blanks between characters


def test_moonshine_twin_loads_with_the_wav2vec2_processor(folders):
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(folders["automatic-speech-recognition/moonshine-tiny"])
    assert type(processor).__name__ == "Wav2Vec2Processor"
    assert processor.feature_extractor.sampling_rate == 16_000


def test_bark_layout_at_barks_sizes_gives_barks_constants():
    """The tiny twin uses Bark's id layout scaled down; at Bark's own sizes it must give Bark's constants."""
    from transformers.models.bark.generation_configuration_bark import (BarkCoarseGenerationConfig,
                                                                        BarkSemanticGenerationConfig)

    from models.families.twins.speech import bark_layout

    ids = bark_layout(119_547, 10_000, 1024)
    semantic, coarse = BarkSemanticGenerationConfig(), BarkCoarseGenerationConfig()
    assert (ids["text_offset"], ids["text_pad"], ids["semantic_infer"], ids["semantic_vocab"]) == (
        semantic.text_encoding_offset, semantic.text_pad_token, semantic.semantic_infer_token,
        semantic.semantic_vocab_size)
    assert (ids["coarse_pad"], ids["coarse_infer"]) == (coarse.coarse_semantic_pad_token, coarse.coarse_infer_token)
    assert (ids["semantic_in"], ids["semantic_out"], ids["coarse_vocab"], ids["fine_vocab"]) == (
        129_600, 10_048, 12_096, 1_056)  # bark-small's config.json vocabulary sizes


def test_bark_twin_generates_at_24k_within_its_layout(folders):
    from transformers import AutoProcessor, BarkModel

    folder = folders["text-to-speech/bark-small"]
    processor = AutoProcessor.from_pretrained(folder)
    model = BarkModel.from_pretrained(folder).eval()
    assert "v2/en_speaker_6" in processor.available_voice_presets
    assert model.generation_config.sample_rate == 24_000
    assert model.config.semantic_config.input_vocab_size > model.generation_config.semantic_config["semantic_infer_token"]
