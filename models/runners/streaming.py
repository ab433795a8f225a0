"""Streaming generation that can be stopped: ``generate`` in a worker thread, text through a streamer.

``stream_generate`` yields the text generated so far, growing, and ends when generation ends. Generation
stops early (within one decoding step) when the caller's ``threading.Event`` is set, or when the consumer
closes the generator (Gradio's Stop button, a client that disconnects): either way the worker thread is
told to stop and joined, so the device is free for the next request.
"""

from __future__ import annotations

import threading
from typing import Any, Iterator

STREAM_TIMEOUT_S = 600  # no token for this long means the worker died; stop waiting


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


def stream_generate(model, tokenizer, inputs: dict, kwargs: dict, stop: threading.Event | None,
                    skip_prompt: bool) -> Iterator[str]:
    from transformers import TextIteratorStreamer

    closed = threading.Event()  # set when the consumer goes away; the caller's ``stop`` is left alone
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=skip_prompt, skip_special_tokens=True,
                                     timeout=STREAM_TIMEOUT_S)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            generate_once(model, inputs, {**kwargs, "streamer": streamer}, stop, closed)
        except BaseException as exc:  # reported to the consumer below
            failure.append(exc)
            streamer.end()

    worker = threading.Thread(target=work, name="generate", daemon=True)
    worker.start()
    text = ""
    try:
        for piece in streamer:
            if piece:  # the streamer yields "" until bytes form whole characters
                text += piece
                yield text
    finally:
        closed.set()    # a closed generator (Stop button, disconnect) stops the worker too
        worker.join()
    if failure:
        raise failure[0]


def generation_kwargs(params: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: params[name] for name in names if params.get(name) is not None}
