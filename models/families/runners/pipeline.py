"""The ``pipeline`` runner: a transformers pipeline for the text tasks that still have one in v5.

A task says which pipeline (the ``pipeline_task`` parameter) and what the runner returns (``mode``, from
``models.registry.tasks``): "labels" is every label's probability; "entities" groups word pieces into entities and,
for text longer than the model window, runs overlapping windows (``stride``); "output" is the pipeline's own
output, called with the request's parameters, for a task that reads it itself (a text longer than the model
window is refused with the lengths, not cut).
"""

from __future__ import annotations

from models.runtime.batching import length_buckets
from models.runtime.errors import InputError
from models.families.results import Classification, Entity, LabelScore
from models.families.runners.base import BaseRunner, given_mode


class PipelineRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import pipeline

        self.mode = given_mode(self, ("labels", "entities", "output"))
        self.pipe = pipeline(self.params["pipeline_task"], model=source.path, device=placement.device,
                             dtype=placement.torch_dtype, **source.pretrained_kwargs())
        self.prepare(self.pipe.model, quantizable=True)
        self.warm_up_input = "Warm up."
        self.window = min(self.pipe.tokenizer.model_max_length,
                          getattr(self.pipe.model.config, "max_position_embeddings", 10**9))

    def __call__(self, texts: list[str], **overrides):
        params = {**self.params, **overrides}
        if self.mode == "output":
            return self.output(texts, params, overrides)
        return self.tag(texts, params) if self.mode == "entities" else self.classify(texts, params)

    def output(self, texts: list[str], params: dict, call: dict) -> list:
        """The pipeline's own output for each text, called with the request's parameters ``call``."""
        lengths = self._token_lengths(texts)
        longest = max(lengths, default=0)
        if longest > self.window:
            raise InputError(f"the text is {longest:,} tokens long; this model reads at most {self.window:,}")
        return self._run(texts, lengths, params, **call)

    def classify(self, texts: list[str], params: dict) -> list[Classification]:
        lengths = self._token_lengths(texts)
        outputs = self._run(texts, lengths, params, top_k=params.get("top_k"), truncation=True,
                            max_length=self.window)
        results = []
        for length, scores in zip(lengths, outputs):
            ranked = sorted(scores, key=lambda s: s["score"], reverse=True)
            results.append(Classification(
                scores=[LabelScore(s["label"], float(s["score"])) for s in ranked],
                tokens=length, truncated=length > self.window, window=self.window))
        return results

    def tag(self, texts: list[str], params: dict) -> list[list[Entity]]:
        kwargs = {"aggregation_strategy": params.get("aggregation_strategy", "simple")}
        if params.get("stride"):
            kwargs["stride"] = min(int(params["stride"]), self.window // 2)
        outputs = self._run(texts, self._token_lengths(texts), params, **kwargs)
        return [[self._entity(text, e) for e in found] for text, found in zip(texts, outputs)]

    def _token_lengths(self, texts: list[str]) -> list[int]:
        return [len(ids) for ids in self.pipe.tokenizer(texts, truncation=False, verbose=False)["input_ids"]]

    def _run(self, texts: list[str], lengths: list[int], params: dict, **kwargs) -> list:
        """The pipeline on a list of texts, one output per text, in buckets of similar token length: a batch
        pads to its longest input, so mixing a 5-token and a 60-token text would waste most of the work.
        A lone text is passed on its own: the pipeline's list path goes through a DataLoader, which costs
        a lone user a millisecond or two."""
        if len(texts) == 1:
            return [self.pipe(texts[0], **kwargs)]
        outputs: list = [None] * len(texts)
        for bucket in length_buckets(lengths, max_size=int(params.get("batch_size", 32))):
            found = self.pipe([texts[i] for i in bucket], batch_size=len(bucket), **kwargs)
            for i, output in zip(bucket, found):
                outputs[i] = output
        return outputs

    @staticmethod
    def _entity(text: str, found: dict) -> Entity:
        start, end = int(found["start"]), int(found["end"])
        label = found.get("entity_group") or found.get("entity", "")
        return Entity(text=text[start:end], label=label, score=float(found["score"]), start=start, end=end)


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {"models/families/runners/pipeline.py": "a77d03d7f9a362da"}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import (DEVICE_LINES, checkpoint_lines, cpu_int8_lines, header, literal, merged,
                                      text_literal)

    params = merged(spec, settings)
    if use.mode == "entities":
        what, name = "Named entities in a text", "ner"
        make = (f'ner = pipeline({literal(use.pipeline_task)}, model=CHECKPOINT, revision=REVISION, device=device, '
                'dtype=dtype,\n'
                f'               aggregation_strategy={literal(params.get("aggregation_strategy", "simple"))})')
        stride = int(params.get("stride") or 0)
        call = ("# long texts are read in overlapping windows of the model's length, `stride` tokens apart\n"
                f"entities = ner(TEXT, stride=min({stride}, ner.tokenizer.model_max_length // 2))" if stride else
                "entities = ner(TEXT)")
        show = ('for e in entities:  # character offsets into TEXT\n'
                '    print(e["entity_group"], round(float(e["score"]), 4), e["start"], e["end"], '
                'TEXT[e["start"]:e["end"]])')
    else:
        what, name = "Classify a text", "classifier"
        make = (f'{name} = pipeline({literal(use.pipeline_task)}, model=CHECKPOINT, revision=REVISION, '
                'device=device, dtype=dtype)')
        call = ("# every label's probability, highest first; a text longer than the model reads is cut to fit\n"
                f"scores = {name}(TEXT, top_k=None, truncation=True)")
        show = 'for s in scores:\n    print(f"{s[\'label\']}: {s[\'score\']:.4f}")'
    return f"""{header('"transformers>=5" torch', spec, what)}
import torch
from transformers import pipeline

{checkpoint_lines(spec)}
TEXT = {text_literal(settings, "text")}

{DEVICE_LINES}
{make}
{cpu_int8_lines(name + ".model")}
{call}
{show}
"""
