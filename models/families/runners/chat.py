"""The ``chat`` runner: a decoder-only chat model, prompted through its own chat template, streaming.

Input is a conversation: a list of ``{"role": "system"|"user"|"assistant", "content": str}`` messages. The
prompt is always ``tokenizer.apply_chat_template(..., add_generation_prompt=True)``, never a hand-made
format. When a conversation no longer fits the model window (prompt + ``max_new_tokens``), the oldest turns
after the system message are dropped first. Per-call parameters: ``max_new_tokens``, ``temperature``
(0 means greedy), ``top_p``, ``repetition_penalty``; the checkpoint's generation_config supplies the rest,
its end-of-turn tokens included.
"""

from __future__ import annotations

import threading
import weakref
from typing import Iterator

from models.runtime.errors import InputError
from models.families.runners.base import BaseRunner
from models.families.runners.streaming import generate_once, generation_kwargs, stream_generate

MAX_NEW_TOKENS = 4096
DEFAULT_WINDOW = 8192  # what the app lets a conversation use, even where the model reads more

# One copy of a chat model's weights per process: the same checkpoint serves the chat, summarization and
# translation tabs as three registry entries (their prompts and defaults differ), and loading it three times
# would triple its memory. Held weakly: the weights go when the last runner using them is evicted.
_SHARED_MODELS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()


def shared_causal_lm(source, placement):
    """The causal LM at ``source`` on ``placement``, loaded once however many runners use it."""
    from transformers import AutoModelForCausalLM

    key = (source.path, source.revision, source.gguf_file, placement.device, placement.dtype)
    with _SHARED_LOCK:
        model = _SHARED_MODELS.get(key)
        if model is None:
            model = AutoModelForCausalLM.from_pretrained(
                source.path, dtype=placement.torch_dtype, **source.pretrained_kwargs()).to(placement.device).eval()
            _SHARED_MODELS[key] = model
        return model


class ChatRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import AutoTokenizer

        kwargs = source.pretrained_kwargs()
        self.tokenizer = AutoTokenizer.from_pretrained(source.path, **kwargs)
        if not self.tokenizer.chat_template:
            raise ValueError(f"{source.path} has no chat template, so it cannot serve as a chat model")
        self.tokenizer.padding_side = "left"  # batched generation continues each prompt at its end
        self.model = shared_causal_lm(source, placement)
        positions = getattr(self.model.config, "max_position_embeddings", None) or DEFAULT_WINDOW
        self.window = min(positions, int(self.params.get("window_tokens", DEFAULT_WINDOW)))
        self._markup: int | None = None  # template tokens around one message (see _markup_tokens)

    # --- what the task layer needs -----------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def render(self, messages: list[dict]) -> str:
        """The prompt text the model sees for a conversation (its chat template, generation prompt added)."""
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def fit(self, messages: list[dict], max_new_tokens: int) -> list[dict]:
        """The conversation without its oldest turns, as far as needed to leave room for the answer.

        Linear in the conversation's length: every message's text is tokenized once (one batched tokenizer
        call), each message costs its tokens plus the template's markup, and the oldest whole exchanges are
        dropped by those counts. Only the kept part, which is about one window long, is then rendered and
        counted exactly; if the estimate was short, more exchanges go, counted from the exact figure.
        (Re-rendering the whole conversation per dropped exchange cost time that grew with the square of its
        length: 3,000 tiny messages took 28 s, under the shared model gate.)
        """
        budget = self.window - max_new_tokens
        if budget < 16:
            raise InputError(f"max_new_tokens={max_new_tokens} leaves no room for the prompt in this model's "
                             f"{self.window}-token window; ask for fewer new tokens")
        system = [m for m in messages[:1] if m["role"] == "system"]
        turns = messages[len(system):]
        costs = self._message_costs(turns)
        start, estimate = 0, (self._prompt_tokens(system) if system else 0) + sum(costs)
        while True:
            if estimate <= budget:
                exact = self._prompt_tokens(system + turns[start:])  # about one window long, never more
                if exact <= budget:
                    return system + turns[start:]
                estimate = exact  # the counts were short (tokens merged across messages): go on from the exact one
            if len(turns) - start <= 2:
                break
            estimate -= costs[start] + costs[start + 1]  # drop the oldest user/assistant exchange
            start += 2
        raise InputError(f"the message is too long for this model: keep it under about {budget} tokens "
                         f"(the window is {self.window}, of which {max_new_tokens} are kept for the answer)")

    def _prompt_tokens(self, messages: list[dict]) -> int:
        return len(self.tokenizer(self.render(messages), add_special_tokens=False)["input_ids"])

    def _message_costs(self, messages: list[dict]) -> list[int]:
        """Tokens each message adds to the prompt (its text, counted in one batched call, plus markup)."""
        if not messages:
            return []
        counted = self.tokenizer([m["content"] for m in messages], add_special_tokens=False)["input_ids"]
        return [len(ids) + self._markup_tokens() for ids in counted]

    def _markup_tokens(self) -> int:
        """The chat template's tokens around one message (role header, end of turn), measured once."""
        if self._markup is None:
            system = [{"role": "system", "content": "x"}]
            probe = [*system, {"role": "user", "content": "x"}, {"role": "assistant", "content": "x"}]
            added = self._prompt_tokens(probe) - self._prompt_tokens(system) - 2 * self.count_tokens("x")
            self._markup = max(0, -(-added // 2))
        return self._markup

    def __call__(self, conversations: list[list[dict]], stop: threading.Event | None = None,
                 **overrides) -> list[str]:
        """Answer a batch of conversations at once; returns the answers."""
        params = {**self.params, **overrides}
        kwargs = self._generate_kwargs(params)
        prompts = [self.render(self.fit(messages, kwargs["max_new_tokens"])) for messages in conversations]
        inputs = self._tensors(self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False))
        output = generate_once(self.model, inputs, kwargs, stop)
        answers = output[:, inputs["input_ids"].shape[1]:]
        return [text.strip() for text in self.tokenizer.batch_decode(answers, skip_special_tokens=True)]

    def stream(self, messages: list[dict], stop: threading.Event | None = None, **overrides) -> Iterator[str]:
        """The answer to one conversation, growing token by token."""
        params = {**self.params, **overrides}
        kwargs = self._generate_kwargs(params)
        inputs = self.tokenizer.apply_chat_template(self.fit(messages, kwargs["max_new_tokens"]),
                                                    add_generation_prompt=True, return_tensors="pt",
                                                    return_dict=True)
        yield from stream_generate(self.model, self.tokenizer, self._tensors(inputs), kwargs, stop,
                                   skip_prompt=True)

    # --- internals ---------------------------------------------------------------------------------
    def _tensors(self, encoded) -> dict:
        return {name: encoded[name].to(self.placement.device) for name in ("input_ids", "attention_mask")}

    def _generate_kwargs(self, params: dict) -> dict:
        kwargs = generation_kwargs(params, ("max_new_tokens", "min_new_tokens", "temperature", "top_p",
                                           "repetition_penalty"))
        new_tokens = int(kwargs.get("max_new_tokens", 512))
        if not 1 <= new_tokens <= MAX_NEW_TOKENS:
            raise InputError(f"max_new_tokens must be between 1 and {MAX_NEW_TOKENS}, not {new_tokens}")
        kwargs["max_new_tokens"] = new_tokens
        temperature = float(kwargs.get("temperature", 0.7))
        if temperature <= 0:  # greedy: switch sampling off and leave the sampling knobs unset
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        else:
            kwargs.update(do_sample=True, temperature=temperature)
        kwargs["pad_token_id"] = self.tokenizer.pad_token_id
        return kwargs


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {
    "models/families/runners/chat.py": "d960a2aa84b72710",
    "models/families/runners/streaming.py": "2d76dc5629491148",
    "models/text/generation_tasks.py": "1ba99bf5bb845db6",
    "models/text/text_split.py": "df673a70cadc4673",
}


def _snippet_sampling(params: dict) -> list[str]:
    temperature = float(params.get("temperature", 0.7))
    if temperature <= 0:
        return ["do_sample=False"]  # greedy: the most likely token each time, the same answer every run
    top_p = [f"top_p={float(params['top_p'])!r}"] if params.get("top_p") is not None else []
    return ["do_sample=True", f"temperature={temperature!r}", *top_p]  # sampling: each run differs


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import (DEVICE_LINES, call, checkpoint_lines, header, literal, load_kwargs, merged,
                                      sentence_lines, text_literal)
    from models.text.text_split import sentence_joiner, sentence_language

    params = merged(spec, settings)
    max_new = int(params.get("max_new_tokens", 512))
    sampling = _snippet_sampling(params)
    def top(inputs: str) -> str:  # (no str.format here: the inputs may hold braces)
        return f"""import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

{checkpoint_lines(spec)}
{inputs}
{DEVICE_LINES}
tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT, {load_kwargs(spec)})
model = AutoModelForCausalLM.from_pretrained(CHECKPOINT, {load_kwargs(spec)}, dtype=dtype).to(device).eval()
"""
    ask = f"""

def ask(messages, max_new_tokens):
    # the model's own chat template turns the messages into its prompt format
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                           return_dict=True).to(device)
    with torch.inference_mode():
{call("output = model.generate", ["**inputs", "max_new_tokens=max_new_tokens", *sampling], indent="        ")}
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
"""
    if use.mode == "summarize":  # the task's instruction, for a summary of at most max_new tokens
        inputs = f"TEXT = {text_literal(settings, 'text')}\nINSTRUCTION = {literal(use.instruction('', max_new))}\n"
        return header('"transformers>=5" torch', spec, "Summarize a text with a chat model") + "\n" + \
            top(inputs) + ask + f"""

summary = ask([{{"role": "user", "content": INSTRUCTION + TEXT}}], max_new_tokens={max_new})
print(summary)
"""
    if use.mode == "translate":  # the task's instruction, from the source language (None: any) to the target
        source, target = settings.get("source"), settings.get("target", "en")
        inputs = (f"TEXT = {text_literal(settings, 'text')}\n"
                  f"INSTRUCTION = {literal(use.instruction('', source, target))}\n")
        return header('"transformers>=5" sentencex torch', spec, "Translate a text with a chat model") + \
            "\nfrom sentencex import segment\n" + top(inputs) + ask + f"""

# sentence by sentence (the demo sends 8 sentences per batch); the line breaks of TEXT are kept
{sentence_lines(sentence_language(source, settings.get("text") or ""))}

def translate(sentence):  # a model that never stops cannot run on: at most 3x the sentence's tokens + 16
    budget = min({max_new}, 3 * len(tokenizer(sentence, add_special_tokens=False)["input_ids"]) + 16)
    return ask([{{"role": "user", "content": INSTRUCTION + sentence}}], max_new_tokens=budget).strip()


translation = "\\n".join({literal(sentence_joiner(target))}.join(translate(s) for s in sentences_of(line))
                        for line in TEXT.split("\\n"))
print(translation)
"""
    messages = list(settings.get("messages") or [])
    inputs = "MESSAGES = [\n" + "".join(f"    {literal(m)},\n" for m in messages) + "]\n"
    return header('"transformers>=5" torch', spec, "Chat") + "\n" + top(inputs) + ask + f"""

# (the demo drops the oldest turns when the conversation outgrows the model's window)
answer = ask(MESSAGES, max_new_tokens={max_new})
print(answer)
"""
