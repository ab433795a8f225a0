"""Streaming generation: token ids collected without decoding in the generate loop, read at a steady pace."""

import threading
import time
from types import SimpleNamespace

import torch

from models.families.runners import streaming


class FakeTokenizer:
    def __init__(self, on_decode=lambda: None):
        self.decodes, self.on_decode = 0, on_decode

    def decode(self, ids, skip_special_tokens=True):
        self.decodes += 1
        self.on_decode()
        return "".join(chr(ord("a") + i % 26) for i in ids)


class Pacer:
    """Decides how many tokens a FakeModel may generate: the test hands out tokens, the model takes one per
    step and waits (checking its stopping criteria) while it has none."""

    def __init__(self, tokens: int = 0):
        self._cv = threading.Condition()
        self._allowed, self._granted, self.produced, self.ended = tokens, tokens, 0, False

    def allow(self, tokens: int) -> None:
        with self._cv:
            self._allowed += tokens
            self._granted += tokens
            self._cv.notify_all()

    def allow_and_wait(self, tokens: int) -> None:
        """Hand out ``tokens`` more and wait until every token handed out is generated (or generation ended)."""
        self.allow(tokens)
        with self._cv:
            assert self._cv.wait_for(lambda: self.produced >= self._granted or self.ended, timeout=60)

    def take(self, stopped) -> bool:
        """Wait for a token to generate; False if generation was stopped meanwhile."""
        with self._cv:
            while not self._allowed:
                if stopped():
                    return False
                self._cv.wait(0.01)  # stopping criteria cannot notify: look at them again soon
            self._allowed -= 1
            return True

    def generated(self, ended: bool = False) -> None:
        with self._cv:
            self.produced += not ended
            self.ended = ended
            self._cv.notify_all()


class FakeModel:
    """Generates ``tokens`` ids one by one, like generate(): streamer.put per step, stopping criteria checked.
    With a ``pacer`` each token waits for the pacer's permission; without one, a token comes every 2 ms."""

    def __init__(self, tokens=60, pacer: Pacer | None = None):
        self.tokens, self.pacer = tokens, pacer

    def generate(self, input_ids, streamer, stopping_criteria, **_):
        streamer.put(input_ids)  # the prompt comes first
        ids = input_ids
        for i in range(self.tokens):
            if self.pacer is None:
                time.sleep(0.002)
            elif not self.pacer.take(lambda: bool(stopping_criteria(ids, None).all())):
                break
            ids = torch.cat([ids, torch.tensor([[i]])], dim=1)
            streamer.put(torch.tensor([i]))
            if self.pacer is not None:
                self.pacer.generated()
            if stopping_criteria(ids, None).all():
                break
        streamer.end()
        if self.pacer is not None:
            self.pacer.generated(ended=True)
        return ids


def generate_stream(model, tokenizer, stop=None, interval=0.0):
    return streaming.stream_generate(model, tokenizer, {"input_ids": torch.tensor([[7, 8]])}, {}, stop,
                                     skip_prompt=True, interval=interval)


def test_reading_at_a_pace_coalesces_tokens_and_loses_none(monkeypatch):
    """Between two reads the reader sleeps ``interval``; here each of those sleeps lets the model generate
    ten tokens, so every read after the first coalesces ten, and the last one has all sixty."""
    pacer, slept = Pacer(tokens=1), []

    def sleep(seconds):
        slept.append(seconds)
        pacer.allow_and_wait(10)

    monkeypatch.setattr(streaming, "time", SimpleNamespace(sleep=sleep))
    tokenizer = FakeTokenizer()
    texts = list(generate_stream(FakeModel(60, pacer), tokenizer, interval=0.03))
    assert texts[-1] == FakeTokenizer().decode(list(range(60)))  # the prompt was skipped, every token is there
    assert [len(text) for text in texts] == [1, 11, 21, 31, 41, 51, 60]
    assert tokenizer.decodes <= len(texts) + 1 and set(slept) == {0.03}
    assert all(b.startswith(a) and len(b) > len(a) for a, b in zip(texts, texts[1:]))


def test_reading_every_token_shows_steady_growth():
    pacer = Pacer(tokens=1)
    texts = list(generate_stream(FakeModel(20, pacer), FakeTokenizer(on_decode=lambda: pacer.allow(1))))
    assert [len(text) for text in texts] == list(range(1, 21))  # each read found exactly one new token
    assert texts[-1] == FakeTokenizer().decode(list(range(20)))


def test_a_stop_flag_ends_generation_early_and_the_worker_exits():
    """The model generates a token per read, so it is at most one token ahead when the flag is set; it then
    stops at its next check, out of 10,000 tokens."""
    stop, pacer = threading.Event(), Pacer(tokens=1)
    seen = []
    for text in generate_stream(FakeModel(10_000, pacer), FakeTokenizer(on_decode=lambda: pacer.allow(1)), stop):
        seen.append(text)
        if len(seen) == 3:
            stop.set()
    assert len(seen[-1]) <= 5
    assert not [t for t in threading.enumerate() if t.name == "generate" and t.is_alive()]


def test_closing_the_stream_stops_the_worker():
    texts = generate_stream(FakeModel(tokens=10_000), FakeTokenizer())
    next(texts)
    texts.close()
    assert not [t for t in threading.enumerate() if t.name == "generate" and t.is_alive()]


def test_a_split_multibyte_character_is_held_back_until_complete():
    """Each read finds one new token (the model waits for it), so every odd count, which ends inside a
    character, is read once and held back."""

    class HalfCharacters(FakeTokenizer):
        def decode(self, ids, skip_special_tokens=True):  # an odd count ends inside a character
            super().decode(ids)
            return "字" * (len(ids) // 2) + ("\ufffd" if len(ids) % 2 else "")

    pacer = Pacer(tokens=1)
    tokenizer = HalfCharacters(on_decode=lambda: pacer.allow(1))
    texts = list(generate_stream(FakeModel(40, pacer), tokenizer))
    assert texts == ["字" * n for n in range(1, 21)] and tokenizer.decodes >= 40
