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

WINDOWS_PER_FORWARD = 32


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
            source.path, dtype=placement.torch_dtype, **kwargs).to(placement.device), quantizable=True)
        self.window = min(int(self.params.get("window_tokens", 384)), self.tokenizer.model_max_length)
        self.question_first = self.tokenizer.padding_side == "right"

    def __call__(self, pairs: list[tuple[str, str]], **overrides) -> list[Answer]:
        """Answers for (question, context) pairs; the windows of all pairs run in shared forward passes."""
        params = {**self.params, **overrides}
        longest_question = max(self._question_tokens(question) for question, _ in pairs)
        stride = max(0, min(int(params.get("stride_tokens", 128)), (self.window - longest_question - 4) // 2))
        encoding = self._windows(pairs, stride)
        offsets = encoding.pop("offset_mapping")
        window_owner = encoding.pop("overflow_to_sample_mapping")
        start_logits, end_logits = self._logits(encoding)
        windows_of = [[] for _ in pairs]
        for window, owner in enumerate(window_owner):
            windows_of[owner].append(window)
        return [self._best_answer(context, windows_of[i], encoding, offsets, start_logits, end_logits, params)
                for i, (_, context) in enumerate(pairs)]

    def _best_answer(self, context, windows, encoding, offsets, start_logits, end_logits, params) -> Answer:
        context_index = 1 if self.question_first else 0
        best: SpanCandidate | None = None
        null_score = 1.0
        for w in windows:
            context_mask = np.array([sid == context_index for sid in encoding.sequence_ids(w)])
            input_ids = encoding["input_ids"][w]
            cls_index = input_ids.index(self.tokenizer.cls_token_id) if self.tokenizer.cls_token_id in input_ids else 0
            width = len(context_mask)
            start, end, score, window_null = best_span_in_window(
                start_logits[w][:width], end_logits[w][:width], context_mask, cls_index,
                int(params.get("max_answer_tokens", 30)))
            null_score = min(null_score, window_null)
            if best is None or score > best.score:
                best = SpanCandidate(w, start, end, score, window_null)
        if best is None or (params.get("allow_no_answer") and null_score > best.score):
            return Answer("", 0, 0, null_score, no_answer=True, windows=len(windows))
        char_start = int(offsets[best.window][best.start_token][0])
        char_end = int(offsets[best.window][best.end_token][1])
        return Answer(context[char_start:char_end], char_start, char_end, best.score, no_answer=False,
                      windows=len(windows))

    def _question_tokens(self, question: str) -> int:
        count = len(self.tokenizer(question, add_special_tokens=False)["input_ids"])
        if self.window - count - 4 < 16:  # [CLS] q [SEP] c [SEP] (two </s> for RoBERTa), and room for context
            raise InputError(f"the question is too long ({count} tokens); keep it under {self.window // 2} tokens")
        return count

    def _windows(self, pairs: list[tuple[str, str]], stride: int):
        questions = [question for question, _ in pairs]
        contexts = [context for _, context in pairs]
        first, second = (questions, contexts) if self.question_first else (contexts, questions)
        return self.tokenizer(
            first, second, truncation="only_second" if self.question_first else "only_first",
            max_length=self.window, stride=stride, return_overflowing_tokens=True,
            return_offsets_mapping=True, padding="longest")

    def _logits(self, encoding) -> tuple[np.ndarray, np.ndarray]:
        """Start and end logits of every window, in forward passes of up to WINDOWS_PER_FORWARD windows,
        each trimmed to its own longest window (the batcher sorts inputs by length, so little is padded)."""
        import torch

        names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in encoding]
        if getattr(self.model.config, "type_vocab_size", 2) < 2 and "token_type_ids" in names:
            names.remove("token_type_ids")
        count, width = len(encoding["input_ids"]), len(encoding["input_ids"][0])
        starts = np.full((count, width), -1e4, dtype=np.float32)
        ends = np.full((count, width), -1e4, dtype=np.float32)
        lengths = [sum(mask) for mask in encoding["attention_mask"]]
        with torch.inference_mode():
            for i in range(0, count, WINDOWS_PER_FORWARD):
                chunk = slice(i, i + WINDOWS_PER_FORWARD)
                used = max(lengths[chunk])
                batch = {n: torch.tensor([row[:used] for row in encoding[n][chunk]], device=self.placement.device)
                         for n in names}
                output = self.model(**batch)
                starts[chunk, :used] = output.start_logits.float().cpu().numpy()
                ends[chunk, :used] = output.end_logits.float().cpu().numpy()
        return starts, ends


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {"models/runners/extractive_qa.py": "3c7dd504d6a7dad2"}


def code_snippet(spec, settings: dict) -> str:
    from models.code_snippets import DEVICE_LINES, checkpoint_lines, cpu_int8_lines, header, merged, text_literal

    params = merged(spec, settings)
    window, stride = int(params.get("window_tokens", 384)), int(params.get("stride_tokens", 128))
    no_answer = ""
    if params.get("allow_no_answer"):
        no_answer = ('\nif null > best[0]:  # the model points at the start token when the context holds no answer\n'
                     '    answer = "(no answer)"')
    return f"""{header('"transformers>=5" torch', spec, "Answer a question from a context")}
import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

{checkpoint_lines(spec)}
CONTEXT = {text_literal(settings, "context")}
QUESTION = {text_literal(settings, "question")}
MAX_ANSWER_TOKENS = {int(params.get("max_answer_tokens", 30))}

{DEVICE_LINES}
tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT, revision=REVISION)
model = AutoModelForQuestionAnswering.from_pretrained(CHECKPOINT, revision=REVISION, dtype=dtype).to(device).eval()
{cpu_int8_lines("model")}

# a long context is read in overlapping windows; offsets map tokens back to characters of CONTEXT
inputs = tokenizer(QUESTION, CONTEXT, truncation="only_second", max_length=min({window}, tokenizer.model_max_length),
                   stride={stride}, return_overflowing_tokens=True, return_offsets_mapping=True, padding="longest",
                   return_tensors="pt")
offsets = inputs.pop("offset_mapping")
inputs.pop("overflow_to_sample_mapping")
with torch.inference_mode():
    output = model(**inputs.to(device))

best, null = (0.0, 0, 0), 1.0  # (probability, start char, end char); probability of "no answer"
for w in range(len(offsets)):
    in_context = torch.tensor([s == 1 for s in inputs.sequence_ids(w)])
    allowed = in_context.clone()
    allowed[0] = True  # the start token stands for "no answer"
    p_start = output.start_logits[w].float().cpu().masked_fill(~allowed, float("-inf")).softmax(-1)
    p_end = output.end_logits[w].float().cpu().masked_fill(~allowed, float("-inf")).softmax(-1)
    null = min(null, float(p_start[0] * p_end[0]))
    # a span scores p(start) * p(end), with end >= start and at most MAX_ANSWER_TOKENS long
    scores = torch.outer(p_start * in_context, p_end * in_context).triu().tril(MAX_ANSWER_TOKENS - 1)
    score, flat = scores.flatten().max(0)
    start, end = divmod(int(flat), scores.shape[1])
    if float(score) > best[0]:
        best = (float(score), int(offsets[w][start][0]), int(offsets[w][end][1]))
answer = CONTEXT[best[1]:best[2]]{no_answer}
print(f"{{answer!r}} (score {{best[0]:.3f}}, characters {{best[1]}}-{{best[2]}})")
"""
