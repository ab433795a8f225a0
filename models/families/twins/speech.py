"""Tiny speech twins: Whisper and Moonshine (speech recognition), VITS/MMS (text to speech).

Each is built from the same config, tokenizer and feature-extractor classes as the real checkpoint
and saved with ``save_pretrained``, so the app loads it through the same ``from_pretrained`` path.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.registry.spec import ModelSpec
from models.families.twins.corpus import SENTENCES

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
    sizes = dict(d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                 decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32)
    if options.get("scale") == "real":  # the checkpoint's sizes (random weights) for benchmarks and GPU checks
        sizes.update(options["real_sizes"])
    config = WhisperConfig(
        vocab_size=len(tokenizer), num_mel_bins=mel_bins, **sizes, max_source_positions=1500, max_target_positions=448, pad_token_id=eot, bos_token_id=eot,
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
    # MoonshineConfig's defaults are moonshine-tiny's sizes: used as they are for scale "real"
    sizes = {} if options.get("scale") == "real" else dict(
        hidden_size=32, intermediate_size=64, encoder_num_hidden_layers=1, decoder_num_hidden_layers=1,
        encoder_num_attention_heads=2, decoder_num_attention_heads=2, max_position_embeddings=256)
    config = MoonshineConfig(
        vocab_size=len(tokenizer), **sizes, pad_token_id=2, bos_token_id=1, eos_token_id=2,
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
    speakers = options.get("num_speakers", 1)
    if options.get("scale") == "real":  # VitsConfig's defaults are facebook/mms-tts-eng's sizes
        config = VitsConfig(vocab_size=len(vocab), num_speakers=speakers,
                            sampling_rate=options.get("sampling_rate", 16000))
        torch.manual_seed(0)
        VitsModel(config).eval().save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
        return
    config = VitsConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, ffn_dim=32,
        flow_size=16, spectrogram_bins=33, upsample_initial_channel=16, upsample_rates=[8, 8, 4],
        upsample_kernel_sizes=[16, 16, 8], resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]],
        prior_encoder_num_flows=1, prior_encoder_num_wavenet_layers=1, posterior_encoder_num_wavenet_layers=1,
        duration_predictor_num_flows=1, duration_predictor_filter_channels=16, depth_separable_num_layers=1,
        num_speakers=speakers, speaker_embedding_size=8 if speakers > 1 else 0,
        sampling_rate=options.get("sampling_rate", 16000))
    torch.manual_seed(0)
    VitsModel(config).eval().save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


# --- Bark ----------------------------------------------------------------------------------------

BARK_SEMANTIC = 64   # semantic token vocabulary (10,000 in Bark); eos/pad is the next id
BARK_CODEBOOK = 32   # Encodec codebook size (1,024 in Bark)


def bark_layout(text_vocab: int, s: int = BARK_SEMANTIC, c: int = BARK_CODEBOOK) -> dict:
    """Bark's token-id layout for a text vocabulary, semantic vocabulary ``s`` and codebook size ``c``.
    With Bark's own sizes (119,547, 10,000, 1,024) it gives Bark's constants (10,048, 129,595, 12,048, ...)."""
    text_offset = s + 48
    text_pad = text_offset + text_vocab
    return dict(semantic_vocab=s, text_offset=text_offset, text_pad=text_pad, semantic_infer=text_pad + 4,
                semantic_in=text_pad + 5, semantic_out=s + 48, coarse_pad=s + 2 * c, coarse_infer=s + 2 * c + 2,
                coarse_vocab=s + 2 * c + 48, fine_vocab=c + 32)


def build_bark(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    """A tiny BarkModel (semantic, coarse, fine GPT-style models + an Encodec codec) with Bark's BERT
    tokenizer and a few voice presets (speaker prompts) saved the way BarkProcessor reads them."""
    import numpy as np
    import torch
    from transformers import (BarkConfig, BarkModel, BarkProcessor, BertTokenizer, EncodecConfig)
    from transformers.models.bark.generation_configuration_bark import BarkGenerationConfig

    from models.families.twins.tokenizers import wordpiece_vocab

    tokenizer = BertTokenizer(vocab=wordpiece_vocab(lowercase=False), do_lower_case=False)
    real = options.get("scale") == "real"  # bark-small's sizes and constants, random weights (GPU checks)
    semantic, codebook = (10_000, 1024) if real else (BARK_SEMANTIC, BARK_CODEBOOK)
    ids = bark_layout(119_547 if real else len(tokenizer), semantic, codebook)
    # tiny block sizes fit the longest sequences the tiny generation config makes (semantic: 256 text + 256
    # history + new tokens; coarse: 256 + 60 history + 60 window); causal masks of block_size**2 are saved
    block = (dict(hidden_size=768, num_layers=12, num_heads=12, block_size=1024) if real else
             dict(hidden_size=16, num_layers=1, num_heads=2, block_size=576))
    codec = EncodecConfig() if real else EncodecConfig(
        sampling_rate=24_000, audio_channels=1, hidden_size=16, num_filters=2, num_residual_layers=1,
        upsampling_ratios=[8, 5, 4, 2], codebook_size=BARK_CODEBOOK, codebook_dim=16, num_lstm_layers=1,
        target_bandwidths=[1.5, 3.0, 6.0], use_causal_conv=True)
    config = BarkConfig(
        semantic_config=dict(**block, input_vocab_size=ids["semantic_in"], output_vocab_size=ids["semantic_out"]),
        coarse_acoustics_config=dict(**block, input_vocab_size=ids["coarse_vocab"],
                                     output_vocab_size=ids["coarse_vocab"]),
        fine_acoustics_config=dict(**{**block, "block_size": 1024}, input_vocab_size=ids["fine_vocab"],
                                   output_vocab_size=ids["fine_vocab"], n_codes_total=8, n_codes_given=1),
        codec_config=codec.to_dict())
    torch.manual_seed(0)
    BarkModel(config).eval().save_pretrained(out_dir)
    # BarkGenerationConfig cannot go through GenerationConfig.save_pretrained (its validation expects fields
    # the Bark class never sets), so its dict is written as the hub checkpoints carry it
    generation = BarkGenerationConfig(
        semantic_config=dict(eos_token_id=ids["semantic_vocab"], text_encoding_offset=ids["text_offset"],
                             text_pad_token=ids["text_pad"], semantic_infer_token=ids["semantic_infer"],
                             semantic_vocab_size=ids["semantic_vocab"],
                             max_new_tokens=options.get("max_new_tokens", 768 if real else 24),
                             max_input_semantic_length=256, semantic_rate_hz=49.9),
        coarse_acoustics_config=dict(coarse_semantic_pad_token=ids["coarse_pad"], coarse_rate_hz=75,
                                     n_coarse_codebooks=2, coarse_infer_token=ids["coarse_infer"],
                                     max_coarse_input_length=256, max_coarse_history=630 if real else 60,
                                     sliding_window_len=60),
        fine_acoustics_config=dict(max_fine_history_length=512, max_fine_input_length=1024, n_fine_codebooks=8),
        sample_rate=24_000, codebook_size=codebook)
    (out_dir / "generation_config.json").write_text(json.dumps(generation.to_dict(), indent=2), encoding="utf-8")
    BarkProcessor(tokenizer=tokenizer).save_pretrained(out_dir)

    rng = np.random.default_rng(0)
    presets = {"repo_or_path": str(out_dir)}
    for voice in options.get("voices", ("v2/en_speaker_6",)):
        files = {}
        prompts = {"semantic_prompt": rng.integers(0, semantic, 40),
                   "coarse_prompt": rng.integers(0, codebook, (2, 60)),
                   "fine_prompt": rng.integers(0, codebook, (8, 60))}
        for name, array in prompts.items():
            relative = f"speaker_embeddings/{voice}_{name}.npy"
            (out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            np.save(out_dir / relative, array.astype(np.int64), allow_pickle=False)
            files[name] = relative
        presets[voice] = files
    (out_dir / "speaker_embeddings_path.json").write_text(json.dumps(presets), encoding="utf-8")
