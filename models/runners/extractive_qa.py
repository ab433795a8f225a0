"""The ``extractive-qa`` runner: question + context -> the best span of the context.

transformers 5 removed the question-answering pipeline, so the decoding lives here:
- the context is split into overlapping windows (``window_tokens``, ``stride_tokens``) so that no part
  of a long context is cut off;
- per window, start and end probabilities are a softmax over the context tokens plus the [CLS] slot;
- a span scores p(start) * p(end), with end >= start and at most ``max_answer_tokens`` long;
- the best span over all windows wins, unless ``allow_no_answer`` and the [CLS] ("no answer") score
  is higher (SQuAD 2.0 models are trained to point there when the context holds no answer);
- token offsets map the span back to characters, so the answer is always ``context[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.errors import InputError
from models.results import Answer
from models.runners.base import BaseRunner

WINDOWS_PER_FORWARD = 16


@dataclass(frozen=True)
class SpanCandidate:
    window: int
    start_token: int
    end_token: int
    score: float
    null_score: float


def best_span_in_window(start_logits: np.ndarray, end_logits: np.ndarray, context_mask: np.ndarray,
                        cls_index: int, max_answer_tokens: int) -> tuple[int, int, float, float]:
    """(start_token, end_token, span probability, no-answer probability) for one window."""
    allowed = context_mask.copy()
    allowed[cls_index] = True

    def softmax(logits):
        logits = np.where(allowed, logits.astype(np.float64), -np.inf)
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()

    p_start, p_end = softmax(start_logits), softmax(end_logits)
    null_score = float(p_start[cls_index] * p_end[cls_index])
    p_start = np.where(context_mask, p_start, 0.0)
    p_end = np.where(context_mask, p_end, 0.0)
    scores = np.outer(p_start, p_end)
    scores = np.tril(np.triu(scores), max_answer_tokens - 1)  # end >= start, length <= max_answer_tokens
    start, end = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(start), int(end), float(scores[start, end]), null_score


class ExtractiveQARunner(BaseRunner):
    warm_up_input = ("What is this?", "This is a warm-up.")

    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import AutoModelForQuestionAnswering, AutoTokenizer

        kwargs = source.pretrained_kwargs()
        self.tokenizer = AutoTokenizer.from_pretrained(source.path, **kwargs)
        self.model = self.prepare(AutoModelForQuestionAnswering.from_pretrained(
            source.path, dtype=placement.torch_dtype, **kwargs).to(placement.device))
        self.window = min(int(self.params.get("window_tokens", 384)), self.tokenizer.model_max_length)
        self.question_first = self.tokenizer.padding_side == "right"

    def __call__(self, pairs: list[tuple[str, str]], **overrides) -> list[Answer]:
        params = {**self.params, **overrides}
        return [self.answer(question, context, params) for question, context in pairs]

    def answer(self, question: str, context: str, params: dict) -> Answer:
        encoding = self._windows(question, context, int(params.get("stride_tokens", 128)))
        offsets = encoding.pop("offset_mapping")
        encoding.pop("overflow_to_sample_mapping", None)
        start_logits, end_logits = self._logits(encoding)
        context_index = 1 if self.question_first else 0
        best: SpanCandidate | None = None
        null_score = 1.0
        for w in range(len(offsets)):
            sequence_ids = encoding.sequence_ids(w)
            context_mask = np.array([sid == context_index for sid in sequence_ids])
            input_ids = encoding["input_ids"][w]
            cls_index = input_ids.index(self.tokenizer.cls_token_id) if self.tokenizer.cls_token_id in input_ids else 0
            start, end, score, window_null = best_span_in_window(
                start_logits[w], end_logits[w], context_mask, cls_index, int(params.get("max_answer_tokens", 30)))
            null_score = min(null_score, window_null)
            if best is None or score > best.score:
                best = SpanCandidate(w, start, end, score, window_null)
        windows = len(offsets)
        if best is None or (params.get("allow_no_answer") and null_score > best.score):
            return Answer("", 0, 0, null_score, no_answer=True, windows=windows)
        char_start = int(offsets[best.window][best.start_token][0])
        char_end = int(offsets[best.window][best.end_token][1])
        return Answer(context[char_start:char_end], char_start, char_end, best.score, no_answer=False,
                      windows=windows)

    def _windows(self, question: str, context: str, stride: int):
        question_tokens = len(self.tokenizer(question, add_special_tokens=False)["input_ids"])
        room = self.window - question_tokens - 4  # [CLS] q [SEP] c [SEP] (two </s> for RoBERTa)
        if room < 16:
            raise InputError(f"the question is too long ({question_tokens} tokens); "
                             f"keep it under {self.window // 2} tokens")
        stride = max(0, min(stride, room // 2))
        first, second = (question, context) if self.question_first else (context, question)
        return self.tokenizer(
            first, second, truncation="only_second" if self.question_first else "only_first",
            max_length=self.window, stride=stride, return_overflowing_tokens=True,
            return_offsets_mapping=True, padding="longest")

    def _logits(self, encoding) -> tuple[np.ndarray, np.ndarray]:
        import torch

        names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in encoding]
        starts, ends = [], []
        with torch.inference_mode():
            for i in range(0, len(encoding["input_ids"]), WINDOWS_PER_FORWARD):
                batch = {n: torch.tensor(encoding[n][i:i + WINDOWS_PER_FORWARD], device=self.placement.device)
                         for n in names}
                if "token_type_ids" in batch and getattr(self.model.config, "type_vocab_size", 2) < 2:
                    batch.pop("token_type_ids")
                output = self.model(**batch)
                starts.append(output.start_logits.float().cpu().numpy())
                ends.append(output.end_logits.float().cpu().numpy())
        return np.concatenate(starts), np.concatenate(ends)
