"""Shared by the benchmark scripts: servers in subprocesses, a light HTTP load client, statistics."""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server import free_port, stop  # noqa: E402  (shared with the tests)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 120) -> float:
    """Seconds until ``url`` answers 200 (the process was started just before)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stdout.read() if process.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


@contextmanager
def server(command: list[str], env: dict | None = None):
    """Start a server command (with PORT substituted) and yield (url, seconds to first 200)."""
    port = free_port()
    command = [part.replace("{PORT}", str(port)) for part in command]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process)
        yield url, time.perf_counter() - started
    finally:
        stop(process)


async def _call(client, api: str, data: list) -> bool:
    response = await client.post(f"gradio_api/call/{api}", json={"data": data})
    if response.status_code != 200:
        return False
    event_id = response.json()["event_id"]
    async with client.stream("GET", f"gradio_api/call/{api}/{event_id}") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: complete"):
                return True
            if line.startswith("event: error"):
                return False
    return False


def load(url: str, api: str, payloads: list[list], clients: int, seconds: float) -> dict:
    """``clients`` concurrent users, each sending requests back to back for ``seconds``.

    asyncio + httpx on gradio's REST API: light enough that the client does not become the bottleneck
    (its own CPU time is reported)."""
    import httpx

    latencies: list[float] = []
    failures = 0

    async def user(client, index):
        nonlocal failures
        i = index
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = await _call(client, api, payloads[i % len(payloads)])
            except httpx.HTTPError:  # a dropped connection is a failed request, not the end of the run
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1
            i += clients

    async def main():
        limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
            await asyncio.gather(*[user(client, i) for i in range(clients)])

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {"requests": len(latencies), "failures": failures, "seconds": elapsed,
            "rps": len(latencies) / elapsed, "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "client_cpu_share": client_cpu / elapsed}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def verdict(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'MISS'}  {name}: {detail}")
    return ok
