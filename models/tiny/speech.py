"""Tiny speech twins: Whisper and Moonshine (speech recognition), VITS/MMS (text to speech).

Each is built from the same config, tokenizer and feature-extractor classes as the real checkpoint
and saved with ``save_pretrained``, so the app loads it through the same ``from_pretrained`` path.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.spec import ModelSpec
from models.tiny.corpus import SENTENCES

WHISPER_TIMESTAMPS = 1501       # <|0.00|> ... <|30.00|> in steps of 0.02 s
TINY_MAX_NEW_TOKENS = 24        # random weights never stop on their own: keep generation short


def byte_level_bpe(vocab_size: int = 600, specials: tuple[str, ...] = ()):
    """(vocab, merges) of a GPT-2-style byte-level BPE trained on the built-in corpus."""
    from tokenizers import ByteLevelBPETokenizer

    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train_from_iterator(SENTENCES, vocab_size=vocab_size, min_frequency=1,
                                  special_tokens=list(specials), show_progress=False)
    model = json.loads(tokenizer.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return model["vocab"], merges


# --- Whisper -------------------------------------------------------------------------------------

def whisper_tokenizer(multilingual: bool):
    """A WhisperTokenizer laid out like the real one: BPE, <|endoftext|>, the special tokens in Whisper's
    order (<|notimestamps|> last), then the timestamp tokens, added as non-special."""
    from tokenizers import AddedToken
    from transformers import WhisperTokenizer
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    vocab, merges = byte_level_bpe(specials=("<|endoftext|>",))
    tokenizer = WhisperTokenizer(vocab=vocab, merges=merges, pad_token="<|endoftext|>", model_max_length=448)
    languages = [f"<|{code}|>" for code in LANGUAGES] if multilingual else []
    specials = (["<|startoftranscript|>"] + languages +
                ["<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>",
                 "<|notimestamps|>"])
    tokenizer.add_special_tokens({"additional_special_tokens": specials})
    tokenizer.add_tokens([AddedToken(f"<|{i * 0.02:.2f}|>", lstrip=False, rstrip=False, normalized=False,
                                     special=False) for i in range(WHISPER_TIMESTAMPS)])
    return tokenizer, languages


def build_whisper(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    from transformers import (GenerationConfig, WhisperConfig, WhisperFeatureExtractor,
                              WhisperForConditionalGeneration, WhisperProcessor)

    multilingual = options.get("multilingual", True)
    mel_bins = options.get("num_mel_bins", 80)
    tokenizer, languages = whisper_tokenizer(multilingual)
    ids = tokenizer.convert_tokens_to_ids
    eot, sot, no_ts = ids("<|endoftext|>"), ids("<|startoftranscript|>"), ids("<|notimestamps|>")
    config = WhisperConfig(
        vocab_size=len(tokenizer), num_mel_bins=mel_bins, d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
        max_source_positions=1500, max_target_positions=448, pad_token_id=eot, bos_token_id=eot,
        eos_token_id=eot, decoder_start_token_id=sot, begin_suppress_tokens=[ids("Ġ"), eot])
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(config).eval()
    generation = GenerationConfig(
        decoder_start_token_id=sot, bos_token_id=eot, eos_token_id=eot, pad_token_id=eot,
        max_length=TINY_MAX_NEW_TOKENS + 4, is_multilingual=multilingual,
        lang_to_id={lang: ids(lang) for lang in languages},
        task_to_id={"transcribe": ids("<|transcribe|>"), "translate": ids("<|translate|>")},
        no_timestamps_token_id=no_ts, prev_sot_token_id=ids("<|startofprev|>"),
        max_initial_timestamp_index=50, begin_suppress_tokens=[ids("Ġ"), eot], suppress_tokens=[],
        alignment_heads=[[0, 0], [0, 1]], return_timestamps=False)
    model.generation_config = generation
    model.save_pretrained(out_dir)
    processor = WhisperProcessor(WhisperFeatureExtractor(feature_size=mel_bins), tokenizer)
    processor.save_pretrained(out_dir)


# --- Moonshine -----------------------------------------------------------------------------------

def build_moonshine(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    from transformers import (MoonshineConfig, MoonshineForConditionalGeneration, PreTrainedTokenizerFast,
                              Wav2Vec2FeatureExtractor, Wav2Vec2Processor)
    from tokenizers import ByteLevelBPETokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(SENTENCES, vocab_size=600, min_frequency=1,
                            special_tokens=["<unk>", "<s>", "</s>"], show_progress=False)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, unk_token="<unk>", bos_token="<s>",
                                        eos_token="</s>", pad_token="</s>")
    config = MoonshineConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, encoder_num_hidden_layers=1,
        decoder_num_hidden_layers=1, encoder_num_attention_heads=2, decoder_num_attention_heads=2,
        max_position_embeddings=256, pad_token_id=2, bos_token_id=1, eos_token_id=2,
        decoder_start_token_id=1)
    torch.manual_seed(0)
    model = MoonshineForConditionalGeneration(config).eval()
    model.generation_config.max_length = TINY_MAX_NEW_TOKENS + 1
    model.generation_config.decoder_start_token_id = 1
    model.save_pretrained(out_dir)
    extractor = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0,
                                         do_normalize=False, return_attention_mask=True)
    Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(out_dir)


# --- VITS (MMS-TTS) ------------------------------------------------------------------------------

VITS_CHARACTERS = list(" abcdefghijklmnopqrstuvwxyz'-")


def build_vits(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    """A character-vocabulary VITS like facebook/mms-tts-*: <pad> = 0, no phonemizer, blanks added."""
    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    characters = options.get("characters", VITS_CHARACTERS)
    vocab = {"<pad>": 0, **{ch: i + 1 for i, ch in enumerate(characters)}, "<unk>": len(characters) + 1}
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_file = out_dir / "vocab.json"
    vocab_file.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = VitsTokenizer(str(vocab_file), language=options.get("language", "eng"), add_blank=True,
                              normalize=True, phonemize=False, is_uroman=False)
    config = VitsConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, ffn_dim=32,
        flow_size=16, spectrogram_bins=33, upsample_initial_channel=16, upsample_rates=[8, 8, 4],
        upsample_kernel_sizes=[16, 16, 8], resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]],
        prior_encoder_num_flows=1, prior_encoder_num_wavenet_layers=1, posterior_encoder_num_wavenet_layers=1,
        duration_predictor_num_flows=1, duration_predictor_filter_channels=16, depth_separable_num_layers=1,
        num_speakers=options.get("num_speakers", 1), speaker_embedding_size=8 if options.get("num_speakers", 1) > 1 else 0,
        sampling_rate=options.get("sampling_rate", 16000))
    torch.manual_seed(0)
    VitsModel(config).eval().save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
