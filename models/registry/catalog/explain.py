"""Learning the Transformer: encoders for the attention explorer, BERT as pre-trained for filling in blanks, and
models that extract knowledge-graph triples.

Evidence for each entry (checked with the search tool against the models' cards and files on the Hugging Face
Hub, November 2026; nothing could be downloaded from here):
- google-bert/bert-base-uncased: ``license: apache-2.0``, BertForMaskedLM checkpoint (model_type bert),
  12 layers x 12 heads, hidden 768, 512 positions, English, lowercased WordPiece (BertTokenizer).
- google-bert/bert-base-chinese: License apache-2.0 on its card, model_type bert, 12 x 12, tokenizer_config
  ``{"do_lower_case": false, "model_max_length": 512}``; Chinese is tokenized character by character.
- distilbert/distilbert-base-uncased: ``license: apache-2.0`` (LICENSE file in the repo), model_type
  distilbert, 6 layers x 12 heads, lowercased WordPiece.
  The attention entries load the bare encoder (``AutoModel``, any head dropped) with
  ``attn_implementation="eager"``: SDPA and flash attention return no attention weights.
  The fill-mask entries load the same two BERT checkpoints with their pre-training head (BertForMaskedLM, the
  architecture their config.json names) through transformers' fill-mask pipeline; both write a blank
  ``[MASK]``, and bert-base-chinese's blank is one character.
- Babelscape/rebel-large: ``license: cc-by-nc-sa-4.0`` (non-commercial; the operator of a public server must
  honour it), BART (model_type bart, BartTokenizer), English. Its output linearizes triplets as
  ``<triplet> head <subj> tail <obj> relation`` (several ``<subj> tail <obj> relation`` pairs may follow one
  head), the markers being added tokens (added_tokens.json: ``<obj>`` 50265, ``<subj>`` 50266, ``<triplet>``
  50267) that decoding must keep; the card generates with ``num_beams=3, length_penalty=0, max_length=256``
  and reads inputs of up to 256 tokens.
- Qwen/Qwen2.5-0.5B-Instruct: see models/registry/catalog/generation.py; prompted for a JSON array of triples.
Revisions are "main": no commit was confirmable from here.
"""

from __future__ import annotations

from models.registry.catalog.generation import QWEN, QWEN_LANGUAGES, QWEN_TINY
from models.registry.spec import ModelSpec, TinyRecipe

ATTENTION_PARAMS = {"max_tokens": 128}  # a heatmap of more tokens than this cannot be read

ENTRIES = [
    # --- Attention explorer ------------------------------------------------------------------------
    ModelSpec(
        key="attention/bert-base-uncased",
        task="attention",
        checkpoint="google-bert/bert-base-uncased",
        runner="attention",
        params=ATTENTION_PARAMS,
        tiny=TinyRecipe("attention-encoder", {"model_type": "bert", "lowercase": True}),
        license="apache-2.0",
        languages=("en",),
        size="110M params, 440 MB",
        description="The original BERT encoder: 12 layers × 12 heads, d_k = 64.",
    ),
    ModelSpec(
        key="attention/bert-base-chinese",
        task="attention",
        checkpoint="google-bert/bert-base-chinese",
        runner="attention",
        params=ATTENTION_PARAMS,
        tiny=TinyRecipe("attention-encoder", {"model_type": "bert", "lowercase": False}),
        license="apache-2.0",
        languages=("zh",),
        size="102M params, 412 MB",
        description="BERT for Chinese, one token per character: 12 layers × 12 heads, d_k = 64.",
    ),
    ModelSpec(
        key="attention/distilbert-base-uncased",
        task="attention",
        checkpoint="distilbert/distilbert-base-uncased",
        runner="attention",
        params=ATTENTION_PARAMS,
        tiny=TinyRecipe("attention-encoder", {"model_type": "distilbert", "lowercase": True}),
        license="apache-2.0",
        languages=("en",),
        size="66M params, 268 MB",
        description="A distilled BERT: 6 layers × 12 heads, d_k = 64.",
    ),
    # --- Fill in the blank (what pre-training learns) -----------------------------------------------
    ModelSpec(
        key="fill-mask/bert-base-uncased",
        task="fill-mask",
        checkpoint="google-bert/bert-base-uncased",
        runner="pipeline",
        tiny=TinyRecipe("encoder", {"model_type": "bert", "lowercase": True, "head": "AutoModelForMaskedLM"}),
        license="apache-2.0",
        languages=("en",),
        size="110M params, 440 MB",
        description="BERT as pre-trained: English, lower-cased, guessing hidden words from both sides.",
    ),
    ModelSpec(
        key="fill-mask/bert-base-chinese",
        task="fill-mask",
        checkpoint="google-bert/bert-base-chinese",
        runner="pipeline",
        tiny=TinyRecipe("encoder", {"model_type": "bert", "lowercase": False, "head": "AutoModelForMaskedLM"}),
        license="apache-2.0",
        languages=("zh",),
        size="102M params, 412 MB",
        description="BERT pre-trained on Chinese: one token per character, so a blank hides one character.",
    ),
    # --- Knowledge graph ---------------------------------------------------------------------------
    ModelSpec(
        key="knowledge-graph/rebel-large",
        task="knowledge-graph",
        checkpoint="Babelscape/rebel-large",
        runner="relation-extraction",
        params={"num_beams": 3, "length_penalty": 0.0, "max_new_tokens": 256, "window_tokens": 256},
        tiny=TinyRecipe("rebel", {"window": 256}),
        license="cc-by-nc-sa-4.0",
        languages=("en",),
        size="406M params, 1.6 GB",
        description="BART trained to write (head, relation, tail) triplets, 200+ Wikidata relation types; "
                    "English; non-commercial license.",
    ),
    ModelSpec(
        key="knowledge-graph/qwen2.5-0.5b-instruct",
        task="knowledge-graph",
        checkpoint=QWEN,
        runner="chat",
        params={"max_new_tokens": 512, "temperature": 0.0, "window_tokens": 8192},
        tiny=QWEN_TINY,
        license="apache-2.0",
        languages=QWEN_LANGUAGES,
        size="494M params, 1 GB",
        description="Chat model prompted for JSON triples; Chinese and other languages; its answer is parsed "
                    "strictly, so a malformed one is reported, not guessed at.",
    ),
]
