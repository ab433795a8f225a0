"""For the Ray tests: the real Serve deployment (``models.runtime.ray_serving.ModelDeployment``) whose model calls stop at
a gate that the test opens, so that a call is in flight on a replica for as long as the test needs, whatever
the machine's speed. Imported by the replicas too (the test cluster puts this checkout on their PYTHONPATH).

    gate = Gate.options(name=..., namespace=NAMESPACE).remote()  # in the test
    deploy GatedModel with (spec, gate name)       # every replica's runner calls wait at the gate
    ray.get(gate.arrived.remote(1), timeout=...)   # a call has reached a replica and is held there
    gate.open.remote()                             # held and later calls go on to the real model
"""

from __future__ import annotations

import asyncio
import os

import ray

from models.runtime.ray_backend import NAMESPACE
from models.runtime.ray_serving import ModelDeployment


@ray.remote(num_cpus=0)
class Gate:
    """Records each call that reaches a replica (the replica's pid) and holds it until ``open``."""

    def __init__(self) -> None:
        self._pids: list[int] = []
        self._changed = asyncio.Condition()
        self._open = asyncio.Event()

    async def pass_through(self, pid: int) -> None:
        async with self._changed:
            self._pids.append(pid)
            self._changed.notify_all()
        await self._open.wait()

    async def arrived(self, count: int) -> list[int]:
        """The pids of the replicas the first ``count`` calls reached, once that many have arrived."""
        async with self._changed:
            await self._changed.wait_for(lambda: len(self._pids) >= count)
            return list(self._pids)

    def open(self) -> None:
        self._open.set()


class GatedRunner:
    """A runner whose calls wait at the gate first; everything else is the real runner's."""

    def __init__(self, runner, gate) -> None:
        self._runner, self._gate = runner, gate

    def __call__(self, *args, **kwargs):
        ray.get(self._gate.pass_through.remote(os.getpid()))
        return self._runner(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._runner, name)


class GatedModel(ModelDeployment.func_or_class):
    """``ModelDeployment`` with its runner behind the named gate."""

    def __init__(self, spec, gate_name: str, profile: str = "tiny", device: str = "cpu") -> None:
        super().__init__(spec, profile, device)
        self.runner = GatedRunner(self.runner, ray.get_actor(gate_name, namespace=NAMESPACE))
