import threading

import pytest

from models.runtime.device import Placement, check_device_name, choose_placement
from models.runtime.errors import ModelLoadError
from models.runtime.manager import ModelManager
from models.registry import UnknownModelError
from tests.waiting import wait_until


class FakeRunner:
    def __init__(self, spec):
        self.spec = spec
        self.closed = False

    def close(self):
        self.closed = True


class CountingLoader:
    """Loads instantly, counts loads per key, fails for keys it is told to."""

    def __init__(self, failing=()):
        self.failing = set(failing)
        self.loads: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, spec, profile, placement):
        with self.lock:
            self.loads[spec.key] = self.loads.get(spec.key, 0) + 1
        if spec.key in self.failing:
            raise OSError(f"Unable to load weights from checkpoint file for '{spec.checkpoint}'")
        return FakeRunner(spec)


def make(registry, **kwargs):
    loader = kwargs.pop("loader", CountingLoader())
    return ModelManager(registry, profile="tiny", device="cpu", loader=loader, **kwargs), loader


def test_loads_lazily_and_once(registry):
    manager, loader = make(registry)
    key = registry.keys()[0]
    assert manager.state(key) == "not loaded" and loader.loads == {}
    first = manager.acquire(key)
    second = manager.acquire(key)
    assert first.runner is second.runner and loader.loads == {key: 1}
    assert first.load_seconds is not None and second.load_seconds is None
    assert manager.state(key) == "ready"


def test_concurrent_first_requests_load_once(registry):
    """Eight first requests at once: the load is held until all eight have asked for the model's lock, so
    they surely overlap it, and it runs once."""
    all_asked, asked = threading.Event(), []

    class Holding(CountingLoader):
        def __call__(self, spec, profile, placement):
            assert all_asked.wait(60), f"only {len(asked)} of 8 requests reached the load"
            return super().__call__(spec, profile, placement)

    manager, loader = make(registry, loader=Holding())
    key_lock = manager._key_lock

    def counting_key_lock(key):  # called by a request that found the model not loaded
        asked.append(key)
        if len(asked) == 8:
            all_asked.set()
        return key_lock(key)

    manager._key_lock = counting_key_lock
    key = registry.keys()[0]
    runners = []
    threads = [threading.Thread(target=lambda: runners.append(manager.get(key))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert loader.loads == {key: 1}
    assert len(runners) == 8 and all(r is runners[0] for r in runners)


def test_loads_are_serialized_but_resident_models_keep_serving(registry):
    """transformers' loading is not thread-safe: two models never load at the same time, while a model that
    is already loaded answers at once. The slow load is held until the test lets it finish, so both facts
    are checked while it is surely under way."""
    resident_key, slow_key, other_key = registry.keys()[:3]
    active, overlaps = [0], []
    slow_started, release = threading.Event(), threading.Event()

    class Watching(CountingLoader):
        def __call__(self, spec, profile, placement):
            active[0] += 1
            overlaps.append(active[0])
            if spec.key == slow_key:
                slow_started.set()
                assert release.wait(120), "the test never released the slow load"
            active[0] -= 1
            return super().__call__(spec, profile, placement)

    manager, _ = make(registry, loader=Watching())
    manager.get(resident_key)
    slow = threading.Thread(target=manager.get, args=(slow_key,))
    slow.start()
    assert slow_started.wait(60)
    other = threading.Thread(target=manager.get, args=(other_key,))
    other.start()
    wait_until(lambda: manager.state(other_key) == "loading", what="the second load request")  # it asked for its load while the slow one runs
    answered = threading.Thread(target=manager.get, args=(resident_key,))
    answered.start()
    answered.join(60)  # an upper bound: it returns at once, unless the slow load blocked it
    assert not answered.is_alive(), "a resident model waited for another model's load"
    assert manager.state(slow_key) == "loading" and manager.state(other_key) == "loading"
    release.set()
    for t in (slow, other):
        t.join(60)
    assert max(overlaps) == 1 and manager.state(slow_key) == manager.state(other_key) == "ready"


def test_least_recently_used_is_evicted_and_its_memory_let_go(registry):
    import gc
    import weakref

    manager, loader = make(registry, max_models=2)
    a, b, c = registry.keys()[:3]
    ref_a = weakref.ref(manager.get(a))
    ref_b = weakref.ref(manager.get(b))
    manager.batcher(b, ref_b(), {})     # a batcher holds the runner too; eviction must drop it
    manager.get(a)                      # a is now more recent than b
    manager.get(c)                      # over budget: b goes
    gc.collect()
    assert manager.resident_keys() == [a, c]
    assert ref_b() is None and ref_a() is not None
    manager.get(b)                      # comes back with a fresh load; a is now the oldest and goes
    gc.collect()
    assert loader.loads[b] == 2 and manager.resident_keys() == [c, b] and ref_a() is None


def test_a_request_running_on_an_evicted_model_finishes(registry):
    """Eviction under load: the model a request is using is evicted mid-call (between two of its batches);
    the request still gets its answer."""
    from models.runtime.manager import ModelManager

    manager = ModelManager(registry, profile="tiny", device="cpu", max_models=1)
    key = "token-classification/bert-base-ner"
    runner = manager.get(key)
    real_pipe, in_call, evicted = runner.pipe, threading.Event(), threading.Event()

    class PausingPipe:  # the real pipeline, which waits at its first call until the eviction is done
        def __getattr__(self, name):
            return getattr(real_pipe, name)

        def __call__(self, *args, **kwargs):
            in_call.set()
            evicted.wait(60)
            return real_pipe(*args, **kwargs)

    runner.pipe = PausingPipe()
    texts = ["Sarah works in London. " * n for n in (1, 4, 16, 64)]  # four length buckets, four pipe calls
    results = []
    thread = threading.Thread(target=lambda: results.append(runner(texts)))
    thread.start()
    assert in_call.wait(60)
    manager.get("text-classification/distilbert-sst2")  # evicts the NER model while it runs
    evicted.set()
    thread.join()
    assert key not in manager.resident_keys()
    assert len(results) == 1 and [len(found) > 0 for found in results[0]] == [True] * 4


def test_load_failure_is_reported_and_retried(registry):
    bad, good = registry.keys()[:2]
    loader = CountingLoader(failing=[bad])
    manager, _ = make(registry, loader=loader)
    with pytest.raises(ModelLoadError) as info:
        manager.get(bad)
    message = str(info.value)
    assert registry.get(bad).checkpoint in message and "corrupt" in message
    assert manager.state(bad) == "failed" and manager.failure(bad) is info.value
    assert manager.get(good) is not None             # other models are unaffected
    loader.failing.clear()
    assert manager.get(bad) is not None and manager.state(bad) == "ready"  # a retry loads it
    assert manager.failure(bad) is None and loader.loads[bad] == 2


def test_offline_failure_says_how_to_fix_it(registry):
    class Offline(Exception):
        pass

    Offline.__name__ = "LocalEntryNotFoundError"

    def loader(spec, profile, placement):
        raise Offline("Cannot find the requested files in the disk cache")

    manager = ModelManager(registry, profile="default", device="cpu", loader=loader)
    key = registry.keys()[0]
    with pytest.raises(ModelLoadError, match="offline") as info:
        manager.get(key)
    assert "--profile tiny" in str(info.value) and "hf download" in str(info.value)


def test_unknown_keys_never_reach_the_loader(registry):
    manager, loader = make(registry)
    with pytest.raises(UnknownModelError):
        manager.get("../../etc/passwd")
    assert loader.loads == {}


def test_bad_settings_are_refused(registry):
    with pytest.raises(ValueError, match="profile"):
        ModelManager(registry, profile="huge")
    with pytest.raises(ValueError, match="max_models"):
        ModelManager(registry, max_models=0)
    with pytest.raises(ValueError, match="device"):
        check_device_name("gpu0")


def test_device_and_dtype_choice(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert choose_placement("auto") == Placement("cpu", "float32")
    with pytest.raises(RuntimeError, match="CUDA"):
        choose_placement("cuda")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert choose_placement("auto") == Placement("mps", "float16")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert choose_placement("auto") == Placement("cuda", "bfloat16")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert choose_placement("cuda:1") == Placement("cuda:1", "float16")
    assert choose_placement("cpu").torch_dtype is torch.float32


def test_device_failure_is_a_load_error(registry, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    manager = ModelManager(registry, profile="tiny", device="cuda", loader=CountingLoader())
    with pytest.raises(ModelLoadError, match="CUDA"):
        manager.get(registry.keys()[0])


def test_first_requests_to_many_real_models_at_once_all_load():
    """Regression: concurrent first loads of different models (in a fresh process, where transformers' lazy
    imports have not happened yet) used to fail with "Cannot copy out of meta tensor" or a missing class."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = """
import threading
from models.runtime.manager import ModelManager
from models.registry import builtin_registry
keys = ["translation/opus-mt-en-de", "chat/qwen2.5-0.5b-instruct", "summarization/distilbart-cnn-12-6",
        "image-classification/vit-base", "token-classification/bert-base-ner"]
manager = ModelManager(builtin_registry(), profile="tiny", device="cpu", max_models=len(keys))
errors = []
def load(key):
    try:
        manager.get(key)
    except Exception as exc:
        errors.append(f"{key}: {exc}")
threads = [threading.Thread(target=load, args=(key,)) for key in keys]
for t in threads: t.start()
for t in threads: t.join()
print("ERRORS", errors)
print("RESIDENT", len(manager.resident_keys()))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "ERRORS []" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
    assert "RESIDENT 5" in result.stdout


def test_c_heap_is_returned_to_the_system_after_frees():
    """On glibc, freed heap pages go back to the system (malloc_trim) and the arena cap takes effect; elsewhere
    both are harmless no-ops."""
    import platform

    from models.runtime.device import limit_c_heap_arenas, trim_c_heap

    on_glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert limit_c_heap_arenas() is on_glibc
    if not on_glibc:
        trim_c_heap()
        return

    def rss_kb() -> int:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    # blocks below the mmap threshold come from the heap; with a few still in use (as a model's leftovers are),
    # free() alone gives almost nothing back, malloc_trim gives back the free pages between them
    blocks = [bytearray(64 * 1024) for _ in range(3000)]  # ~190 MB
    pinned = blocks[::50]
    del blocks
    freed_only = rss_kb()
    trim_c_heap()
    assert rss_kb() < freed_only - 100_000
    assert len(pinned) == 60


def test_the_heap_is_trimmed_periodically_until_stopped(monkeypatch):
    import models.runtime.device as device

    calls = []
    three = threading.Event()

    def trim():
        calls.append(1)
        if len(calls) >= 3:
            three.set()

    monkeypatch.setattr(device, "trim_c_heap", trim)
    before = set(threading.enumerate())
    stop = device.trim_c_heap_every(0.02)
    [trimmer] = [t for t in threading.enumerate() if t.name == "trim-c-heap" and t not in before]
    assert three.wait(60)  # an upper bound: three trims come after about 0.06 s
    stop.set()
    trimmer.join(60)  # an upper bound: the thread ends within one period of the stop
    assert not trimmer.is_alive()  # stopped: no trim can follow


# --- the memory budget in bytes (measured sizes) ----------------------------------------------------------

TINY_KEYS = ("text-classification/distilbert-sst2", "token-classification/bert-base-ner",
             "image-classification/vit-base")


def test_a_byte_budget_that_fits_two_tiny_twins_evicts_the_least_recently_used_for_a_third(registry):
    """Sizes are measured after each load (parameter and buffer bytes); a budget that holds any two of three tiny
    twins but not all three keeps two, evicting the least recently used one, and says so in its state."""
    measuring = ModelManager(registry, profile="tiny", device="cpu")
    sizes = {}
    for key in TINY_KEYS:
        measuring.get(key)
        sizes[key] = measuring.size(key)
    measuring.close()
    assert all(size > 10_000 for size in sizes.values()), sizes  # real weights were counted
    budget = max(sizes[a] + sizes[b] for a in TINY_KEYS for b in TINY_KEYS if a != b)
    assert budget < sum(sizes.values())

    manager = ModelManager(registry, profile="tiny", device="cpu", memory_budget=budget)
    a, b, c = TINY_KEYS
    manager.get(a)
    manager.get(b)
    assert manager.resident_keys() == [a, b] and manager.resident_bytes() == sizes[a] + sizes[b]
    manager.get(a)  # a is now more recent than b
    manager.get(c)  # a third does not fit: b, the least recently used, goes
    assert manager.resident_keys() == [a, c] and manager.state(b) == "evicted"
    assert manager.resident_bytes() <= budget
    again = manager.acquire(b)  # comes back, says it was reloaded; a is now the oldest and goes
    assert again.reloaded and again.load_seconds is not None
    assert manager.resident_keys() == [c, b] and manager.state(a) == "evicted" and manager.state(b) == "ready"
    assert not manager.acquire(b).reloaded
    manager.close()


class SizedRunner(FakeRunner):
    def __init__(self, spec, size):
        super().__init__(spec)
        self.memory_bytes = size


def test_a_model_whose_size_is_known_makes_room_before_it_loads(registry):
    """The second time a model loads, its measured size is known: the models it would not fit beside are
    evicted before the load starts (on a GPU the new weights need that room), and only as many as needed."""
    a, b, c = registry.keys()[:3]
    sizes = {a: 400, b: 300, c: 500}
    resident_during_load = {}

    def loader(spec, profile, placement):
        resident_during_load.setdefault(spec.key, []).append(manager.resident_bytes())
        return SizedRunner(spec, sizes[spec.key])

    manager = ModelManager(registry, profile="tiny", device="cpu", loader=loader, memory_budget=1000)
    manager.get(a)
    manager.get(b)
    manager.get(c)  # unknown size before its first load: 1200 bytes after it, so a (the oldest) goes then
    assert manager.resident_keys() == [b, c] and manager.resident_bytes() == 800
    manager.get(a)  # 400 known: b goes before the load (800 + 400 > 1000), c stays (500 + 400 fits)
    assert resident_during_load[a] == [0, 500] and manager.resident_keys() == [c, a]


def test_the_count_cap_still_applies_beside_the_byte_budget(registry):
    a, b, c = registry.keys()[:3]
    manager = ModelManager(registry, profile="tiny", device="cpu", max_models=2, memory_budget=10**12,
                           loader=lambda spec, profile, placement: SizedRunner(spec, 1))
    for key in (a, b, c):
        manager.get(key)
    assert manager.resident_keys() == [b, c] and manager.state(a) == "evicted"


def test_a_model_larger_than_the_whole_budget_is_kept_alone(registry):
    a, b = registry.keys()[:2]
    manager = ModelManager(registry, profile="tiny", device="cpu", memory_budget=100,
                           loader=lambda spec, profile, placement: SizedRunner(spec, 60 if spec.key == a else 500))
    manager.get(a)
    manager.get(b)
    assert manager.resident_keys() == [b]


def test_the_status_says_reloading_for_an_evicted_model_not_first_use(registry):
    """What a person sees when a tab's model comes back: "reloading (evicted to make room)" in the progress and
    the status line, not "(first use) downloading if needed"; the model card says it too."""
    from demos.ui.common import DemoContext, model_card, run_model

    a, b = TINY_KEYS[:2]
    manager = ModelManager(registry, profile="tiny", device="cpu", memory_budget=1,  # room for one at a time
                           loader=lambda spec, profile, placement: SizedRunner(spec, 1))
    ctx = DemoContext(manager)
    said = []

    def progress(value, desc=""):
        said.append(desc)

    spec_a = registry.get(a)
    first = run_model(ctx, spec_a, lambda runner: "ok", progress)
    assert "first use" in said[0] and "(first use)" in first.status
    run_model(ctx, registry.get(b), lambda runner: "ok", progress)  # a is evicted to make room
    assert "evicted to make room" in model_card(ctx, a)
    said.clear()
    again = run_model(ctx, spec_a, lambda runner: "ok", progress)
    assert said[0] == f"Reloading {spec_a.name} (evicted to make room)…"
    assert "reloading (evicted to make room)" in again.status and "first use" not in again.status


def test_sizes_are_measured_from_weights_and_read_from_entries():
    import torch

    from models.runtime.manager import declared_bytes
    from models.runtime.memory import RAM_SHARE, machine_budget, machine_ram, model_bytes

    class Holder:
        def __init__(self):
            self.model = torch.nn.Linear(10, 10)  # 110 float32 parameters
            self.head = torch.nn.Linear(10, 10, bias=False)
            self.head.weight = self.model.weight  # tied: counted once
            self.model.register_buffer("scale", torch.ones(5))

    assert model_bytes(Holder()) == (110 + 5) * 4
    assert declared_bytes("1.3B params, 2.6 GB in fp16") == 2_600_000_000
    assert declared_bytes("66M params, 268 MB") == 268_000_000 and declared_bytes("27M params") == 0
    assert machine_budget(Placement("cpu", "float32")) == int(RAM_SHARE * machine_ram()) > 0


def test_bad_budgets_are_refused(registry):
    for bad in (0, -5, "lots"):
        with pytest.raises(ValueError, match="memory_budget"):
            ModelManager(registry, memory_budget=bad)


def test_int8_weights_of_quantized_layers_are_counted():
    """--cpu-int8 turns Linear weights into packed int8 tensors, which are no parameters: they still count."""
    import warnings

    import torch

    from models.runtime.memory import model_bytes

    class Holder:
        def __init__(self):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.model = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(torch.nn.Linear(10, 10)),
                                                                    {torch.nn.Linear}, dtype=torch.qint8)

    assert model_bytes(Holder()) == 100 * 1 + 10 * 4  # int8 weights, float32 bias
