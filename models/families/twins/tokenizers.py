"""Train small tokenizers on the built-in corpus with the `tokenizers` library."""

from __future__ import annotations

import json

from models.families.twins.corpus import SENTENCES

BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
SPM_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # sentencepiece order; <mask> goes last


def wordpiece_vocab(lowercase: bool, vocab_size: int = 1200) -> dict[str, int]:
    from tokenizers import BertWordPieceTokenizer

    tokenizer = BertWordPieceTokenizer(lowercase=lowercase, strip_accents=False if not lowercase else None,
                                       handle_chinese_chars=True)
    tokenizer.train_from_iterator(SENTENCES, vocab_size=vocab_size, min_frequency=1,
                                  special_tokens=BERT_SPECIALS, show_progress=False)
    return tokenizer.get_vocab()


def unigram_vocab(vocab_size: int = 1200) -> list[tuple[str, float]]:
    """Pieces and scores in sentencepiece's layout: <s>, <pad>, </s>, <unk>, pieces..., <mask>."""
    from tokenizers import SentencePieceUnigramTokenizer

    tokenizer = SentencePieceUnigramTokenizer()
    tokenizer.train_from_iterator(SENTENCES, vocab_size=vocab_size, special_tokens=SPM_SPECIALS,
                                  unk_token="<unk>", show_progress=False)
    pieces = json.loads(tokenizer.to_str())["model"]["vocab"]
    return [(piece, float(score)) for piece, score in pieces] + [("<mask>", 0.0)]
