"""The replica side of the Ray backend: one Serve deployment class that wraps any runner of ``models.families.runners``.

Each replica loads its model with the same loader as the local backend (``models.runtime.manager.default_loader``)
and serves it through four methods that the front end's ``models.runtime.ray_backend.RemoteRunner`` calls:

- ``call(items, args, kwargs)``: ``runner(items, *args, **kwargs)``, one call (a batch the caller made);
- ``batched(item, kwargs)``: one input, grouped with other callers' inputs by ``@serve.batch``;
- ``stream(item, args, kwargs)``: ``runner.stream(...)``, streamed back item by item;
- ``method(name, *args)`` and ``describe()``: helper methods (``count_tokens``) and plain attributes
  (``kind``, ``window``, ``params``, ``labels``...).

A ``StopToken`` in ``args`` stands for the caller's stop flag (a ``threading.Event`` cannot travel): the
replica puts its own event in its place and sets it when the caller cancels the request, so generation stops
within one decoding step, as it does locally. One model execution runs at a time per replica (the local
backend's gate, per replica); more throughput comes from more replicas and from batching.

``app_builder`` is the ``import_path`` of the config that ``python -m models ray-config`` writes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any, AsyncIterator

from ray import serve

from models.runtime.batching import batch_key
from models.runtime.ray_config import BATCH_WAIT_MS, DEPLOYMENT_NAME, plan
from models.registry.spec import ModelSpec

log = logging.getLogger(__name__)

DEFAULT_BATCH = 16


def _keep_replica_ports_on_loopback() -> None:
    """Serve (2.5x) starts an inter-deployment gRPC server in every replica on ``[::]:0``, every interface,
    whatever address the cluster uses, and has no setting for it. On a cluster kept on loopback
    (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, as the app's own Ray and the tests are) that port alone would
    listen to the network, so it is bound to 127.0.0.1 instead (the replica's address on such a cluster). Runs
    in the replica when it imports this module, before it starts; if Serve changes, nothing is patched
    (``tests/models/runtime/test_ray_serving.py`` checks that every port stays on loopback)."""
    if os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER") != "0":
        return
    try:
        from ray.serve._private import replica
    except ImportError:
        return
    add_port = getattr(replica, "add_port_to_grpc_server", None)
    if add_port is None or getattr(add_port, "on_loopback", False):
        return

    def on_loopback(server, address):
        return add_port(server, "127.0.0.1:0" if address == "[::]:0" else address)

    on_loopback.on_loopback = True
    replica.add_port_to_grpc_server = on_loopback


_keep_replica_ports_on_loopback()


class StopToken:
    """Stands in an argument list for the caller's stop flag (see the module docstring)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StopToken)

    def __hash__(self) -> int:
        return 0


class Failure:
    """One input's exception inside a batch, handed back so the other inputs still get their results."""

    def __init__(self, error: BaseException):
        self.error = error


_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def describe(runner) -> dict[str, Any]:
    """A runner's plain-data attributes (its own and its class's) and its public method names."""
    attributes, methods = {}, []
    for name in dir(runner):
        if name.startswith("_"):
            continue
        try:
            value = getattr(runner, name)
        except Exception:  # a property that cannot be read here is simply not offered
            continue
        if callable(value):
            methods.append(name)
        elif name != "placement" and _plain(value):
            attributes[name] = value
    attributes["params"] = dict(runner.params)
    return {"attributes": attributes, "methods": methods, "placement": runner.placement.describe(),
            "pid": os.getpid()}


@serve.deployment(name=DEPLOYMENT_NAME)
class ModelDeployment:
    def __init__(self, spec: ModelSpec, profile: str = "default", device: str = "auto",
                 max_batch_size: int = DEFAULT_BATCH, batch_wait_ms: float = BATCH_WAIT_MS):
        import ray

        from models.runtime.device import choose_placement
        from models.runtime.manager import default_loader
        from models.settings import cpu_int8

        if device == "auto" and not ray.get_gpu_ids():  # no GPU given to this replica: stay off the GPUs
            device = "cpu"
        self.spec = spec
        self.runner = default_loader(spec, profile, choose_placement(device, cpu_int8=cpu_int8()))
        self.batched_run.set_max_batch_size(max_batch_size)
        self.batched_run.set_batch_wait_timeout_s(batch_wait_ms / 1000)
        self._busy = threading.Lock()  # one model execution at a time in this replica
        self._batches = {"batches": 0, "inputs": 0, "largest": 0}
        self._described = describe(self.runner)
        log.info("replica of %s ready on %s", spec.key, self._described["placement"])

    def describe(self) -> dict[str, Any]:
        return self._described

    def batch_stats(self) -> dict[str, int]:
        """Batches this replica ran through ``batched``: how many, inputs in all, the largest."""
        return dict(self._batches)

    def method(self, name: str, *args) -> Any:
        if name not in self._described["methods"] or name in ("close", "stream", "warm_up", "prepare"):
            raise AttributeError(f"{self.spec.key} offers no method {name!r} remotely")
        return getattr(self.runner, name)(*args)

    async def call(self, items: list, args: tuple = (), kwargs: dict | None = None) -> list:
        stop = threading.Event()
        call_args = [stop if isinstance(a, StopToken) else a for a in args]
        try:
            return await asyncio.to_thread(self._run, lambda: self.runner(items, *call_args, **(kwargs or {})))
        except asyncio.CancelledError:  # the caller stopped or went away: end the generation early
            stop.set()
            raise

    async def batched(self, item: Any, kwargs: dict | None = None) -> Any:
        result = await self.batched_run(item, kwargs or {})
        if isinstance(result, Failure):
            raise result.error
        return result

    @serve.batch(max_batch_size=DEFAULT_BATCH, batch_wait_timeout_s=BATCH_WAIT_MS / 1000)
    async def batched_run(self, items: list, kwargs_list: list[dict]) -> list:
        """A batch from several callers: grouped by their settings, each group one runner call; a group that
        fails is retried input by input, so one caller's bad input fails only that caller."""
        self._batches.update(batches=self._batches["batches"] + 1, inputs=self._batches["inputs"] + len(items),
                             largest=max(self._batches["largest"], len(items)))
        return await asyncio.to_thread(self._run, lambda: self._run_groups(items, kwargs_list))

    async def stream(self, item: Any, args: tuple = (), kwargs: dict | None = None) -> AsyncIterator[Any]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        stop = threading.Event()
        call_args = [stop if isinstance(a, StopToken) else a for a in args]
        done = object()

        def produce() -> None:  # in a thread: the runner's generator is blocking code
            try:
                with self._busy:
                    for value in self.runner.stream(item, *call_args, **(kwargs or {})):
                        loop.call_soon_threadsafe(queue.put_nowait, value)
                        if stop.is_set():
                            break
                loop.call_soon_threadsafe(queue.put_nowait, done)
            except BaseException as exc:  # handed to the consumer below
                loop.call_soon_threadsafe(queue.put_nowait, Failure(exc))

        threading.Thread(target=produce, name=f"stream {self.spec.key}", daemon=True).start()
        try:
            while True:
                value = await queue.get()
                if value is done:
                    return
                if isinstance(value, Failure):
                    raise value.error
                yield value
        finally:  # finished, failed, or cancelled by the caller: a still running generation stops now
            stop.set()

    # --- internals ---------------------------------------------------------------------------------
    def _run(self, work):
        with self._busy:
            return work()

    def _run_groups(self, items: list, kwargs_list: list[dict]) -> list:
        results: list[Any] = [None] * len(items)
        groups: dict[Any, list[int]] = {}
        for index, kwargs in enumerate(kwargs_list):
            groups.setdefault(batch_key("", kwargs), []).append(index)
        for indices in groups.values():
            kwargs = kwargs_list[indices[0]]
            try:
                outputs = self.runner([items[i] for i in indices], **kwargs)
                if len(outputs) != len(indices):
                    raise RuntimeError(f"batched call returned {len(outputs)} results for {len(indices)} inputs")
                for i, output in zip(indices, outputs):
                    results[i] = output
            except Exception as exc:
                if len(indices) == 1:
                    results[indices[0]] = Failure(exc)
                    continue
                for i in indices:
                    try:
                        results[i] = self.runner([items[i]], **kwargs)[0]
                    except Exception as single:
                        results[i] = Failure(single)
        return results


def application(spec: ModelSpec, profile: str, device: str, plan_) -> serve.Application:
    """The Serve application of one model, as the front end deploys it and as ``app_builder`` builds it."""
    return ModelDeployment.options(**plan_.deployment_options()).bind(spec, profile, device, plan_.max_batch_size,
                                                                      plan_.batch_wait_ms)


def app_builder(args: dict[str, Any]) -> serve.Application:
    """Build one model's application from a config file's ``args``: ``model`` (a registry key), and optionally
    ``profile``, ``device``, ``max_batch_size``, ``batch_wait_ms`` and ``models_file`` (a TOML models file on
    the cluster)."""
    from models.registry import builtin_registry

    registry = builtin_registry()
    if args.get("models_file"):
        registry = registry.with_models_file(args["models_file"])
    spec = registry.get(args["model"])
    profile = args.get("profile", "default")
    deployment = plan(spec, profile)
    batch = int(args.get("max_batch_size", deployment.max_batch_size))
    wait = float(args.get("batch_wait_ms", deployment.batch_wait_ms))
    # the config's `deployments` section, when present, overrides these options (Serve applies it on top)
    return ModelDeployment.options(**deployment.deployment_options()).bind(spec, profile, args.get("device", "auto"),
                                                                         batch, wait)
