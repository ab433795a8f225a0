"""The ``relation-extraction`` runner: a seq2seq model that writes triplets as marked-up text (REBEL).

It is the ``seq2seq`` runner with one difference: REBEL's markers (``<triplet>``, ``<subj>``, ``<obj>``) are
special tokens, and they are the whole structure of the output, so decoding keeps special tokens and drops
only the sequence ones (``<s>``, ``</s>``, ``<pad>``). ``demos.knowledge_graph.logic.parse_rebel`` reads the result.
"""

from __future__ import annotations

import threading

from models.families.runners.seq2seq import Seq2SeqRunner
from models.families.runners.streaming import generate_once


class RelationExtractionRunner(Seq2SeqRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        self.window = min(self.window, int(self.params.get("window_tokens", self.window)))

    def __call__(self, texts: list[str], stop: threading.Event | None = None, **overrides) -> list[str]:
        """The linearized triplets for each text, markers kept."""
        params = {**self.params, **overrides}
        inputs = self._encode(texts, params)
        output = generate_once(self.model, inputs, self._generate_kwargs(params), stop)
        return [self.decode(ids) for ids in output]

    def decode(self, ids) -> str:
        text = self.tokenizer.decode(ids, skip_special_tokens=False)
        for token in {self.tokenizer.bos_token, self.tokenizer.eos_token, self.tokenizer.pad_token} - {None}:
            text = text.replace(token, " ")
        return " ".join(text.split())
