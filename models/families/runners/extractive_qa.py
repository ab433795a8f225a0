"""The ``extractive-qa`` runner: question + context -> the best spans of the context.

transformers 5 removed the question-answering pipeline, so the decoding lives here, as that pipeline did it
(transformers 4.57) unless said otherwise:
- the context is split into overlapping windows (``window_tokens``, ``stride_tokens``) so that no part
  of a long context is cut off;
- per window, start and end probabilities are a softmax over the context tokens plus the [CLS] slot;
- a span scores p(start) * p(end), with end >= start and at most ``max_answer_tokens`` long (15, as the
  pipeline's ``max_answer_len``);
- token offsets map a span back to characters, widened to whole words (the pipeline's ``align_to_words``),
  so an answer never starts or ends inside a word; the widening stops at punctuation and at characters of a
  script without spaces (Chinese, Japanese, Thai: there a tokenizer's "word" can be a whole clause, and the
  tokens' own characters are kept);
- ``top_k`` answers, best first: candidates of every window are ranked by score, and equal answers (the
  same text, e.g. one span seen by two overlapping windows, or two token spans that widen to the same
  words) are merged into one, keeping the highest score and its position (the pipeline listed them twice);
- ``allow_no_answer``: "no answer" wins when the [CLS] score (its lowest over the windows) beats the best
  span (SQuAD 2.0 models are trained to point there when the context holds no answer).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from models.runtime.errors import InputError
from models.families.results import Answer, AnswerSpan
from models.families.runners.base import BaseRunner
from models.text.scripts import NO_SPACE

WINDOWS_PER_FORWARD = 32
MAX_TOP_K = 10
CANDIDATES_PER_ANSWER = 4  # token spans looked at per answer wanted: several may widen to the same words


@dataclass(frozen=True)
class SpanCandidate:
    window: int
    start_token: int
    end_token: int
    score: float


def top_spans_in_window(start_logits: np.ndarray, end_logits: np.ndarray, context_mask: np.ndarray,
                        cls_index: int, max_answer_tokens: int, count: int) -> tuple[list[tuple[int, int, float]], float]:
    """([(start_token, end_token, span probability)] best first, at most ``count``; no-answer probability)."""
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
    flat = scores.ravel()
    count = min(count, flat.size)
    best = np.argpartition(-flat, count - 1)[:count]
    best = best[np.argsort(-flat[best], kind="stable")]
    spans = [(int(i // scores.shape[1]), int(i % scores.shape[1]), float(flat[i])) for i in best]
    return [span for n, span in enumerate(spans) if n == 0 or span[2] > 0], null_score


def best_span_in_window(start_logits: np.ndarray, end_logits: np.ndarray, context_mask: np.ndarray,
                        cls_index: int, max_answer_tokens: int) -> tuple[int, int, float, float]:
    """(start_token, end_token, span probability, no-answer probability) for one window."""
    (span, *_), null_score = top_spans_in_window(start_logits, end_logits, context_mask, cls_index,
                                                 max_answer_tokens, 1)
    return span[0], span[1], span[2], null_score


def word_character(ch: str) -> bool:
    """A letter, digit or combining mark of a script that separates words with spaces."""
    return (ch.isalnum() or unicodedata.category(ch).startswith("M")) and not NO_SPACE.match(ch)


def widen_to_words(context: str, start: int, end: int, word_start: int, word_end: int) -> tuple[int, int]:
    """The character span [start, end) grown to whole words: each edge that falls between two word characters
    moves outwards, within the tokenizer's word around it ([word_start, word_end)). It stops at punctuation
    (XLM-R's "words" run up to the next space: "Paris." stays "Paris") and never takes in characters of a
    script without spaces. Surrounding whitespace is trimmed."""
    def inside(i: int) -> bool:
        return 0 < i < len(context) and word_character(context[i - 1]) and word_character(context[i])

    while start > word_start and inside(start):
        start -= 1
    while end < word_end and inside(end):
        end += 1
    while start < end and context[start].isspace():
        start += 1
    while end > start and context[end - 1].isspace():
        end -= 1
    return start, end


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
        """Answers for (question, context) pairs; the windows of all pairs run in shared forward passes.

        Parameters (entry defaults, overridable per call): ``max_answer_tokens`` (15), ``top_k`` (1: the
        best answer; more: the next ones as ``Answer.alternatives``), ``align_to_words`` (True),
        ``allow_no_answer``, ``window_tokens``, ``stride_tokens``."""
        params = {**self.params, **overrides}
        top_k = int(params.get("top_k", 1))
        if not 1 <= top_k <= MAX_TOP_K:
            raise InputError(f"top_k must be between 1 and {MAX_TOP_K}, not {top_k}")
        longest_question = max(self._question_tokens(question) for question, _ in pairs)
        stride = max(0, min(int(params.get("stride_tokens", 128)), (self.window - longest_question - 4) // 2))
        encoding = self._windows(pairs, stride)
        offsets = encoding.pop("offset_mapping")
        window_owner = encoding.pop("overflow_to_sample_mapping")
        start_logits, end_logits = self._logits(encoding)
        windows_of = [[] for _ in pairs]
        for window, owner in enumerate(window_owner):
            windows_of[owner].append(window)
        return [self._answers(context, windows_of[i], encoding, offsets, start_logits, end_logits, params, top_k)
                for i, (_, context) in enumerate(pairs)]

    def _answers(self, context, windows, encoding, offsets, start_logits, end_logits, params, top_k) -> Answer:
        context_index = 1 if self.question_first else 0
        candidates: list[SpanCandidate] = []
        null_score = 1.0
        for w in windows:
            context_mask = np.array([sid == context_index for sid in encoding.sequence_ids(w)])
            input_ids = encoding["input_ids"][w]
            cls_index = input_ids.index(self.tokenizer.cls_token_id) if self.tokenizer.cls_token_id in input_ids else 0
            width = len(context_mask)
            spans, window_null = top_spans_in_window(
                start_logits[w][:width], end_logits[w][:width], context_mask, cls_index,
                int(params.get("max_answer_tokens", 15)), top_k * CANDIDATES_PER_ANSWER)
            null_score = min(null_score, window_null)
            candidates += [SpanCandidate(w, start, end, score) for start, end, score in spans]
        candidates.sort(key=lambda c: -c.score)
        answers: dict[str, AnswerSpan] = {}  # by text: equal answers merged, the best score and place kept
        for candidate in candidates:
            span = self._char_span(context, candidate, encoding, offsets, context_index, params)
            if span.text and span.text not in answers:
                answers[span.text] = span
                if len(answers) == top_k:
                    break
        ranked = list(answers.values())
        if not ranked or (params.get("allow_no_answer") and null_score > ranked[0].score):
            return Answer("", 0, 0, null_score, no_answer=True, windows=len(windows),
                          alternatives=tuple(ranked[:top_k - 1]))
        best = ranked[0]
        return Answer(best.text, best.start, best.end, best.score, no_answer=False, windows=len(windows),
                      alternatives=tuple(ranked[1:]))

    def _char_span(self, context, candidate, encoding, offsets, context_index, params) -> AnswerSpan:
        w = candidate.window
        start, end = int(offsets[w][candidate.start_token][0]), int(offsets[w][candidate.end_token][1])
        word_start, word_end = start, end
        if params.get("align_to_words", True):
            first = encoding.token_to_word(w, candidate.start_token)
            last = encoding.token_to_word(w, candidate.end_token)
            first_chars = encoding.word_to_chars(w, first, sequence_index=context_index) if first is not None else None
            last_chars = encoding.word_to_chars(w, last, sequence_index=context_index) if last is not None else None
            if first_chars is not None and last_chars is not None:
                word_start, word_end = first_chars.start, last_chars.end
        start, end = widen_to_words(context, start, end, word_start, word_end)
        return AnswerSpan(context[start:end], start, end, candidate.score)

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
SNIPPET_REVIEWED = {"models/families/runners/extractive_qa.py": "9a7d4d8010bca275"}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import (DEVICE_LINES, checkpoint_lines, cpu_int8_lines, header, literal, merged,
                                      text_literal)

    params = merged(spec, settings)
    window, stride = int(params.get("window_tokens", 384)), int(params.get("stride_tokens", 128))
    no_answer = ""
    if params.get("allow_no_answer"):
        no_answer = ('\nif null > best[0]:  # the model points at the start token when the context holds no answer\n'
                     '    answer = "(no answer)"')
    return f"""{header('"transformers>=5" torch', spec, "Answer a question from a context")}
import re
import unicodedata

import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

{checkpoint_lines(spec)}
CONTEXT = {text_literal(settings, "context")}
QUESTION = {text_literal(settings, "question")}
MAX_ANSWER_TOKENS = {int(params.get("max_answer_tokens", 15))}
# scripts written without spaces (Chinese, Japanese, Thai): there an answer is not widened to whole "words"
NO_SPACE = re.compile({literal(NO_SPACE.pattern)})

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


def whole_words(w, start, end):  # tokens start..end of window w as characters, widened to whole words
    def inside(i):  # between two letters/digits of a script with spaces
        return 0 < i < len(CONTEXT) and all((ch.isalnum() or unicodedata.category(ch).startswith("M"))
                                            and not NO_SPACE.match(ch) for ch in CONTEXT[i - 1:i + 1])

    first, last = int(offsets[w][start][0]), int(offsets[w][end][1])
    word_start = inputs.word_to_chars(w, inputs.token_to_word(w, start), sequence_index=1).start
    word_end = inputs.word_to_chars(w, inputs.token_to_word(w, end), sequence_index=1).end
    while first > word_start and inside(first):
        first -= 1
    while last < word_end and inside(last):
        last += 1
    while first < last and CONTEXT[first].isspace():
        first += 1
    while last > first and CONTEXT[last - 1].isspace():
        last -= 1
    return first, last


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
        best = (float(score), *whole_words(w, start, end))
answer = CONTEXT[best[1]:best[2]]{no_answer}
print(f"{{answer!r}} (score {{best[0]:.3f}}, characters {{best[1]}}-{{best[2]}})")
"""
