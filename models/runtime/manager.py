"""The model manager: lazy, shared, bounded.

- A model loads on its first request; one lock per key, so concurrent first requests load it once, and one
  load at a time in the process (transformers' loading is not thread-safe).
- Memory budget: loaded models' measured sizes (``models.runtime.memory``: parameter and buffer bytes) add up to at most
  ``memory_budget`` bytes ("machine": a share of the GPU's memory, or of the RAM on CPU), and at most ``max_models``
  stay resident when that cap is set. A model that would not fit makes room: the least recently used ones are
  evicted, before its load when its size is known (measured at an earlier load, or the entry's declared size), else
  right after it. An evicted model's memory (GPU memory included) is released; ``state`` says "evicted" until it
  loads again, and its next ``acquire`` says it was reloaded.
- A failed load raises ``ModelLoadError`` for that key only; the next request tries again.
- Model executions pass through one ``Gate`` (``gpu_concurrency`` at once, whatever the tab), and
  concurrent requests to one model are grouped by a ``MicroBatcher``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from models.runtime.batching import Gate, MicroBatcher, batch_key
from models.runtime.device import Placement, choose_placement, release_memory
from models.runtime.errors import ModelLoadError, explain_load_failure
from models.runtime.memory import format_gb, machine_budget, model_bytes
from models.registry import Registry
from models.registry.spec import ModelSpec

log = logging.getLogger(__name__)

PROFILES = ("default", "tiny")


class Runner(Protocol):
    spec: ModelSpec

    def close(self) -> None: ...


Loader = Callable[[ModelSpec, str, Placement], Runner]


@dataclass(frozen=True)
class Acquired:
    runner: Any
    load_seconds: float | None  # time this request spent waiting for a load; None if it was resident
    reloaded: bool = False      # that load brought back a model evicted to make room for others


# One real load at a time, whatever the key. Concurrent first loads in threads raced inside transformers' lazy
# imports ("cannot import name 'pipeline'") and meta-device initialisation ("Cannot copy out of meta tensor"),
# and two tiny twins of one checkpoint were built into one folder at once (found by bench/load.py). The manager's
# per-key state still lets a request for a loaded model run while another model loads.
_LOADING = threading.Lock()
LOAD_LOCK = _LOADING  # for code outside the manager that loads weights itself (fine-tuning)


def default_loader(spec: ModelSpec, profile: str, placement: Placement) -> Runner:
    from models.runtime.network import offline_unless_reachable
    from models.families.runners import runner_class
    from models.registry.sources import resolve_source
    from models.registry.tasks import runner_spec

    source = resolve_source(spec, profile)
    make = runner_class(spec.runner)
    if source.revision is None:  # a local folder or a tiny twin: no hub request
        runner = make(runner_spec(spec), source, placement)
    else:
        with offline_unless_reachable():  # no network: fail at once, not after the hub client's retries
            runner = make(runner_spec(spec), source, placement)
    runner.warm_up()
    return runner


MACHINE = "machine"  # memory_budget: a share of the machine's memory (models.runtime.memory.machine_budget)


class ModelManager:
    load_lock = _LOADING  # what a load holds; a backend whose loads run elsewhere may use its own

    def __init__(self, registry: Registry, *, profile: str = "default", device: str = "auto",
                 max_models: int | None = None, loader: Loader | None = None, gpu_concurrency: int = 1,
                 max_batch_size: int = 16, compile_models: bool = False,
                 cpu_int8: bool = False, memory_budget: int | str | None = None):
        if profile not in PROFILES:
            raise ValueError(f"profile {profile!r} is not one of {PROFILES}")
        if max_models is not None and max_models < 1:
            raise ValueError("max_models must be at least 1")
        if not (memory_budget is None or memory_budget == MACHINE or
                (isinstance(memory_budget, (int, float)) and memory_budget > 0)):
            raise ValueError(f"memory_budget must be a positive number of bytes, {MACHINE!r} or None")
        self.registry = registry
        self.profile = profile
        self.max_models = max_models
        self._budget = memory_budget  # bytes, MACHINE (resolved at the first load: it needs the placement) or None
        self._sizes: dict[str, int] = {}  # key -> measured bytes of its last load
        self._evicted: set[str] = set()   # evicted to make room and not loaded since
        self._requested_device = device
        self._compile = compile_models
        self._cpu_int8 = cpu_int8
        self._placement: Placement | None = None
        self._loader = loader or default_loader
        self._lock = threading.Lock()              # guards the dicts below
        self._key_locks: dict[str, threading.Lock] = {}
        self._resident: OrderedDict[str, Runner] = OrderedDict()   # least recently used first
        self._loading: set[str] = set()
        self._failures: dict[str, ModelLoadError] = {}
        self.gate = Gate(gpu_concurrency)
        self.max_batch_size = max_batch_size
        self._batchers: dict = {}  # (key, params) -> (runner, MicroBatcher)
        self._last_used: dict[str, float] = {}  # key -> wall-clock time of its latest acquire

    # --- public -------------------------------------------------------------------------------
    @property
    def placement(self) -> Placement:
        if self._placement is None:
            self._placement = choose_placement(self._requested_device, compile_models=self._compile,
                                               cpu_int8=self._cpu_int8)
        return self._placement

    def get(self, key: str) -> Runner:
        return self.acquire(key).runner

    def acquire(self, key: str) -> Acquired:
        spec = self.registry.get(key)  # raises UnknownModelError for keys outside the registry
        self._last_used[key] = time.time()
        runner = self._touch(key)
        if runner is not None:
            return Acquired(runner, None)
        started = time.perf_counter()
        with self._key_lock(key):
            runner = self._touch(key)
            if runner is not None:  # another request loaded it while this one waited
                return Acquired(runner, time.perf_counter() - started)
            with self._lock:
                reloaded = key in self._evicted
            runner = self._load(spec)
        return Acquired(runner, time.perf_counter() - started, reloaded)

    def batcher(self, key: str, runner: Runner, params: dict) -> MicroBatcher:
        """The batcher that groups concurrent calls of ``runner(items, **params)`` for one model."""
        group = batch_key(key, params)
        with self._lock:
            current = self._batchers.get(group)
            if current is None or current[0] is not runner:  # first use, or the model was reloaded
                current = (runner, MicroBatcher(lambda items: runner(items, **params), self.gate,
                                                self.max_batch_size))
                self._batchers[group] = current
            return current[1]

    def preload(self, keys: list[str]) -> dict[str, ModelLoadError]:
        """Load the given models now; returns the failures (the app starts regardless)."""
        failures = {}
        for key in keys:
            try:
                self.get(key)
            except ModelLoadError as exc:
                log.error("%s", exc)
                failures[key] = exc
        return failures

    def state(self, key: str) -> str:
        with self._lock:
            if key in self._resident:
                return "ready"
            if key in self._loading:
                return "loading"
            if key in self._failures:
                return "failed"
            if key in self._evicted:
                return "evicted"
        return "not loaded"

    @property
    def memory_budget(self) -> int | None:
        """The byte budget (None: no byte budget); "machine" is resolved here, which chooses the placement."""
        if self._budget == MACHINE:
            self._budget = machine_budget(self.placement)
            log.info("memory budget for models: %s", format_gb(self._budget))
        return None if self._budget is None else int(self._budget)

    def size(self, key: str) -> int | None:
        """The measured size of ``key`` in bytes at its last load, or None if it never loaded."""
        with self._lock:
            return self._sizes.get(key)

    def resident_bytes(self) -> int:
        with self._lock:
            return sum(self._sizes.get(key, 0) for key in self._resident)

    def failure(self, key: str) -> ModelLoadError | None:
        with self._lock:
            return self._failures.get(key)

    def last_used(self, key: str) -> float | None:
        """When ``key`` was last asked for since the app started (``time.time()``), or None."""
        return self._last_used.get(key)

    def resident_keys(self) -> list[str]:
        """Loaded models, least recently used first."""
        with self._lock:
            return list(self._resident)

    def evict(self, key: str) -> bool:
        with self._lock:
            runner = self._resident.pop(key, None)
        if runner is None:
            return False
        self._close(key, runner)
        return True

    def close(self) -> None:
        for key in self.resident_keys():
            self.evict(key)

    # --- internals ------------------------------------------------------------------------------
    def _key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _touch(self, key: str) -> Runner | None:
        with self._lock:
            runner = self._resident.get(key)
            if runner is not None:
                self._resident.move_to_end(key)
            return runner

    def _load(self, spec: ModelSpec) -> Runner:
        key = spec.key
        budget = self.memory_budget
        self._make_room(key, budget, self._expected_size(spec))
        with self._lock:
            self._loading.add(key)
        started = time.perf_counter()
        try:
            log.info("loading %s (%s, profile %s)", key, spec.checkpoint, self.profile)
            with self.load_lock:  # one load at a time in the process, whichever manager (see _LOADING)
                runner = self._loader(spec, self.profile, self.placement)
        except Exception as exc:  # any failure to load is reported, never raised raw
            reason, hint = explain_load_failure(exc, spec.checkpoint)
            error = ModelLoadError(key, spec.checkpoint, reason, hint)
            log.error("%s", error, exc_info=not isinstance(exc, OSError))
            with self._lock:
                self._failures[key] = error
            raise error from exc
        finally:
            with self._lock:
                self._loading.discard(key)
        size = self._measure(key, runner)
        log.info("loaded %s in %.1f s (%s)", key, time.perf_counter() - started, format_gb(size))
        with self._lock:
            self._failures.pop(key, None)
            self._evicted.discard(key)
            self._sizes[key] = size
            self._resident[key] = runner
        self._make_room(key, budget, 0)  # its size was unknown or larger than expected
        if budget is not None and size > budget:
            log.warning("%s takes %s, more than the whole memory budget (%s): it is kept alone", key,
                        format_gb(size), format_gb(budget))
        return runner

    def _expected_size(self, spec: ModelSpec) -> int:
        """Bytes ``spec`` will take: as measured at its last load, else the entry's declared size (real weights
        only), else 0 (unknown: room is made right after the load)."""
        with self._lock:
            if spec.key in self._sizes:
                return self._sizes[spec.key]
        return declared_bytes(spec.size) if self.profile == "default" else 0

    def _make_room(self, key: str, budget: int | None, incoming: int) -> None:
        """Evict the least recently used models (never ``key``) until ``incoming`` more bytes (a model about to
        load) fit the byte budget and the count cap."""
        evicted = []
        with self._lock:
            others = [k for k in self._resident if k != key]
            used = sum(self._sizes.get(k, 0) for k in self._resident)
            count = len(self._resident) + (key not in self._resident)
            while others and ((budget is not None and used + incoming > budget) or
                              (self.max_models is not None and count > self.max_models)):
                old_key = others.pop(0)
                evicted.append((old_key, self._resident.pop(old_key)))
                used -= self._sizes.get(old_key, 0)
                count -= 1
                self._evicted.add(old_key)
        for old_key, old_runner in evicted:
            log.info("making room for %s: %s (%s) goes", key, old_key, format_gb(self._sizes.get(old_key, 0)))
            self._close(old_key, old_runner)

    def _measure(self, key: str, runner: Runner) -> int:
        try:
            return model_bytes(runner)
        except Exception:  # a runner of an unexpected shape: counted as nothing rather than failing its load
            log.warning("could not measure the size of %s", key, exc_info=True)
            return 0

    def _close(self, key: str, runner: Runner) -> None:
        """Forget an evicted model. Its weights are not torn down here: requests still running on it keep
        their reference and finish normally; the memory is freed when the last of them lets go (Python
        reference counting), and the collector and the CUDA cache are emptied now for what is already free."""
        log.info("evicting %s", key)
        with self._lock:
            for group in [g for g, (r, _) in self._batchers.items() if r is runner]:
                del self._batchers[group]
        del runner
        if self._placement is not None:
            release_memory(self._placement)


_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(GB|MB)\b")


def declared_bytes(size: str) -> int:
    """The bytes an entry's ``size`` text declares ("1.3B params, 2.6 GB in fp16" -> 2.6e9), or 0."""
    found = _SIZE.findall(size or "")
    if not found:
        return 0
    number, unit = found[-1]
    return int(float(number) * (1e9 if unit == "GB" else 1e6))
