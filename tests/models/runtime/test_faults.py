"""Fault isolation: a failing runner, an out-of-memory error or a closed stream costs one request, nothing more.

Fake runners come in through the manager's loader, so the real manager, gate, batcher and handlers run.
"""

from __future__ import annotations

import threading

import gradio as gr
import pytest

from demos.ui.common import DemoContext, run_batched, run_model
from models.runtime.manager import ModelManager
from tests.waiting import wait_until

TEXT_KEY = "text-classification/distilbert-sst2"


class FlakyRunner:
    """Returns its inputs upper-cased, except that it raises ``errors`` first, one per call."""

    def __init__(self, errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self, items, **params):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return [str(item).upper() for item in items]

    def close(self):
        pass


def fake_context(registry, *errors, runner_class=FlakyRunner):
    runner = runner_class(errors)
    manager = ModelManager(registry, profile="tiny", device="cpu", loader=lambda spec, profile, placement: runner)
    return DemoContext(manager), runner


def assert_released(ctx, key=TEXT_KEY):
    assert ctx.manager.gate.in_flight == 0
    lock = ctx.manager._key_lock(key)
    assert lock.acquire(blocking=False), "the model's load lock is still held"
    lock.release()


@pytest.mark.parametrize("run", ["model", "batched"])
def test_an_exception_in_a_runner_is_a_gr_error_and_the_next_request_works(registry, run):
    ctx, runner = fake_context(registry, RuntimeError("CUBLAS_STATUS_EXECUTION_FAILED"), ValueError("index 9"))
    spec = registry.get(TEXT_KEY)

    def call(text):
        if run == "model":
            return run_model(ctx, spec, lambda r: r([text])[0]).result
        return run_batched(ctx, spec, text).result

    for expected in ("RuntimeError", "ValueError"):
        with pytest.raises(gr.Error, match=f"failed on this input \\({expected}\\).*keeps serving"):
            call("hello")
        assert_released(ctx)
    assert call("hello") == "HELLO"
    assert_released(ctx)
    assert runner.calls == 3


def test_concurrent_requests_survive_one_failing_batch(registry):
    """The first request fails alone (its call is held in the runner until the seven others are queued behind
    it, so it is surely a batch of one); the seven others are answered, batched."""

    class HeldFirstCall(FlakyRunner):
        def __init__(self, errors):
            super().__init__(errors)
            self.in_call, self.release = threading.Event(), threading.Event()

        def __call__(self, items, **params):
            if not self.in_call.is_set():
                self.in_call.set()
                assert self.release.wait(120), "the test never let the first call go on"
            return super().__call__(items, **params)

    ctx, runner = fake_context(registry, RuntimeError("boom"), runner_class=HeldFirstCall)
    spec = registry.get(TEXT_KEY)
    results, errors = [], []

    def one(i):
        try:
            results.append(run_batched(ctx, spec, f"t{i}").result)
        except gr.Error as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    threads[0].start()
    assert runner.in_call.wait(120)
    for thread in threads[1:]:
        thread.start()
    [(_, batcher)] = ctx.manager._batchers.values()
    wait_until(lambda: len(batcher._queue) == 7, what="seven requests queueing behind the first")
    runner.release.set()
    for thread in threads:
        thread.join(120)
    assert len(results) == 7 and len(errors) == 1  # every request answered; the lone failing batch failed
    assert all(r.startswith("T") for r in results)
    assert_released(ctx)


def test_cuda_out_of_memory_empties_the_cache_and_asks_for_less(registry, monkeypatch):
    import torch

    emptied = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    ctx, runner = fake_context(registry, torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 8 GiB"))
    spec = registry.get(TEXT_KEY)
    with pytest.raises(gr.Error, match="ran out of memory.*Lower the size or length"):
        run_model(ctx, spec, lambda r: r(["x"])[0])
    assert emptied == [True]
    assert_released(ctx)
    assert run_model(ctx, spec, lambda r: r(["x"])[0]).result == "X"


def test_out_of_memory_is_recognised_without_torch_types():
    from models.runtime.device import is_out_of_memory

    assert is_out_of_memory(RuntimeError("MPS backend out of memory (MPS allocated: 9 GB)"))
    assert is_out_of_memory(MemoryError())
    assert not is_out_of_memory(RuntimeError("shape mismatch"))


def test_a_load_failure_breaks_only_its_own_model(registry):
    from demos.ui.common import acquire_model

    bad = registry.get(TEXT_KEY)
    good = registry.get("token-classification/multilingual-ner")

    def loader(spec, profile, placement):
        if spec.key == bad.key:
            raise OSError(f"Unable to load weights from checkpoint file for '{spec.checkpoint}': corrupt")
        return FlakyRunner([])

    ctx = DemoContext(ModelManager(registry, profile="tiny", device="cpu", loader=loader))
    with pytest.raises(gr.Error, match="Select Run to try again; the other tabs keep working"):
        acquire_model(ctx, bad)
    assert ctx.manager.state(bad.key) == "failed"
    assert run_model(ctx, good, lambda r: r(["ok"])[0]).result == "OK"
    assert_released(ctx, bad.key)


def test_closing_a_chat_stream_midway_stops_generation_and_frees_the_gate(ctx, lockstep_generation):
    """(In lockstep, the answer is still being generated when the stream is closed.)"""
    from demos.chat.tab import chat

    spec = ctx.specs("chat")[0]
    stream = chat(ctx, "Tell me a long story.", [], "", spec.key, 0.7, 0.9, 256)
    for _ in range(3):  # the question, then two growing answers
        next(stream)
    assert ctx.manager.gate.in_flight == 1  # generation holds the gate while it streams
    stream.close()  # what gradio does when the client goes away or Stop is pressed
    assert ctx.manager.gate.in_flight == 0
    assert not [t for t in threading.enumerate() if t.name == "generate" and t.is_alive()]
    answer = list(chat(ctx, "Hi", [], "", spec.key, 0.0, 1.0, 4))[-1]
    assert answer[0][-1]["role"] == "assistant"


def test_real_loads_run_one_at_a_time(registry, monkeypatch):
    """Concurrent first loads of different models raced inside transformers (found by bench/load.py)."""
    import time

    import models.families.runners
    import models.registry.sources
    from models.registry.sources import ModelSource

    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    def resolve(spec, profile):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return ModelSource(spec.checkpoint, None)

    class Runner(FlakyRunner):
        def __init__(self, spec, source, placement):
            super().__init__([])

        def warm_up(self):
            pass

    monkeypatch.setattr(models.registry.sources, "resolve_source", resolve)
    monkeypatch.setattr(models.families.runners, "runner_class", lambda kind: Runner)
    manager = ModelManager(registry, profile="tiny", device="cpu", max_models=10)
    keys = registry.keys()[:4]
    threads = [threading.Thread(target=manager.acquire, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert state["most"] == 1 and sorted(manager.resident_keys()) == sorted(keys)
