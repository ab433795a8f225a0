"""Throughput of a bert-base-sized random-weight classifier served by the local backend and by Ray Serve with
1 and 2 replicas, measured in the same run, at two layers:

- model layer: threads in this process call the manager's batcher directly (what the backend alone gives);
- app layer: the whole app (gradio front end + backend), driven by the light REST load client of bench/common.py.

    python bench/ray_scaling.py [--clients 16] [--seconds 15] [--rounds 2]

Each setting is measured once per round, the rounds one after another; the best round counts (other work on
a shared machine only ever slows a run down).

Each replica gets one CPU, so one torch thread (Ray sets OMP_NUM_THREADS from num_cpus): on a busy 2-core machine
one replica with two threads ran 2-3x slower than with one (3.5 vs 6.9-12.2 req/s, measured here), since each
of torch's threads waits for the others at every operation. The local backend runs as the app does by default
(torch's own thread count). On a 2-core machine the replicas, the front end and the load client all share two
cores: the figures show the overheads, not what a GPU cluster gains (docs/ray.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.common import ROOT, load, server  # noqa: E402
from bench.realsize import bert_base_classifier, models_file_pointing  # noqa: E402
from bench.throughput import SENTENCES  # noqa: E402

CORES = os.cpu_count() or 1


def hammer(call, clients: int, seconds: float) -> dict:
    """``clients`` threads calling ``call(text)`` back to back for ``seconds``: requests/s and p50 latency."""
    latencies: list[float] = []
    failures = [0]
    deadline = time.perf_counter() + seconds

    def user(index: int) -> None:
        i = index
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                call(SENTENCES[i % len(SENTENCES)])
                latencies.append(time.perf_counter() - started)
            except Exception:
                failures[0] += 1
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2] if latencies else float("nan"),
            "requests": len(latencies), "failures": failures[0]}


def show(name: str, result: dict) -> None:
    print(f"  {name:<22} {result['rps']:7.1f} req/s   p50 {result['p50'] * 1000:6.0f} ms   "
          f"({result['requests']} ok, {result['failures']} failed)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # loopback only (read when ray is imported)
    import ray
    from ray import serve

    from models.runtime.manager import ModelManager
    from models.runtime.ray_backend import RayModelManager
    from models.runtime.ray_config import ScalingOverride, app_name
    from models.registry import builtin_registry

    spec, folder = bert_base_classifier()
    models_file = models_file_pointing(spec, folder, Path(tempfile.mkdtemp()) / "models.toml")
    registry = builtin_registry().with_models_file(models_file)
    rounds: list[dict[str, dict]] = []
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    address = ray.init(num_cpus=CORES, include_dashboard=False, namespace="serve",
                       log_to_driver=False).address_info["gcs_address"]
    settings = {1: 1, 2: 1}  # replicas -> CPUs per replica (torch threads follow)
    payloads = [[s, spec.key] for s in SENTENCES]
    base = [sys.executable, "app.py", "--demos", "text-classification", "--device", "cpu",
            "--models-file", str(models_file), "--port", "{PORT}"]
    try:
        for _ in range(args.rounds):
            results: dict[str, dict] = {}
            # --- model layer: the backend alone -------------------------------------------------------
            local = ModelManager(registry, device="cpu")
            runner = local.get(spec.key)
            batcher = local.batcher(spec.key, runner, {})
            hammer(batcher, 4, 2)  # warm up
            results["model: local"] = hammer(batcher, args.clients, args.seconds)
            local.close()
            del runner, batcher, local
            for replicas, cpus in settings.items():
                manager = RayModelManager(registry, address=address, device="cpu",
                                          scaling=ScalingOverride.parse(str(replicas), "0", str(cpus)))
                runner = manager.get(spec.key)
                batcher = manager.batcher(spec.key, runner, {})
                hammer(batcher, 4, 2)
                results[f"model: ray x{replicas}"] = hammer(batcher, args.clients, args.seconds)
                serve.delete(app_name(spec.key))
            # --- app layer: front end + backend, driven over HTTP ---------------------------------------
            with server(base) as (url, _):
                load(url, "classify_text", payloads, clients=4, seconds=2)
                results["app: local"] = load(url, "classify_text", payloads, args.clients, args.seconds)
            for replicas, cpus in settings.items():
                command = base + ["--backend", "ray", "--ray-address", address, "--ray-replicas", str(replicas),
                                  "--ray-cpus", str(cpus), "--preload"]
                with server(command) as (url, _):
                    load(url, "classify_text", payloads, clients=4, seconds=2)
                    results[f"app: ray x{replicas}"] = load(url, "classify_text", payloads, args.clients,
                                                            args.seconds)
                serve.delete(app_name(spec.key))
            rounds.append(results)
    finally:
        serve.shutdown()
        ray.shutdown()

    results = {name: max((r[name] for r in rounds), key=lambda r: r["rps"]) for name in rounds[0]}
    load_average = os.getloadavg()[0]
    print(f"bert-base-sized classifier ({folder.name}), CPU, {CORES} cores, {args.clients} concurrent clients, "
          f"{args.seconds:.0f} s each, best of {args.rounds} round(s); load average at the end {load_average:.1f}")
    for name, result in results.items():
        show(name, result)
    for layer in ("model", "app"):
        local_rps = results[f"{layer}: local"]["rps"]
        one, two = results[f"{layer}: ray x1"]["rps"], results[f"{layer}: ray x2"]["rps"]
        print(f"  {layer} layer: ray x1 = {one / local_rps:.2f}x local, ray x2 = {two / local_rps:.2f}x local, "
              f"x2/x1 = {two / one:.2f}")
    return 0 if all(r["failures"] == 0 for round_ in rounds for r in round_.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
