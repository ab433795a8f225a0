"""Text generation: summarization, translation and chat, on the ``seq2seq`` and ``chat`` runners.

Evidence for each entry (checked with the search tool against the models' cards on the Hugging Face Hub
and the transformers docs, November 2026; nothing could be downloaded from here):
- sshleifer/distilbart-cnn-12-6: card front matter ``license: apache-2.0``, BartForConditionalGeneration,
  306M params, CNN/DailyMail summarization, English.
- Qwen/Qwen2.5-0.5B-Instruct: ``license: apache-2.0``, Qwen2ForCausalLM (model_type qwen2), 0.49B params,
  32,768-token context, ChatML chat template in tokenizer_config, multilingual (Chinese, English, French,
  Spanish, Portuguese, German, Italian, Russian, Japanese, Korean, Vietnamese, Thai, Arabic, ...).
- Helsinki-NLP/opus-mt-{en-zh, zh-en, en-de, de-en, en-fr, fr-en}: all exist, MarianMTModel + MarianTokenizer
  (source.spm/target.spm/vocab.json). Licenses from the cards: en-zh apache-2.0, zh-en cc-by-4.0,
  en-de cc-by-4.0, de-en apache-2.0, en-fr apache-2.0, fr-en apache-2.0. opus-mt-en-zh has several
  Chinese targets and needs a sentence-initial target token, ``>>cmn_Hans<<`` for Simplified Chinese.
- facebook/m2m100_418M: ``license: mit``, M2M100ForConditionalGeneration + M2M100Tokenizer
  (vocab.json + sentencepiece.bpe.model), 100 languages; ``tokenizer.src_lang = code`` and
  ``forced_bos_token_id = tokenizer.get_lang_id(target)``. NLLB-200 was left out: its license
  (cc-by-nc-4.0) forbids commercial use.
Revisions are "main": no commit was confirmable from here.
"""

from __future__ import annotations

from models.text.languages import LANGUAGE_NAMES
from models.registry.spec import ModelSpec, TinyRecipe

QWEN = "Qwen/Qwen2.5-0.5B-Instruct"
QWEN_LANGUAGES = ("zh", "en", "fr", "es", "pt", "de", "it", "ru", "ja", "ko", "vi", "th", "ar")
QWEN_TINY = TinyRecipe("chat", {"window": 1024})

# (source, target, license, extra runner params)
OPUS_MT_PAIRS = (
    ("en", "zh", "apache-2.0", {"target_prefix": ">>cmn_Hans<<"}),
    ("zh", "en", "cc-by-4.0", {}),
    ("en", "de", "cc-by-4.0", {}),
    ("de", "en", "apache-2.0", {}),
    ("en", "fr", "apache-2.0", {}),
    ("fr", "en", "apache-2.0", {}),
)


def opus_mt(source: str, target: str, license: str, extra: dict) -> ModelSpec:
    return ModelSpec(
        key=f"translation/opus-mt-{source}-{target}",
        task="translation",
        checkpoint=f"Helsinki-NLP/opus-mt-{source}-{target}",
        runner="seq2seq",
        params={"family": "opus-mt", "source": source, "target": target, "num_beams": 4,
                "max_new_tokens": 256, **extra},
        tiny=TinyRecipe("marian", {"language_tokens": [extra["target_prefix"]] if extra else []}),
        license=license,
        languages=(source, target),
        size="~75M params, 300 MB",
        description=f"{LANGUAGE_NAMES[source]} → {LANGUAGE_NAMES[target]} only (one Marian model per pair).",
    )


ENTRIES = [
    # --- Summarization ---------------------------------------------------------------------------
    ModelSpec(
        key="summarization/distilbart-cnn-12-6",
        task="summarization",
        checkpoint="sshleifer/distilbart-cnn-12-6",
        runner="seq2seq",
        params={"num_beams": 4, "no_repeat_ngram_size": 3, "length_penalty": 2.0,
                "min_new_tokens": 56, "max_new_tokens": 142},
        tiny=TinyRecipe("bart", {"window": 256}),  # a small window, so tests reach the map-reduce path
        license="apache-2.0",
        languages=("en",),
        size="306M params, 1.2 GB",
        description="English news-style summaries (CNN/DailyMail); reads 1,024 tokens at a time.",
    ),
    ModelSpec(
        key="summarization/qwen2.5-0.5b-instruct",
        task="summarization",
        checkpoint=QWEN,
        runner="chat",
        params={"max_new_tokens": 256, "temperature": 0.3, "top_p": 0.9, "window_tokens": 8192},
        tiny=QWEN_TINY,
        license="apache-2.0",
        languages=QWEN_LANGUAGES,
        size="494M params, 1 GB",
        description="Instruction-following chat model: summarizes Chinese and other languages.",
    ),
    # --- Translation -----------------------------------------------------------------------------
    *(opus_mt(*pair) for pair in OPUS_MT_PAIRS),
    ModelSpec(
        key="translation/m2m100-418m",
        task="translation",
        checkpoint="facebook/m2m100_418M",
        runner="seq2seq",
        params={"multilingual": True, "num_beams": 4, "max_new_tokens": 256},
        tiny=TinyRecipe("m2m100"),
        license="mit",
        languages=tuple(LANGUAGE_NAMES),
        size="418M params, 1.9 GB",
        description="Many-to-many: any of its 100 languages into any other, no English pivot.",
    ),
    ModelSpec(
        key="translation/qwen2.5-0.5b-instruct",
        task="translation",
        checkpoint=QWEN,
        runner="chat",
        params={"auto_detect": True, "max_new_tokens": 512, "temperature": 0.0, "window_tokens": 8192},
        tiny=QWEN_TINY,
        license="apache-2.0",
        languages=QWEN_LANGUAGES,
        size="494M params, 1 GB",
        description="Chat model prompted to translate; can detect the source language itself.",
    ),
    # --- Chat --------------------------------------------------------------------------------------
    ModelSpec(
        key="chat/qwen2.5-0.5b-instruct",
        task="chat",
        checkpoint=QWEN,
        runner="chat",
        params={"max_new_tokens": 512, "temperature": 0.7, "top_p": 0.8, "window_tokens": 8192},
        tiny=QWEN_TINY,
        license="apache-2.0",
        languages=QWEN_LANGUAGES,
        size="494M params, 1 GB",
        description="Small multilingual assistant (Chinese and English included), 32K context.",
    ),
]
