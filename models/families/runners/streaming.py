"""Streaming generation that can be stopped: ``generate`` in a worker thread, text through a streamer.

``stream_generate`` yields the text generated so far, growing, and ends when generation ends. Generation
stops early (within one decoding step) when the caller's ``threading.Event`` is set, or when the consumer
closes the generator (Gradio's Stop button, a client that disconnects): either way the worker thread is
told to stop and joined, so the device is free for the next request.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator

STREAM_TIMEOUT_S = 600  # no token for this long means the worker died; stop waiting
READ_INTERVAL_S = 0.03  # how often the consumer decodes what has been generated


def stop_criteria(*events: threading.Event):
    """A transformers StoppingCriteria that ends every sequence once any of ``events`` is set."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class StopOnEvent(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            return torch.full((input_ids.shape[0],), any(e.is_set() for e in events), dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([StopOnEvent()])


def generate_once(model, inputs: dict, kwargs: dict, *stops: threading.Event | None):
    """A plain (batched, non-streaming) ``generate`` that still honours the stop flags."""
    import torch

    events = [event for event in stops if event is not None]
    with torch.inference_mode():
        return model.generate(**inputs, **kwargs, stopping_criteria=stop_criteria(*events))


class TokenCollector:
    """A transformers streamer that only collects token ids; the consumer decodes them when it reads.

    transformers' TextIteratorStreamer decodes the whole text on every token inside the generating thread
    and wakes the consumer for each one. On an H200 that cut a 0.5B chat model from 52 to 11 tokens/s
    (bench/generation_gpu_check.py); collecting ids costs the generate loop nothing measurable, and the
    consumer decodes a few dozen times a second instead.
    """

    def __init__(self, skip_prompt: bool):
        self._skip = skip_prompt
        self._ids: list[int] = []
        self._lock = threading.Lock()
        self.changed = threading.Event()
        self.finished = False

    def put(self, value) -> None:
        if self._skip:  # the first call carries the prompt (or the decoder start token)
            self._skip = False
            return
        ids = value.reshape(-1).tolist()  # one sequence: streaming is for a single input
        with self._lock:
            self._ids.extend(ids)
        self.changed.set()

    def end(self) -> None:
        self.finished = True
        self.changed.set()

    def ids(self) -> list[int]:
        with self._lock:
            return list(self._ids)


def stream_generate(model, tokenizer, inputs: dict, kwargs: dict, stop: threading.Event | None,
                    skip_prompt: bool, interval: float | None = None) -> Iterator[str]:
    """Yield the text generated so far, growing, at most every ``interval`` seconds (READ_INTERVAL_S unless
    given), until generation ends."""
    interval = READ_INTERVAL_S if interval is None else interval
    closed = threading.Event()  # set when the consumer goes away; the caller's ``stop`` is left alone
    collector = TokenCollector(skip_prompt)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            generate_once(model, inputs, {**kwargs, "streamer": collector}, stop, closed)
        except BaseException as exc:  # reported to the consumer below
            failure.append(exc)
        finally:
            collector.end()

    worker = threading.Thread(target=work, name="generate", daemon=True)
    worker.start()
    text = ""
    try:
        while True:
            if not collector.changed.wait(timeout=STREAM_TIMEOUT_S):
                raise TimeoutError(f"no token for {STREAM_TIMEOUT_S} s")
            collector.changed.clear()
            finished = collector.finished
            decoded = tokenizer.decode(collector.ids(), skip_special_tokens=True)
            # a multi-byte character split across tokens decodes to U+FFFD until its last byte arrives
            if decoded != text and (finished or not decoded.endswith("\ufffd")):
                text = decoded
                yield text
            if finished:
                break
            if interval:
                time.sleep(interval)  # let a few tokens gather: fewer decodes, less contention with generate
    finally:
        closed.set()    # a closed generator (Stop button, disconnect) stops the worker too
        worker.join()
    if failure:
        raise failure[0]


def generation_kwargs(params: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: params[name] for name in names if params.get(name) is not None}
