"""Dynamic batching and the accelerator gate."""

import itertools
import threading

import pytest

from models.runtime.batching import Gate, MicroBatcher
from tests.waiting import wait_until


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
    """Records its batches. ``hold``: calls wait for it to be set (the test decides when a batch ends);
    ``meeting``: the first calls wait for each other (they must run at the same time)."""

    def __init__(self, fail_on=None, hold: threading.Event | None = None, meeting: "Meeting | None" = None):
        self.fail_on, self.hold, self.meeting, self.batches = fail_on, hold, meeting, []
        self.entered = threading.Event()

    def __call__(self, items):
        self.batches.append(list(items))
        self.entered.set()
        if self.hold is not None:
            assert self.hold.wait(60), "the test never let the batch end"
        if self.meeting is not None:
            self.meeting.attend()
        if self.fail_on is not None and self.fail_on in items:
            raise ValueError(f"cannot handle {self.fail_on!r}")
        return [f"<{item}>" for item in items]


class Meeting:
    """The first ``parties`` calls wait for each other (a broken barrier after 10 s if they cannot meet)."""

    def __init__(self, parties: int):
        self.barrier = threading.Barrier(parties, timeout=60)
        self.arrivals = itertools.count()

    def attend(self) -> None:
        if next(self.arrivals) < self.barrier.parties:
            self.barrier.wait()


def run_behind_a_held_call(batcher, model, items):
    """``items[0]`` runs alone and is held in the model until all the others are queued behind it; then they
    run in full batches (first come, first served). Returns results and errors like ``run_concurrently``."""
    outcome: list = []
    first = threading.Thread(target=lambda: outcome.append(("first", *run_concurrently(batcher, items[:1]))))
    first.start()
    assert model.entered.wait(60)
    rest = threading.Thread(target=lambda: outcome.append(("rest", *run_concurrently(batcher, items[1:]))))
    rest.start()
    wait_until(lambda: len(batcher._queue) == len(items) - 1, what="all the other requests queueing")
    model.hold.set()
    for thread in (first, rest):
        thread.join(60)
    parts = {name: (results, errors) for name, results, errors in outcome}
    return parts["first"][0] + parts["rest"][0], parts["first"][1] + parts["rest"][1]


def test_each_user_gets_their_own_result_and_requests_are_grouped():
    model = RecordingModel(hold=threading.Event())
    batcher = MicroBatcher(model, Gate(1), max_batch_size=8)
    items = ["x" * (i * 7 % 23 + 1) + str(i) for i in range(24)]
    results, errors = run_behind_a_held_call(batcher, model, items)
    assert errors == [None] * 24
    assert results == [f"<{item}>" for item in items]
    assert [len(batch) for batch in model.batches] == [1, 8, 8, 7] and batcher.largest_batch == 8
    for batch in model.batches:  # sorted by length to limit padding
        assert [len(x) for x in batch] == sorted(len(x) for x in batch)


def test_a_lone_request_runs_at_once():
    """No waiting for company: a lone request never waits on the batcher's condition."""

    class CountingCondition(type(threading.Condition())):
        waits = 0

        def wait(self, timeout=None):
            self.waits += 1
            return super().wait(timeout)

    model = RecordingModel()
    condition = CountingCondition()
    batcher = MicroBatcher(model, Gate(1), _cv=condition)
    assert batcher("alone") == "<alone>"
    assert condition.waits == 0 and model.batches == [["alone"]]


def test_one_bad_input_fails_only_its_own_request():
    model = RecordingModel(fail_on="bad", hold=threading.Event())
    batcher = MicroBatcher(model, Gate(1), max_batch_size=16)
    items = ["a", "b", "bad", "c", "d", "e"]
    results, errors = run_behind_a_held_call(batcher, model, items)
    assert sorted(model.batches[1]) == ["b", "bad", "c", "d", "e"]  # it shared a batch with four others
    assert isinstance(errors[2], ValueError) and "bad" in str(errors[2])
    assert [r for i, r in enumerate(results) if i != 2] == ["<a>", "<b>", "<c>", "<d>", "<e>"]
    assert batcher("next") == "<next>"


def test_the_gate_limits_executions_across_models():
    gate, meeting = Gate(2), Meeting(2)  # the first two executions must overlap: the gate has two slots
    batchers = [MicroBatcher(RecordingModel(meeting=meeting), gate, max_batch_size=2) for _ in range(6)]
    items = list(range(36))
    results, errors = run_concurrently(lambda i: batchers[i % 6](str(i)), items)
    assert errors == [None] * 36 and results == [f"<{i}>" for i in items]
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
    from models.runtime.manager import ModelManager
    from tests.models.runtime.test_manager import CountingLoader

    manager = ModelManager(registry, profile="tiny", device="cpu", loader=CountingLoader(), max_models=1)
    a, b = registry.keys()[:2]
    runner = manager.get(a)
    first = manager.batcher(a, runner, {"top_k": None})
    assert manager.batcher(a, runner, {"top_k": None}) is first
    assert manager.batcher(a, runner, {"top_k": 1}) is not first  # other settings, other group
    manager.get(b)  # evicts a
    assert not manager._batchers or all(r is not runner for r, _ in manager._batchers.values())


def test_length_buckets_group_similar_lengths_and_cover_every_input():
    from models.runtime.batching import length_buckets

    lengths = [60, 5, 7, 58, 4, 30, 6, 61, 33]
    buckets = length_buckets(lengths, max_size=3)
    assert sorted(i for bucket in buckets for i in bucket) == list(range(len(lengths)))
    for bucket in buckets:
        assert len(bucket) <= 3
        shortest = min(lengths[i] for i in bucket)
        assert max(lengths[i] for i in bucket) <= shortest * 1.5 + 8
    assert [lengths[i] for i in buckets[0]] == [4, 5, 6]
