"""Tiny generation twins: BART (summarization), Marian and M2M100 (translation), a Qwen2-shaped chat model.

Each twin uses the real checkpoint's config class and tokenizer class, with the file layout that class
reads (DESIGN.md section 5 lists the traps each family hides):
- BART: RoBERTa byte-level BPE with ``<s>,<pad>,</s>,<unk>,<mask>`` as ids 0-4.
- Marian: two sentencepiece models saved as ``source.spm``/``target.spm`` and a joint ``vocab.json``
  (``</s>``=0, ``<unk>``=1, pieces, target-language tokens such as ``>>cmn_Hans<<``, ``<pad>`` last);
  ``decoder_start_token_id`` = pad.
- M2M100: ``sentencepiece.bpe.model`` + ``vocab.json``; the language tokens ``__xx__`` come after the base
  vocabulary, then the "madeup" words, so ``vocab_size`` = base + languages + madeup words.
- Qwen2: byte-level BPE with ``<|endoftext|>``, ``<|im_start|>``, ``<|im_end|>``, a ChatML chat template,
  and ``eos_token_id = [im_end, endoftext]`` in config and generation config.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from models.registry.spec import ModelSpec
from models.families.twins.corpus import SENTENCES

SEQ2SEQ_SIZES = dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                     decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64)

# The ChatML template of Qwen2.5-Instruct, without its tool-calling branches (the app sends no tools).
CHATML_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if not (message['role'] == 'system' and loop.first) %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def _byte_level_bpe(special_tokens: list[str], vocab_size: int) -> tuple[dict[str, int], list[tuple[str, str]]]:
    from tokenizers import ByteLevelBPETokenizer

    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train_from_iterator(SENTENCES, vocab_size=vocab_size, min_frequency=1,
                                  special_tokens=special_tokens, show_progress=False)
    model = json.loads(tokenizer.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return model["vocab"], merges


def _sentencepiece(model_type: str, vocab_size: int, **kwargs) -> bytes:
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(SENTENCES), model_writer=buffer,
                                   vocab_size=vocab_size, model_type=model_type, character_coverage=1.0,
                                   hard_vocab_limit=False, minloglevel=2, **kwargs)
    return buffer.getvalue()


def _spm_pieces(model_bytes: bytes) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=model_bytes)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_bart(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    import transformers

    window = int(options.get("window", 1024))
    vocab, merges = _byte_level_bpe(["<s>", "<pad>", "</s>", "<unk>", "<mask>"], 800)
    tokenizer = transformers.BartTokenizer(vocab=vocab, merges=merges, model_max_length=window)
    config = transformers.BartConfig(vocab_size=len(tokenizer), max_position_embeddings=window,
                                     pad_token_id=1, bos_token_id=0, eos_token_id=2,
                                     decoder_start_token_id=2, forced_bos_token_id=0, forced_eos_token_id=2,
                                     **SEQ2SEQ_SIZES)
    torch.manual_seed(0)
    model = transformers.BartForConditionalGeneration(config)
    # distilbart-cnn's summarization settings, so the runner has to override them as it does for the real one
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=0,
        forced_eos_token_id=2, num_beams=4, min_length=56, max_length=142, no_repeat_ngram_size=3,
        length_penalty=2.0, early_stopping=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_marian(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    import transformers

    out_dir.mkdir(parents=True, exist_ok=True)
    # Marian's own files: unigram sentencepiece models without their own control pieces
    model_bytes = _sentencepiece("unigram", 600, unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1)
    (out_dir / "source.spm").write_bytes(model_bytes)
    (out_dir / "target.spm").write_bytes(model_bytes)
    pieces = [p for p in _spm_pieces(model_bytes) if p not in ("<unk>",)]
    tokens = ["</s>", "<unk>"] + pieces + list(options.get("language_tokens", ())) + ["<pad>"]
    vocab = {token: i for i, token in enumerate(dict.fromkeys(tokens))}
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = transformers.MarianTokenizer(source_spm=str(out_dir / "source.spm"),
                                             target_spm=str(out_dir / "target.spm"),
                                             vocab=str(out_dir / "vocab.json"), model_max_length=512)
    pad = vocab["<pad>"]
    config = transformers.MarianConfig(vocab_size=len(vocab), max_position_embeddings=512, pad_token_id=pad,
                                       decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0,
                                       bad_words_ids=[[pad]], **SEQ2SEQ_SIZES)
    torch.manual_seed(0)
    model = transformers.MarianMTModel(config)
    model.generation_config = transformers.GenerationConfig(
        decoder_start_token_id=pad, pad_token_id=pad, eos_token_id=0, forced_eos_token_id=0,
        bad_words_ids=[[pad]], max_length=512, num_beams=4)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_m2m100(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    import transformers

    out_dir.mkdir(parents=True, exist_ok=True)
    model_bytes = _sentencepiece("bpe", 600, unk_id=3, bos_id=0, pad_id=1, eos_id=2)
    (out_dir / "sentencepiece.bpe.model").write_bytes(model_bytes)
    pieces = [p for p in _spm_pieces(model_bytes) if p not in ("<s>", "<pad>", "</s>", "<unk>")]
    base = ["<s>", "<pad>", "</s>", "<unk>"] + pieces
    vocab = {token: i for i, token in enumerate(dict.fromkeys(base))}
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    # the language tokens are special, so decoding drops them (the real tokenizer_config lists them too)
    language_tokens = [f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]]
    tokenizer = transformers.M2M100Tokenizer(vocab_file=str(out_dir / "vocab.json"),
                                             spm_file=str(out_dir / "sentencepiece.bpe.model"),
                                             additional_special_tokens=language_tokens, model_max_length=1024)
    language_ids = [tokenizer.get_lang_id(code) for code in tokenizer.lang_code_to_id]
    vocab_size = max(language_ids) + 1 + tokenizer.num_madeup_words
    config = transformers.M2M100Config(vocab_size=vocab_size, max_position_embeddings=1024, pad_token_id=1,
                                       bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
                                       **SEQ2SEQ_SIZES)
    torch.manual_seed(0)
    model = transformers.M2M100ForConditionalGeneration(config)
    model.generation_config = transformers.GenerationConfig.from_model_config(config)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_chat(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    import transformers

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    vocab, merges = _byte_level_bpe(specials, 900)
    tokenizer = transformers.Qwen2Tokenizer(vocab=vocab, merges=merges, eos_token="<|im_end|>",
                                            pad_token="<|endoftext|>", model_max_length=32768)
    tokenizer.add_special_tokens({"additional_special_tokens": specials[1:]})
    tokenizer.chat_template = CHATML_TEMPLATE
    end_of_text, im_end = tokenizer.convert_tokens_to_ids(specials[0]), tokenizer.convert_tokens_to_ids(specials[2])
    config = transformers.Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                      max_position_embeddings=int(options.get("window", 2048)),
                                      tie_word_embeddings=True, bos_token_id=end_of_text,
                                      eos_token_id=[im_end, end_of_text], pad_token_id=end_of_text)
    torch.manual_seed(0)
    model = transformers.Qwen2ForCausalLM(config)
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=end_of_text, eos_token_id=[im_end, end_of_text], pad_token_id=end_of_text,
        do_sample=True, temperature=0.7, top_p=0.8, top_k=20, repetition_penalty=1.05)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
