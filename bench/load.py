"""Load test: N concurrent API clients for T seconds on a mix of tabs; nothing may be lost.

    python bench/load.py [--clients 64] [--seconds 300] [--url http://host:port/]

Without --url it starts ``app.py --profile tiny`` itself (and samples that process's memory). Each client sends
requests back to back through gradio's REST API (``/gradio_api/call/<api>``), cycling through text, generation,
image and speech tabs. Every request ends as one of:

- succeeded: the ``complete`` event came;
- rejected: turned away clearly: HTTP 503 / "Queue is full" / "busy", or the rate limit's "Too many requests";
- failed: an error event with any other message (a bug for this test's valid inputs);
- lost: no answer (connection dropped, timeout, a stream that ended without complete or error).

Targets: failed = 0 and lost = 0; the server's RSS grows less than 10% from minute 1 to the end (runs of at
least 2 minutes). Before the clock starts, each tab is called once (first loads and imports are start-up, not
growth). Prints the figures; exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.common import ROOT, free_port, verdict, wait_for_http  # noqa: E402

BUSY_WORDS = ("queue is full", "busy", "too many requests")


def text_mix() -> list[tuple[str, list]]:
    return [
        ("classify_text", ["I love this movie", "text-classification/distilbert-sst2"]),
        ("find_named_entities", ["Sarah works for Google in London.", "token-classification/multilingual-ner"]),
        ("answer_question", ["The Eiffel Tower is in Paris.", "Where is the tower?",
                             "question-answering/distilbert-squad", 1]),
        ("chat", ["Hello!", [], "", "chat/qwen2.5-0.5b-instruct", 0.7, 0.9, 16]),
        ("translate", ["Good morning, my friend.", "en", "zh", "opus-mt"]),
        ("summarize", ["The city council met on Tuesday to discuss the new park. " * 5, None,
                       "summarization/distilbart-cnn-12-6", "short", 1, 0.0]),
        ("synthesize_speech", ["Hello there.", "text-to-speech/mms-tts-eng", 1.0, 0, ""]),
    ]


def file_data(path: str) -> dict:
    return {"path": path, "meta": {"_type": "gradio.FileData"}}


async def upload_samples(client) -> list[tuple[str, list]]:
    """Upload one image and one recording; the image and speech calls then refer to the uploaded files."""
    import numpy as np
    import soundfile
    from PIL import Image

    folder = tempfile.mkdtemp()
    image, audio = os.path.join(folder, "cat.png"), os.path.join(folder, "tone.wav")
    Image.new("RGB", (64, 48), (200, 120, 40)).save(image)
    soundfile.write(audio, 0.1 * np.sin(np.linspace(0, 2000, 16000)).astype(np.float32), 16000)
    paths = []
    for path in (image, audio):
        with open(path, "rb") as file:
            response = await client.post("gradio_api/upload", files={"files": (os.path.basename(path), file)})
        response.raise_for_status()
        paths.append(response.json()[0])
    return [("classify_image", [file_data(paths[0]), "image-classification/vit-base", 5]),
            ("detect_objects", [file_data(paths[0]), "object-detection/detr-resnet-50", 0.5, ""]),
            ("transcribe_audio", [file_data(paths[1]), "automatic-speech-recognition/whisper-base", "auto",
                                  "transcribe", True])]


async def call(client, api: str, data: list) -> tuple[str, str]:
    """(outcome, detail) of one request; see the module docstring."""
    try:
        # json.dumps writes NaN and Infinity (httpx's json= refuses them), so bench/hostile.py can send them too
        response = await client.post(f"gradio_api/call/{api}", content=json.dumps({"data": data}),
                                     headers={"Content-Type": "application/json"})
        if response.status_code == 503 or any(w in response.text.lower() for w in BUSY_WORDS):
            return "rejected", f"HTTP {response.status_code}"
        if response.status_code != 200:
            return "failed", f"HTTP {response.status_code}: {response.text[:200]}"
        event_id = response.json()["event_id"]
        event = None
        async with client.stream("GET", f"gradio_api/call/{api}/{event_id}") as stream:
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:].strip()
                elif line.startswith("data: ") and event in ("complete", "error"):
                    if event == "complete":
                        return "succeeded", ""
                    message = line[6:]
                    try:
                        message = str(json.loads(message))
                    except ValueError:
                        pass
                    kind = "rejected" if any(w in message.lower() for w in BUSY_WORDS) else "failed"
                    return kind, message[:200]
        return "lost", "the stream ended without a result"
    except Exception as exc:  # connection dropped, timeout: no answer
        return "lost", f"{type(exc).__name__}: {exc}"[:200]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def run(url: str, clients: int, seconds: float, pid: int | None, timeout: float) -> dict:
    import httpx

    counts: Counter = Counter()
    details: Counter = Counter()
    per_api: Counter = Counter()
    rss: list[tuple[float, float]] = []
    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        mix = text_mix()
        try:
            mix += await upload_samples(client)
        except Exception as exc:  # an app without those tabs, or no upload: run the text mix only
            print(f"note: no image/speech calls ({type(exc).__name__}: {exc})")
        # warm-up, off the clock: each tab's first request once (first model loads, the model libraries'
        # modules imported), so the memory curve that follows shows growth under load, not start-up
        warm_started = time.perf_counter()
        for api, data in mix:
            await call(client, api, data)
        print(f"warm-up: {len(mix)} requests, one per tab, in {time.perf_counter() - warm_started:.0f} s")
        started = time.perf_counter()
        deadline = started + seconds

        async def user(index: int) -> None:
            i = index
            while time.perf_counter() < deadline:
                api, data = mix[i % len(mix)]
                counts["sent"] += 1
                outcome, detail = await call(client, api, data)
                counts[outcome] += 1
                per_api[api, outcome] += 1
                if outcome in ("failed", "lost"):
                    details[f"{api}: {detail}"] += 1
                i += 1

        async def sample() -> None:
            while pid is not None and time.perf_counter() < deadline:
                rss.append((time.perf_counter() - started, rss_mb(pid)))
                await asyncio.sleep(5)

        await asyncio.gather(sample(), *[user(i) for i in range(clients)])
        elapsed = time.perf_counter() - started
    return {"counts": counts, "details": details, "per_api": per_api, "rss": rss, "seconds": elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--url", help="an app already running (its memory is not sampled)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a request counts as lost")
    parser.add_argument("--app-args", default="--max-queue 200",
                        help="extra arguments for the app this script starts")
    args = parser.parse_args()

    process = None
    url = args.url
    if url is None:
        port = free_port()
        process = subprocess.Popen([sys.executable, "app.py", "--profile", "tiny", "--port", str(port),
                                    *args.app_args.split()], cwd=ROOT,
                                   env={**os.environ, "DEMO_LOG_LEVEL": "WARNING"},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url, process, timeout=180)
    try:
        result = asyncio.run(run(url, args.clients, args.seconds, process.pid if process else None, args.timeout))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)

    counts = result["counts"]
    print(f"{args.clients} clients, {result['seconds']:.0f} s: " +
          ", ".join(f"{k} {counts[k]}" for k in ("sent", "succeeded", "rejected", "failed", "lost")))
    for (api, outcome), n in sorted(result["per_api"].items()):
        print(f"  {api:22s} {outcome:10s} {n}")
    for detail, n in result["details"].most_common(10):
        print(f"  {n} x {detail}")
    ok = verdict("answered", counts["sent"] == sum(counts[k] for k in ("succeeded", "rejected", "failed", "lost")),
                 "every request counted once")
    ok &= verdict("failed", counts["failed"] == 0, f"{counts['failed']} (target 0)")
    ok &= verdict("lost", counts["lost"] == 0, f"{counts['lost']} (target 0)")
    ok &= verdict("succeeded", counts["succeeded"] > 0, f"{counts['succeeded']}")
    rss = result["rss"]
    if rss:
        print("  RSS by minute: " + ", ".join(f"{t / 60:.0f} min {mb:.0f} MB" for t, mb in rss
                                               if int(t) % 60 < 5))
        after_first_minute = [mb for t, mb in rss if t >= 60] or [rss[-1][1]]
        base, end = after_first_minute[0], rss[-1][1]
        growth = (end - base) / base
        detail = f"{base:.0f} MB at minute 1 -> {end:.0f} MB at the end ({growth:+.1%}); peak {max(m for _, m in rss):.0f} MB"
        if result["seconds"] >= 120:
            ok &= verdict("memory", growth < 0.10, detail + " (target < +10%)")
        else:
            print(f"note  memory: {detail} (run 2+ minutes for the leak check)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
