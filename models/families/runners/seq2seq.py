"""The ``seq2seq`` runner: encoder-decoder generation (BART, Marian, M2M100) with streaming.

transformers 5 removed the summarization and translation pipelines; this calls
``AutoModelForSeq2SeqLM.generate`` itself. Per-call parameters (keyword arguments, over the entry's
defaults): ``max_new_tokens``, ``min_new_tokens``, ``num_beams``, ``no_repeat_ngram_size``,
``length_penalty``; for translation ``source_lang``/``target_lang`` (M2M100 codes: the tokenizer's
``src_lang`` and the forced first target token) and ``target_prefix`` (Marian multi-target models such as
opus-mt-en-zh want ``>>cmn_Hans<<`` before the source). The checkpoint's generation_config supplies
everything not given here.
"""

from __future__ import annotations

import threading
from typing import Iterator

from models.runtime.errors import InputError
from models.families.runners.base import BaseRunner
from models.families.runners.streaming import generate_once, generation_kwargs, stream_generate

GENERATE_PARAMS = ("max_new_tokens", "min_new_tokens", "num_beams", "no_repeat_ngram_size", "length_penalty")
MAX_NEW_TOKENS = 1024


class Seq2SeqRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        kwargs = source.pretrained_kwargs()
        self.tokenizer = AutoTokenizer.from_pretrained(source.path, **kwargs)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(
            source.path, dtype=placement.torch_dtype, **kwargs).to(placement.device).eval()
        positions = getattr(self.model.config, "max_position_embeddings", None) or 10**9
        self.window = min(self.tokenizer.model_max_length, positions)  # input tokens the encoder reads
        self.decoder_positions = positions

    # --- what the task layer needs -----------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def __call__(self, texts: list[str], stop: threading.Event | None = None, **overrides) -> list[str]:
        """Generate for a batch of source texts (one forward pass per batch); returns the decoded outputs."""
        params = {**self.params, **overrides}
        inputs = self._encode(texts, params)
        output = generate_once(self.model, inputs, self._generate_kwargs(params), stop)
        return [text.strip() for text in self.tokenizer.batch_decode(output, skip_special_tokens=True)]

    def stream(self, text: str, stop: threading.Event | None = None, **overrides) -> Iterator[str]:
        """The output for one source text, growing token by token (beam search yields once, at the end)."""
        params = {**self.params, **overrides}
        kwargs = self._generate_kwargs(params)
        if kwargs.get("num_beams", getattr(self.model.generation_config, "num_beams", 1) or 1) > 1:
            yield self([text], stop, **overrides)[0]  # streamers cannot follow several beams
            return
        kwargs["num_beams"] = 1
        yield from stream_generate(self.model, self.tokenizer, self._encode([text], params), kwargs, stop,
                                   skip_prompt=False)

    # --- internals ---------------------------------------------------------------------------------
    def _encode(self, texts: list[str], params: dict) -> dict:
        if params.get("source_lang") and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = params["source_lang"]
        prefix = params.get("target_prefix")
        if prefix:
            texts = [f"{prefix} {text}" for text in texts]
        encoded = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=self.window)
        return {name: tensor.to(self.placement.device) for name, tensor in encoded.items()}

    def _generate_kwargs(self, params: dict) -> dict:
        kwargs = generation_kwargs(params, GENERATE_PARAMS)
        new_tokens = int(kwargs.get("max_new_tokens", 256))
        if not 1 <= new_tokens <= MAX_NEW_TOKENS:
            raise InputError(f"max_new_tokens must be between 1 and {MAX_NEW_TOKENS}, not {new_tokens}")
        kwargs["max_new_tokens"] = min(new_tokens, self.decoder_positions - 2)  # the decoder has no more positions
        if kwargs.get("min_new_tokens") is not None:
            kwargs["min_new_tokens"] = min(int(kwargs["min_new_tokens"]), kwargs["max_new_tokens"])
            kwargs["min_length"] = 0  # else the checkpoint's own min_length (56 for distilbart) still applies
        target = params.get("target_lang")
        if target and hasattr(self.tokenizer, "get_lang_id"):  # M2M100: the first target token names the language
            try:
                kwargs["forced_bos_token_id"] = self.tokenizer.get_lang_id(target)
            except KeyError:
                raise InputError(f"this model cannot translate into {target!r}") from None
        return kwargs


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {
    "models/families/runners/seq2seq.py": "c3f1045fe60adb5e",
    "models/families/runners/streaming.py": "2d76dc5629491148",
    "models/text/generation_tasks.py": "1ba99bf5bb845db6",
    "models/text/text_split.py": "df673a70cadc4673",
}


def _snippet_generate_args(params: dict, extra: list[str] | None = None) -> list[str]:
    kwargs = generation_kwargs(params, GENERATE_PARAMS)
    kwargs["max_new_tokens"] = int(kwargs.get("max_new_tokens", 256))
    if kwargs.get("min_new_tokens") is not None:
        kwargs["min_new_tokens"] = min(int(kwargs["min_new_tokens"]), kwargs["max_new_tokens"])
        kwargs["min_length"] = 0  # else the checkpoint's own min_length still applies
    if extra:
        kwargs.pop("max_new_tokens")
    return ["**inputs", *(f"{name}={value!r}" for name, value in kwargs.items()), *(extra or [])]


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import (DEVICE_LINES, call, checkpoint_lines, header, literal, merged, sentence_lines,
                                      text_literal)
    from models.text.text_split import sentence_joiner, sentence_language

    params = merged(spec, settings)

    def load(constants: str) -> str:  # (no str.format here: the text may hold braces)
        return f"""{checkpoint_lines(spec)}
TEXT = {text_literal(settings, "text")}
{constants}
{DEVICE_LINES}
tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT, revision=REVISION)
model = AutoModelForSeq2SeqLM.from_pretrained(CHECKPOINT, revision=REVISION, dtype=dtype).to(device).eval()
"""
    if use.mode != "translate":
        return header('"transformers>=5" torch', spec, "Summarize a text") + """
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

""" + load("") + f"""
# the demo cuts a text longer than the model reads into parts, summarizes each and then the summaries;
# here a long text is cut at the model's window
inputs = tokenizer(TEXT, return_tensors="pt", truncation=True).to(device)
with torch.inference_mode():
{call("output = model.generate", _snippet_generate_args(params), indent="    ")}
summary = tokenizer.decode(output[0], skip_special_tokens=True).strip()
print(summary)
"""
    source, target = settings.get("source"), settings.get("target")
    multilingual = bool(params.get("multilingual"))
    prefix = params.get("target_prefix")
    lines = [f"MAX_NEW_TOKENS = {int(params.get('max_new_tokens', 256))}", "BATCH_SENTENCES = 8"]
    if multilingual:
        lines.insert(0, f"SOURCE, TARGET = {literal(source)}, {literal(target)}")
    if prefix:
        lines.insert(0, f"PREFIX = {literal(prefix + ' ')}  # the target language, for a multi-target model")
    extra = ["max_new_tokens=min(MAX_NEW_TOKENS, 3 * longest + 16)"]
    if multilingual:
        extra.append("forced_bos_token_id=tokenizer.get_lang_id(TARGET)")
    source_lang = "tokenizer.src_lang = SOURCE\n" if multilingual else ""
    joiner = sentence_joiner(target)
    return header('"transformers>=5" sentencepiece sentencex torch', spec, "Translate a text") + """
import torch
from sentencex import segment
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

""" + load("\n".join(lines) + "\n") + f"""{source_lang}
# sentence by sentence, in batches; the line breaks of TEXT are kept
{sentence_lines(sentence_language(source, settings.get("text") or ""))}

lines = [sentences_of(line) for line in TEXT.split("\\n")]
sentences = [s for line in lines for s in line]
translated = []
for first in range(0, len(sentences), BATCH_SENTENCES):
    batch = sentences[first:first + BATCH_SENTENCES]
    longest = max(len(tokenizer(s)["input_ids"]) for s in batch)  # a model that never stops cannot run on
    inputs = tokenizer({"[PREFIX + s for s in batch]" if prefix else "batch"}, return_tensors="pt", padding=True,
                       truncation=True).to(device)
    with torch.inference_mode():
{call("output = model.generate", _snippet_generate_args(params, extra), indent="        ")}
    translated += [t.strip() for t in tokenizer.batch_decode(output, skip_special_tokens=True)]
done = iter(translated)
translation = "\\n".join({literal(joiner)}.join(next(done) for _ in line) for line in lines)
print(translation)
"""
