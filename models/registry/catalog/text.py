"""Text understanding: sentiment, named entities, extractive question answering.

Checkpoint ids, licenses and label sets were taken from the models' cards on the Hugging Face Hub.
Revisions are "main": no commit was confirmable from here.
"""

from __future__ import annotations

from models.registry.spec import ModelSpec, TinyRecipe

CONLL_LABELS = ("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
HRL_LABELS = ("O", "B-DATE", "I-DATE", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")

ENTRIES = [
    # --- Text classification (sentiment) ---------------------------------------------------
    ModelSpec(
        key="text-classification/distilbert-sst2",
        task="text-classification",
        checkpoint="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        runner="pipeline",
        params={"top_k": None},
        tiny=TinyRecipe("encoder", {"model_type": "distilbert", "lowercase": True,
                                    "labels": ("NEGATIVE", "POSITIVE")}),
        license="apache-2.0",
        languages=("en",),
        size="67M params, 268 MB",
        description="English sentiment, positive/negative (SST-2).",
    ),
    ModelSpec(
        key="text-classification/multilingual-sentiment",
        task="text-classification",
        checkpoint="lxyuan/distilbert-base-multilingual-cased-sentiments-student",
        runner="pipeline",
        params={"top_k": None},
        tiny=TinyRecipe("encoder", {"model_type": "distilbert", "lowercase": False,
                                    "labels": ("positive", "neutral", "negative")}),
        license="apache-2.0",
        languages=("en", "zh", "de", "fr", "es", "ja", "ar", "hi", "id", "it", "ms", "pt"),
        size="135M params, 541 MB",
        description="Positive/neutral/negative in 12 languages, Chinese included.",
    ),
    # --- Named entities ----------------------------------------------------------------------
    ModelSpec(
        key="token-classification/bert-base-ner",
        task="token-classification",
        checkpoint="dslim/bert-base-NER",
        runner="pipeline",
        params={"aggregation_strategy": "simple", "stride": 64},
        tiny=TinyRecipe("encoder", {"model_type": "bert", "lowercase": False,
                                    "labels": CONLL_LABELS}),
        license="mit",
        languages=("en",),
        size="108M params, 433 MB",
        description="English persons, organizations, locations, misc (CoNLL-2003).",
    ),
    ModelSpec(
        key="token-classification/multilingual-ner",
        task="token-classification",
        checkpoint="Davlan/bert-base-multilingual-cased-ner-hrl",
        runner="pipeline",
        params={"aggregation_strategy": "simple", "stride": 64},
        tiny=TinyRecipe("encoder", {"model_type": "bert", "lowercase": False,
                                    "labels": HRL_LABELS}),
        license="afl-3.0",
        languages=("zh", "en", "ar", "de", "es", "fr", "it", "lv", "nl", "pt"),
        size="177M params, 709 MB",
        description="Persons, organizations, locations, dates in 10 languages, Chinese included.",
    ),
    # --- Extractive question answering -------------------------------------------------------
    ModelSpec(
        key="question-answering/distilbert-squad",
        task="question-answering",
        checkpoint="distilbert/distilbert-base-cased-distilled-squad",
        runner="extractive-qa",
        params={"max_answer_tokens": 15, "window_tokens": 384, "stride_tokens": 128,
                "allow_no_answer": False},
        tiny=TinyRecipe("encoder", {"model_type": "distilbert", "lowercase": False}),
        license="apache-2.0",
        languages=("en",),
        size="65M params, 261 MB",
        description="English extractive QA (SQuAD 1.1): the answer is always a span of the context.",
    ),
    ModelSpec(
        key="question-answering/xlm-roberta-squad2",
        task="question-answering",
        checkpoint="deepset/xlm-roberta-base-squad2",
        runner="extractive-qa",
        params={"max_answer_tokens": 15, "window_tokens": 384, "stride_tokens": 128,
                "allow_no_answer": True},
        tiny=TinyRecipe("encoder", {"model_type": "xlm-roberta"}),
        license="cc-by-4.0",
        languages=("multilingual", "zh", "en"),
        size="278M params, 1.1 GB",
        description="Multilingual extractive QA (SQuAD 2.0), Chinese included; may answer 'no answer'.",
    ),
]
