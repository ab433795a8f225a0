"""Dynamic batching and the accelerator gate."""

import threading
import time

import pytest

from models.batching import Gate, MicroBatcher


def run_concurrently(fn, items):
    results, errors = [None] * len(items), [None] * len(items)
    barrier = threading.Barrier(len(items))

    def worker(i):
        barrier.wait()
        try:
            results[i] = fn(items[i])
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            errors[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(items))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


class RecordingModel:
    def __init__(self, delay=0.05, fail_on=None):
        self.delay, self.fail_on, self.batches = delay, fail_on, []

    def __call__(self, items):
        self.batches.append(list(items))
        time.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in items:
            raise ValueError(f"cannot handle {self.fail_on!r}")
        return [f"<{item}>" for item in items]


def test_each_user_gets_their_own_result_and_requests_are_grouped():
    model = RecordingModel()
    batcher = MicroBatcher(model, Gate(1), max_batch_size=8)
    items = ["x" * (i * 7 % 23 + 1) + str(i) for i in range(24)]
    results, errors = run_concurrently(batcher, items)
    assert errors == [None] * 24
    assert results == [f"<{item}>" for item in items]
    assert len(model.batches) < 24 and batcher.largest_batch > 1
    assert all(len(batch) <= 8 for batch in model.batches)
    for batch in model.batches:  # sorted by length to limit padding
        assert [len(x) for x in batch] == sorted(len(x) for x in batch)


def test_a_lone_request_runs_at_once():
    model = RecordingModel(delay=0)
    batcher = MicroBatcher(model, Gate(1))
    started = time.perf_counter()
    assert batcher("alone") == "<alone>"
    assert time.perf_counter() - started < 0.05 and model.batches == [["alone"]]


def test_one_bad_input_fails_only_its_own_request():
    model = RecordingModel(fail_on="bad")
    batcher = MicroBatcher(model, Gate(1), max_batch_size=16)
    items = ["a", "b", "bad", "c", "d", "e"]
    results, errors = run_concurrently(batcher, items)
    assert isinstance(errors[2], ValueError) and "bad" in str(errors[2])
    assert [r for i, r in enumerate(results) if i != 2] == ["<a>", "<b>", "<c>", "<d>", "<e>"]
    assert batcher("next") == "<next>"


def test_the_gate_limits_executions_across_models():
    gate = Gate(2)
    batchers = [MicroBatcher(RecordingModel(delay=0.02), gate, max_batch_size=2) for _ in range(6)]
    items = list(range(36))
    run_concurrently(lambda i: batchers[i % 6](str(i)), items)
    assert gate.max_in_flight == 2 and gate.in_flight == 0


def test_batched_results_equal_single_results_on_a_real_model(tiny_manager):
    """Padding in a batch must not change anyone's answer."""
    key = "text-classification/distilbert-sst2"
    runner = tiny_manager.get(key)
    texts = ["good", "I love this movie and I would watch it again and again!", "这部电影太好看了",
             "The plot was boring and the acting was terrible. What a waste of time. " * 5] * 4
    alone = [runner([t])[0] for t in texts]
    batcher = tiny_manager.batcher(key, runner, {})
    results, errors = run_concurrently(batcher, texts)
    assert errors == [None] * len(texts)
    for single, batched in zip(alone, results):
        assert {s.label: round(s.score, 4) for s in single.scores} == \
            pytest.approx({s.label: s.score for s in batched.scores}, abs=1e-4)
        assert single.tokens == batched.tokens


def test_batchers_follow_the_model_and_are_dropped_on_eviction(registry):
    from models.manager import ModelManager
    from tests.test_manager import CountingLoader

    manager = ModelManager(registry, profile="tiny", device="cpu", loader=CountingLoader(), max_models=1)
    a, b = registry.keys()[:2]
    runner = manager.get(a)
    first = manager.batcher(a, runner, {"top_k": None})
    assert manager.batcher(a, runner, {"top_k": None}) is first
    assert manager.batcher(a, runner, {"top_k": 1}) is not first  # other settings, other group
    manager.get(b)  # evicts a
    assert not manager._batchers or all(r is not runner for r, _ in manager._batchers.values())


def test_length_buckets_group_similar_lengths_and_cover_every_input():
    from models.batching import length_buckets

    lengths = [60, 5, 7, 58, 4, 30, 6, 61, 33]
    buckets = length_buckets(lengths, max_size=3)
    assert sorted(i for bucket in buckets for i in bucket) == list(range(len(lengths)))
    for bucket in buckets:
        assert len(bucket) <= 3
        shortest = min(lengths[i] for i in bucket)
        assert max(lengths[i] for i in bucket) <= shortest * 1.5 + 8
    assert [lengths[i] for i in buckets[0]] == [4, 5, 6]
