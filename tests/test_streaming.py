"""Streaming generation: token ids collected without decoding in the generate loop, read at a steady pace."""

import threading
import time

import torch

from models.runners import streaming


class FakeTokenizer:
    def __init__(self):
        self.decodes = 0

    def decode(self, ids, skip_special_tokens=True):
        self.decodes += 1
        return "".join(chr(ord("a") + i % 26) for i in ids)


class FakeModel:
    """Generates ``tokens`` ids one by one, like generate(): streamer.put per step, stopping criteria checked."""

    def __init__(self, tokens=60, step_s=0.002):
        self.tokens, self.step_s = tokens, step_s

    def generate(self, input_ids, streamer, stopping_criteria, **_):
        streamer.put(input_ids)  # the prompt comes first
        ids = input_ids
        for i in range(self.tokens):
            time.sleep(self.step_s)
            ids = torch.cat([ids, torch.tensor([[i]])], dim=1)
            streamer.put(torch.tensor([i]))
            if stopping_criteria(ids, None).all():
                break
        streamer.end()
        return ids


def run(interval, stop=None, tokens=60):
    tokenizer = FakeTokenizer()
    texts = list(streaming.stream_generate(FakeModel(tokens), tokenizer, {"input_ids": torch.tensor([[7, 8]])},
                                           {}, stop, skip_prompt=True, interval=interval))
    return texts, tokenizer


def test_reading_at_a_pace_coalesces_tokens_and_loses_none():
    texts, tokenizer = run(interval=0.03)
    assert texts[-1] == FakeTokenizer().decode(list(range(60)))  # the prompt was skipped, every token is there
    assert 1 < len(texts) < 60 and tokenizer.decodes < 60
    assert all(b.startswith(a) and len(b) > len(a) for a, b in zip(texts, texts[1:]))


def test_reading_every_token_shows_steady_growth():
    texts, _ = run(interval=0.0, tokens=20)
    assert len(texts) >= 5 and texts[-1] == FakeTokenizer().decode(list(range(20)))


def test_a_stop_flag_ends_generation_early_and_the_worker_exits():
    stop = threading.Event()
    seen = []
    for text in streaming.stream_generate(FakeModel(tokens=10_000), FakeTokenizer(),
                                          {"input_ids": torch.tensor([[1]])}, {}, stop, skip_prompt=True,
                                          interval=0.0):
        seen.append(text)
        if len(seen) == 3:
            stop.set()
    assert len(seen[-1]) < 1000
    assert not [t for t in threading.enumerate() if t.name == "generate" and t.is_alive()]


def test_closing_the_stream_stops_the_worker():
    stream = streaming.stream_generate(FakeModel(tokens=10_000), FakeTokenizer(), {"input_ids": torch.tensor([[1]])},
                                       {}, None, skip_prompt=True, interval=0.0)
    next(stream)
    stream.close()
    assert not [t for t in threading.enumerate() if t.name == "generate" and t.is_alive()]


def test_a_split_multibyte_character_is_held_back_until_complete():
    class HalfCharacters(FakeTokenizer):
        def decode(self, ids, skip_special_tokens=True):  # an odd count ends inside a character
            return "字" * (len(ids) // 2) + ("\ufffd" if len(ids) % 2 else "")

    texts = list(streaming.stream_generate(FakeModel(tokens=40), HalfCharacters(),
                                           {"input_ids": torch.tensor([[1]])}, {}, None, skip_prompt=True,
                                           interval=0.0))
    assert texts and texts[-1] == "字" * 20
    assert not any(text.endswith("\ufffd") for text in texts)
