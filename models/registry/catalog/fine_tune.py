"""Base encoders that the Fine-tune tab trains into text classifiers (task "fine-tune").

Each is a pre-trained encoder without a classification head; fine-tuning adds one for the user's labels.
Checked from the models' Hub pages and cards (no download possible here): distilbert/distilbert-base-uncased
and google-bert/bert-base-chinese are tagged Fill-Mask (DistilBertForMaskedLM / BertForMaskedLM, model_type
distilbert / bert, WordPiece tokenizers: DistilBertTokenizer uncased, BertTokenizer with Chinese characters
split one per token) with license apache-2.0 on their Hub pages (bert-base-chinese's card itself says "more
information needed"); distilbert/distilbert-base-multilingual-cased: card license apache-2.0, 6 layers, 768
dimensions, 134M parameters, 104 languages, cased. Revisions are "main": no commit was confirmable here.
"""

from __future__ import annotations

from models.registry.spec import ModelSpec, TinyRecipe

ENTRIES = [
    ModelSpec(
        key="fine-tune/distilbert-multilingual",
        task="fine-tune",
        checkpoint="distilbert/distilbert-base-multilingual-cased",
        runner="fine-tune",
        tiny=TinyRecipe("encoder", {"model_type": "distilbert", "lowercase": False}),
        license="apache-2.0",
        languages=("multilingual", "en", "zh"),
        size="134M params, 542 MB",
        description="English, Chinese and 102 more languages in one model; the choice for mixed data.",
    ),
    ModelSpec(
        key="fine-tune/distilbert-base-uncased",
        task="fine-tune",
        checkpoint="distilbert/distilbert-base-uncased",
        runner="fine-tune",
        tiny=TinyRecipe("encoder", {"model_type": "distilbert", "lowercase": True}),
        license="apache-2.0",
        languages=("en",),
        size="66M params, 268 MB",
        description="English only, lower-cased; the fastest to train.",
    ),
    ModelSpec(
        key="fine-tune/bert-base-chinese",
        task="fine-tune",
        checkpoint="google-bert/bert-base-chinese",
        runner="fine-tune",
        tiny=TinyRecipe("encoder", {"model_type": "bert", "lowercase": False}),
        license="apache-2.0",
        languages=("zh",),
        size="102M params, 412 MB",
        description="Chinese (one token per character).",
    ),
]
