"""The Ray backend: the same manager interface as ``models.runtime.manager.ModelManager``, with every model served by a
Ray Serve deployment (``models.runtime.ray_serving``) instead of loaded in this process.

``RayModelManager`` keeps the local manager's bookkeeping (one load at a time per key, ``state``, ``failure``,
``preload``) and replaces what a load is: deploying the model's Serve application, or finding it already
running on the cluster (deployed by ``serve deploy`` from ``python -m models ray-config``). ``acquire`` then
returns a ``RemoteRunner``, which the demos call exactly as they call a local runner:

- ``runner(items, *args, **kwargs)`` -> one remote call; ``runner.stream(...)`` -> a remote stream;
- ``runner.count_tokens(...)`` and other helper methods -> remote calls (token counts are cached);
- ``runner.kind``, ``runner.window``, ``runner.params``, ``runner.labels``... -> plain attributes read once.

``manager.batcher(...)`` hands single inputs to the replicas' ``@serve.batch``, so concurrent users of one
model are batched on the replica that serves them. A caller's ``threading.Event`` stop flag becomes a request
cancellation; progress callbacks (diffusion steps, audio pieces) stay local and are not called. A call that
fails because its replica died (killed, node lost) is sent again, up to ``RETRIES`` times: Serve routes it to
a live replica or holds it until the replacement is up.

Nothing here imports Ray until the first model is needed: the app starts in the time a bare gradio app takes.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from models.runtime.batching import Gate
from models.runtime.manager import ModelManager
from models.runtime.ray_config import DEPLOYMENT_NAME, ScalingOverride, plan
from models.registry import Registry
from models.registry.spec import ModelSpec

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
RETRIES = 2               # resends of a call whose replica died
STOP_POLL_S = 0.1         # how often a waiting call looks at its stop flag
DEPLOY_TIMEOUT_S = 900.0  # first deploy downloads weights (the app passes DEMO_RAY_DEPLOY_TIMEOUT's value)
NAMESPACE = "serve"


@dataclass(frozen=True)
class RayPlacement:
    """What the status line shows as the device: the cluster (each replica picks its own device)."""

    address: str

    def describe(self) -> str:
        return f"Ray Serve ({self.address})"

    device = "ray"
    dtype = "per replica"
    is_cuda = False


def _replica_died(exc: BaseException) -> bool:
    from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

    return isinstance(exc, (RayActorError, ActorDiedError, ActorUnavailableError))


def _unwrapped(exc: BaseException) -> BaseException:
    """The model's own exception inside Ray's wrapper (so an InputError reads as itself, without a remote
    traceback in the user's message)."""
    from ray.exceptions import RayTaskError

    if isinstance(exc, RayTaskError) and getattr(exc, "cause", None) is not None:
        return exc.cause
    return exc


_ERROR_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Enabled))(?:\([^)]*\))?: (.+)$")


def _replica_failure(exc: BaseException, detail: str = "") -> BaseException:
    """A failed deployment reports the replicas' traceback as text; this is its last "SomeError: message" line
    as an exception of that class name, so ``explain_load_failure`` recognises it (offline, no such repository,
    out of memory...) and the user sees the model's reason, not Serve's wrapper."""
    lines = [match for line in f"{exc}\n{detail}".splitlines()
             if (match := _ERROR_LINE.match(line)) and not match.group(1).startswith("Ray")]
    if not lines:
        return exc
    name, message = lines[-1].group(1), lines[-1].group(2)
    return type(name, (RuntimeError,), {})(message)


def _wire(args: tuple, kwargs: dict) -> tuple[tuple, dict, list[threading.Event]]:
    """Arguments ready to travel: stop flags become ``StopToken``s, local callbacks are left out."""
    from models.runtime.ray_serving import StopToken

    stops = [a for a in args if isinstance(a, threading.Event)]
    args = tuple(StopToken() if isinstance(a, threading.Event) else a for a in args)
    stops += [v for v in kwargs.values() if isinstance(v, threading.Event)]
    kwargs = {k: (StopToken() if isinstance(v, threading.Event) else v) for k, v in kwargs.items()
              if not callable(v) or isinstance(v, threading.Event)}
    return args, kwargs, stops


class RemoteRunner:
    """A runner that lives in Ray Serve replicas; see the module docstring for what it offers."""

    memory_bytes = 0  # its weights live in the replicas: nothing of this process's memory budget

    def __init__(self, spec: ModelSpec, handle, description: dict):
        self.spec = spec
        self._handle = handle
        self._methods = set(description["methods"])
        self.replica_placement = description["placement"]
        self.resent = 0  # calls sent again because their replica died
        for name, value in description["attributes"].items():
            setattr(self, name, value)
        if "count_tokens" in self._methods:
            self.count_tokens = functools.lru_cache(maxsize=4096)(lambda text: self._method("count_tokens", text))

    def __call__(self, items: list, *args, **kwargs) -> list:
        args, kwargs, stops = _wire(args, kwargs)
        if stops and any(stop.is_set() for stop in stops):
            return [""] * len(items)  # stopped before it started (a generation runner: empty outputs)
        return self._send(lambda: self._handle.call.remote(items, args, kwargs), stops, len(items))

    def stream(self, item: Any, *args, **kwargs) -> Iterator[Any]:
        if "stream" not in self._methods:
            raise AttributeError(f"{self.spec.key} does not stream")
        args, kwargs, stops = _wire(args, kwargs)
        for attempt in range(RETRIES + 1):
            responses = self._handle.options(stream=True).stream.remote(item, args, kwargs)
            started = False
            try:
                for value in responses:
                    started = True
                    yield value
                    if any(stop.is_set() for stop in stops):
                        responses.cancel()  # the replica sets its own stop flag: generation ends now
                        return
                return
            except GeneratorExit:  # the consumer went away (Stop button, disconnect)
                responses.cancel()
                raise
            except Exception as exc:
                if started or attempt == RETRIES or not _replica_died(exc):
                    raise _unwrapped(exc) from None
                self.resent += 1
                log.warning("%s: replica died before the stream began (%s); sending it again", self.spec.key,
                            type(exc).__name__)

    def batched(self, item: Any, kwargs: dict) -> Any:
        return self._send(lambda: self._handle.batched.remote(item, kwargs), [], None)

    def close(self) -> None:
        self._handle = None

    def __getattr__(self, name: str) -> Callable:  # helper methods the runner offers (only called if not found)
        if not name.startswith("_") and name in self.__dict__.get("_methods", ()):
            return lambda *args: self._method(name, *args)
        raise AttributeError(f"{type(self).__name__} of {self.__dict__.get('spec')} has no attribute {name!r}")

    # --- internals ---------------------------------------------------------------------------------
    def _method(self, name: str, *args) -> Any:
        return self._send(lambda: self._handle.method.remote(name, *args), [], None)

    def _send(self, request: Callable, stops: list[threading.Event], size: int | None) -> Any:
        for attempt in range(RETRIES + 1):
            response = request()
            try:
                if not stops:
                    return response.result()
                while True:
                    try:
                        return response.result(timeout_s=STOP_POLL_S)
                    except TimeoutError:
                        if any(stop.is_set() for stop in stops):
                            response.cancel()
                            return [""] * (size or 0)  # like a generation stopped at once: nothing produced
            except Exception as exc:
                if attempt == RETRIES or not _replica_died(exc):
                    raise _unwrapped(exc) from None
                self.resent += 1
                log.warning("%s: replica died during a call (%s); sending it again", self.spec.key,
                            type(exc).__name__)


class RemoteBatcher:
    """What ``manager.batcher`` returns: calls with one input, batched on the replica by ``@serve.batch``."""

    def __init__(self, runner: RemoteRunner, params: dict):
        self.runner, self.params = runner, params

    def __call__(self, item: Any) -> Any:
        return self.runner.batched(item, self.params)


class RayModelManager(ModelManager):
    """A model manager whose models run as Ray Serve deployments (see the module docstring)."""

    load_lock = contextlib.nullcontext()  # nothing loads in this process: deploy several models at once

    def __init__(self, registry: Registry, *, profile: str = "default", device: str = "auto",
                 address: str | None = None, scaling: ScalingOverride | None = None, concurrency: int = 64,
                 max_batch_size: int = 16, deploy_timeout: float = DEPLOY_TIMEOUT_S):
        super().__init__(registry, profile=profile, device=device, max_models=max(1, len(registry)),
                         loader=self._deploy, max_batch_size=max_batch_size)
        self.address = address or None
        self.scaling = scaling or ScalingOverride()
        self.deploy_timeout = deploy_timeout  # seconds a deploy may take before its caller is told why not
        self.gate = Gate(max(1, concurrency))  # Serve limits each replica; this only bounds the front end
        self._connected = threading.Lock()
        self._started_ray = False
        self._deployed: set[str] = set()  # applications this front end created
        self._gpus: bool | None = None

    @property
    def placement(self) -> RayPlacement:
        return RayPlacement(self.address or "local")

    def batcher(self, key: str, runner: RemoteRunner, params: dict) -> RemoteBatcher:
        return RemoteBatcher(runner, params)

    def plan_for(self, spec: ModelSpec):
        return plan(spec, self.profile, self.scaling, gpus_available=self._gpus is not False)

    def preload(self, keys: list[str]) -> dict:
        """Deploy the given models now, all at once (the cluster starts their replicas in parallel)."""
        failures: dict = {}
        load_one = super().preload

        threads = [threading.Thread(target=lambda key=key: failures.update(load_one([key])), name=f"preload {key}")
                   for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return failures

    def close(self) -> None:
        """Forget the handles; a Ray instance this process started is shut down (with its deployments),
        while deployments on a cluster stay up for the other front ends."""
        with self._lock:
            self._resident.clear()
        if self._started_ray:
            import ray
            from ray import serve

            try:
                serve.shutdown()
            finally:
                ray.shutdown()
            self._started_ray = False

    # --- internals ------------------------------------------------------------------------------
    def _connect(self) -> None:
        with self._connected:
            if not self.address or self.address.split(":")[0] in ("127.0.0.1", "localhost"):
                # a Ray on this machine: on loopback only (read when ray is first imported)
                os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
            if not self.address:  # a private local Ray: its workers import this checkout
                os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", ""))
                                                           if p)
            import ray
            from ray import serve

            if not ray.is_initialized():
                if self.address:
                    ray.init(address=self.address, namespace=NAMESPACE, log_to_driver=False)
                else:
                    ray.init(namespace=NAMESPACE, include_dashboard=False, log_to_driver=False)
                    self._started_ray = True
                serve.start(proxy_location="Disabled")
            if self._gpus is None:
                self._gpus = ray.cluster_resources().get("GPU", 0) > 0

    def _deploy(self, spec: ModelSpec, profile: str, placement) -> RemoteRunner:
        """Find the model's application on the cluster, or deploy it; then read what the runner offers."""
        self._connect()
        from ray import serve

        deployment = self.plan_for(spec)
        name = deployment.app_name
        if self._settled_state(name) != "RUNNING":
            from models.runtime.ray_serving import application

            log.info("deploying %s on Ray Serve: %s", spec.key, deployment)
            self._run_with_timeout(application(spec, profile, self._requested_device, deployment), deployment)
            self._deployed.add(name)
        handle = serve.get_deployment_handle(DEPLOYMENT_NAME, app_name=name)
        description = handle.describe.remote().result()
        return RemoteRunner(spec, handle, description)

    def _settled_state(self, name: str) -> str | None:
        """The application's status once no change is under way: an application that another front end is
        deploying, or that Serve is healing (a replica being replaced), is waited for, not deployed again."""
        from ray import serve

        deadline = time.monotonic() + self.deploy_timeout
        while True:
            status = serve.status().applications.get(name)
            state = None if status is None else getattr(status.status, "value", str(status.status))
            if state not in ("DEPLOYING", "UNHEALTHY", "DELETING") or time.monotonic() > deadline:
                return state
            time.sleep(0.5)

    def _run_with_timeout(self, app, deployment) -> None:
        from ray import serve

        name = deployment.app_name
        outcome: list = []

        def run() -> None:
            try:
                serve.run(app, name=name, route_prefix=None)
                outcome.append(None)
            except BaseException as exc:  # reported below, in the caller's thread
                outcome.append(exc)

        worker = threading.Thread(target=run, name=f"deploy {name}", daemon=True)
        worker.start()
        worker.join(self.deploy_timeout)
        if worker.is_alive():
            import ray

            wanted = deployment.deployment_options()["ray_actor_options"]
            raise TimeoutError(f"its replicas did not start within {self.deploy_timeout:.0f} s: the cluster may lack "
                               f"what each asks for ({wanted}); free now: {ray.available_resources()}")
        if outcome and outcome[0] is not None:
            status = serve.status().applications.get(name)  # the replicas' traceback is in the deployment's message
            detail = status.deployments[DEPLOYMENT_NAME].message if status and DEPLOYMENT_NAME in status.deployments \
                else ""
            raise _replica_failure(outcome[0], detail) from outcome[0]

    def _close(self, key: str, runner) -> None:
        """Evicting a model deletes its application if this front end deployed it."""
        from ray import serve

        runner.close()
        name = self.plan_for(self.registry.get(key)).app_name
        if name in self._deployed:
            serve.delete(name)
            self._deployed.discard(name)
