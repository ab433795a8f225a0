"""Tiny encoder twins (BERT, DistilBERT, XLM-RoBERTa) with a classification, tagging or QA head."""

from __future__ import annotations

from pathlib import Path

from models.registry.spec import ModelSpec
from models.families.twins.tokenizers import unigram_vocab, wordpiece_vocab

TINY_SIZES = {
    "bert": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                 max_position_embeddings=512),
    "distilbert": dict(dim=32, n_layers=2, n_heads=2, hidden_dim=64, max_position_embeddings=512),
    "xlm-roberta": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                        bos_token_id=0, eos_token_id=2),
}

REAL_SIZES = {  # the base checkpoints' shapes (config defaults are bert-base / distilbert-base)
    "bert": dict(vocab_size=28996),
    "distilbert": dict(vocab_size=28996),
    "xlm-roberta": dict(vocab_size=250002, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                        bos_token_id=0, eos_token_id=2),
}

# (runner kind, the mode its task gives it: models.registry.tasks) -> the head the runner loads; an entry whose pipeline
# returns its own output names its head in the recipe (``head``: a transformers Auto class)
HEADS = {
    ("pipeline", "labels"): "AutoModelForSequenceClassification",
    ("pipeline", "entities"): "AutoModelForTokenClassification",
    ("extractive-qa", ""): "AutoModelForQuestionAnswering",
    ("fine-tune", ""): "AutoModelForMaskedLM",  # base encoders to fine-tune ship with their pre-training head
}

MODEL_MAX_LENGTH = 512


def build_tokenizer(model_type: str, lowercase: bool):
    import transformers

    if model_type in ("bert", "distilbert"):
        cls = transformers.BertTokenizer if model_type == "bert" else transformers.DistilBertTokenizer
        # vocab= (not vocab_file=, which transformers 5 ignores silently)
        return cls(vocab=wordpiece_vocab(lowercase), do_lower_case=lowercase,
                   model_max_length=MODEL_MAX_LENGTH)
    if model_type == "xlm-roberta":
        return transformers.XLMRobertaTokenizer(vocab=unigram_vocab(), model_max_length=MODEL_MAX_LENGTH)
    raise ValueError(f"no tiny tokenizer for model_type {model_type!r}")


def build_encoder(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    import torch
    import transformers

    model_type = options["model_type"]
    tokenizer = build_tokenizer(model_type, options.get("lowercase", False))
    labels = options.get("labels")
    label_kwargs = {}
    if labels:
        label_kwargs = dict(id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    # scale "real": the base checkpoints' sizes, random weights, for benchmarks and GPU checks
    sizes = dict((REAL_SIZES if options.get("scale") == "real" else TINY_SIZES)[model_type])
    vocab_size = max(len(tokenizer), sizes.pop("vocab_size", 0))
    config = transformers.AutoConfig.for_model(model_type, vocab_size=vocab_size, **sizes, **label_kwargs)
    torch.manual_seed(0)
    head = options.get("head") or HEADS[spec.runner, spec.params.get("mode", "")]
    model = getattr(transformers, head).from_config(config)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
