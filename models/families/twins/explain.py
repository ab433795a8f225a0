"""Tiny twins for the learning tabs: bare encoders for the attention explorer, and a REBEL-shaped BART.

- Attention encoders: the same config class and WordPiece tokenizer as the text tabs' encoder twins
  (``models.families.twins.encoders``), saved as the bare ``AutoModel`` the attention runner loads.
- REBEL: the BART twin's byte-level BPE (``<s>,<pad>,</s>,<unk>,<mask>`` as ids 0-4) plus REBEL's added marker
  tokens in the real checkpoint's order (``<obj>``, ``<subj>``, ``<triplet>``, ``<head>``, ``</head>``,
  ``<tail>``, ``</tail>``), so the runner's decoding has to keep them exactly as it must for the real model.
"""

from __future__ import annotations

from pathlib import Path

from models.registry.spec import ModelSpec
from models.families.twins.encoders import REAL_SIZES, TINY_SIZES, build_tokenizer
from models.families.twins.generation import SEQ2SEQ_SIZES, _byte_level_bpe

REBEL_MARKERS = ["<obj>", "<subj>", "<triplet>", "<head>", "</head>", "<tail>", "</tail>"]


def build_attention_encoder(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    import transformers

    model_type = options["model_type"]
    tokenizer = build_tokenizer(model_type, options.get("lowercase", False))
    sizes = dict((REAL_SIZES if options.get("scale") == "real" else TINY_SIZES)[model_type])
    vocab_size = max(len(tokenizer), sizes.pop("vocab_size", 0))
    config = transformers.AutoConfig.for_model(model_type, vocab_size=vocab_size, **sizes)
    torch.manual_seed(0)
    model = transformers.AutoModel.from_config(config)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_rebel(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    import transformers

    window = int(options.get("window", 1024))
    vocab, merges = _byte_level_bpe(["<s>", "<pad>", "</s>", "<unk>", "<mask>"], 800)
    tokenizer = transformers.BartTokenizer(vocab=vocab, merges=merges, model_max_length=window)
    tokenizer.add_special_tokens({"additional_special_tokens": REBEL_MARKERS})
    # scale "real": bart-large's shape (BartConfig's defaults) with rebel-large's 50,272-token vocabulary
    sizes = dict(vocab_size=50272, max_position_embeddings=1024) if options.get("scale") == "real" else \
        dict(vocab_size=len(tokenizer), max_position_embeddings=window, **SEQ2SEQ_SIZES)
    config = transformers.BartConfig(pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
                                     forced_bos_token_id=0, forced_eos_token_id=2, **sizes)
    torch.manual_seed(0)
    model = transformers.BartForConditionalGeneration(config)
    with torch.no_grad():  # random weights never stop on their own; this ends an output within ~35 tokens
        model.final_logits_bias[0, config.eos_token_id] = 0.4
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=0,
        forced_eos_token_id=2, num_beams=3, length_penalty=0.0)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
