"""Hostile load: good users and hostile users at the same time; the cost of every request must stay bounded.

    python bench/hostile.py [--clients 64] [--seconds 300] [--hostile-share 0.25]

It starts ``app.py --profile tiny`` itself with a login (``--auth``, one user per good client and one for the
attacker), ``--mcp`` (with a token when the app has ``--mcp-token``), ``--rate-limit``, a small
``--max-upload-mb`` and its own fresh ``GRADIO_TEMP_DIR``, then runs three phases:

- A (the first quarter): good clients only, logged in, cycling through the tabs (every other request is
  ``classify_text``, whose latency is the yardstick);
- B (the rest): the same good clients, and hostile clients, each repeating one of the attacks below (so a
  slow attack does not crowd out the others; at least one client per attack, --hostile-share of the clients
  when that is more), pacing itself to one request every --hostile-pause seconds (a flood is a proxy's job;
  this measures the cost of each request);
- door (after B, once the server has worked off what was left): only the requests that must be turned away
  at the door, so that the bytes they leave in the temp folder are measured with nothing else writing there.

Attacks: image bombs (a header declaring 10^10 pixels; a just-allowed many-megapixel PNG that compresses to
kilobytes), an audio bomb (FLAC silence, 8 channels at 192 kHz, small on disk), a chat history of thousands of
tiny messages, a CSV whose header repeats one name thousands of times, odd inputs (NaN, lists), bursts of
wrong passwords at /login (also with forged X-Forwarded-For), and at the door: MCP ``tools/call`` without a token
carrying a base64 ``data:`` image, a ``data:`` URL in a JSON body without a login, an upload without a login,
and a logged-in ``data:`` URL larger than the upload limit.

Each hostile request ends as: served (the server did the work), refused (an HTTP 4xx, or an error event with a
message), errored (an HTTP 5xx, an error without a message, or an MCP call that got past the door and then
failed), hung (no answer within --hostile-timeout). Good requests end as in bench/load.py: succeeded, rejected
(busy / rate limit), failed, lost (no answer in --timeout s, or still waiting --drain s after the end). The
classify p95 counts succeeded and lost requests (a lost one with the time it waited).

Targets (exit 1 on a miss): good failed = 0 and lost = 0; good classify p95 with the hostile share at most
2x the same run's p95 without it; the peak RSS at most the peak before the hostile share + the budget (the
app's --max-decoded-mb when it has one, else 1024 MB, or --rss-budget-mb); 0 bytes written to the
temp folder by door requests, and every door request refused with a 4xx; wrong passwords checked at most
--max-guesses-per-min a minute (a login throttle that forged X-Forwarded-For does not reset); no hostile
request hung or errored. The server is killed if its RSS passes idle + --rss-kill-mb (protects a shared
machine; counts as a miss).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import re
import resource
import secrets
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.common import ROOT, free_port, percentile, stop, verdict, wait_for_http  # noqa: E402
from bench.load import call, file_data, rss_mb, text_mix, upload_samples  # noqa: E402

CLASSIFY = ("classify_text", ["I love this movie", "text-classification/distilbert-sst2"])
IMAGE_MODEL = "image-classification/vit-base"
ASR_MODEL = "automatic-speech-recognition/whisper-base"
CHAT_MODEL = "chat/qwen2.5-0.5b-instruct"
ATTACKER = "mallory"
MCP_ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


# --- the app ----------------------------------------------------------------------------------------

def app_help() -> str:
    """``app.py --help``: which options this version of the app has (the bench runs before and after a fix)."""
    return subprocess.run([sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120).stdout


def memory_budget(args, help_text: str) -> tuple[int, str]:
    """The MB the hostile share may add to the peak RSS, and where that figure comes from: --rss-budget-mb, else
    the app's budget for decoded media in flight (--max-decoded-mb as run, DEMO_MAX_DECODED_MB, its default)."""
    if args.rss_budget_mb is not None:
        return args.rss_budget_mb, "--rss-budget-mb"
    given = re.search(r"--max-decoded-mb[ =](\d+)", args.app_args)
    if given:
        return int(given.group(1)), "the app's --max-decoded-mb"
    if "--max-decoded-mb" in help_text and os.environ.get("DEMO_MAX_DECODED_MB", "").strip().isdigit():
        return int(os.environ["DEMO_MAX_DECODED_MB"]), "the app's DEMO_MAX_DECODED_MB"
    default = re.search(r"^\s*--max-decoded-mb MAX_DECODED_MB\b.*?\(default:\s*(\d+)\)", help_text, re.S | re.M)
    if default:
        return int(default.group(1)), "the app's --max-decoded-mb default"
    return 1024, "this bench's default (the app has no --max-decoded-mb)"


@dataclass
class App:
    url: str
    process: subprocess.Popen
    temp: Path
    users: dict[str, str]
    mcp_token: str | None
    max_upload_mb: int


def start_app(args, good_clients: int, work: Path, flags: set[str]) -> App:
    users = {f"good{i}": f"pw-{i}-{random.randrange(10**9)}" for i in range(good_clients)}
    users[ATTACKER] = f"pw-m-{random.randrange(10**9)}"
    temp = work / "gradio-temp"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "DEMO_LOG_LEVEL": "WARNING", "GRADIO_TEMP_DIR": str(temp),
           "DEMO_AUTH": ",".join(f"{u}:{p}" for u, p in users.items())}  # not on the command line
    command = [sys.executable, "app.py", "--profile", "tiny", "--port", str(port), "--mcp",
               "--rate-limit", str(args.rate_limit), "--max-upload-mb", str(args.max_upload_mb),
               "--data-dir", str(work / "data"), *args.app_args.split()]
    mcp_token = None
    if "--mcp-token" in flags:
        mcp_token = secrets.token_urlsafe(24)
        env["DEMO_MCP_TOKEN"] = mcp_token
    with open(work / "app.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, timeout=180)
    except RuntimeError:
        stop(process)
        raise RuntimeError(f"the app did not start; its last lines:\n{log_tail(work)}") from None
    return App(url, process, temp, users, mcp_token, args.max_upload_mb)


def log_tail(work: Path, lines: int = 15) -> str:
    try:
        return "\n".join((work / "app.log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def folder_bytes(folder: Path) -> dict[str, int]:
    sizes = {}
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                sizes[str(path)] = path.stat().st_size
        except OSError:
            pass
    return sizes


# --- hostile payloads (built on the client, small on disk) -------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, rows: int | None = None, text: bytes = b"") -> bytes:
    """An RGB PNG of black pixels; ``rows`` limits how many rows the data holds (fewer: a header-only bomb)."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = _chunk(b"tEXt", b"Comment\x00" + text) if text else b""
    compressor, row, parts = zlib.compressobj(9), b"\x00" * (1 + 3 * width), []
    for _ in range(height if rows is None else rows):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + header + body + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def flac_silence(path: Path, rate: int, channels: int, seconds: float) -> None:
    import numpy as np
    import soundfile

    block = np.zeros((1 << 18, channels), np.int16)
    with soundfile.SoundFile(path, "w", rate, channels, format="FLAC", subtype="PCM_16") as sound:
        left = int(rate * seconds)
        while left > 0:
            sound.write(block[:min(left, len(block))])
            left -= len(block)


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def marked_png(n: int, padding: int = 0) -> bytes:
    """A small, unique image (so that each request would write a new file)."""
    return png(32, 32, text=f"hostile {n} {random.random()}".encode() + b"x" * padding)


def forged_address() -> str:
    return ".".join(str(random.randrange(1, 255)) for _ in range(4))


# --- one request's outcome -----------------------------------------------------------------------------

HOSTILE_OUTCOMES = ("served", "refused", "errored", "hung")


async def hostile_call(client, api: str, data: list, timeout: float) -> tuple[str, str, int | None]:
    """(outcome, detail, HTTP status of the POST or None) of one gradio API call by a hostile client."""
    try:
        outcome, detail = await asyncio.wait_for(call(client, api, data), timeout)
    except asyncio.TimeoutError:
        return "hung", f"no answer in {timeout:.0f} s", None
    status = re.match(r"HTTP (\d+)", detail)
    code = int(status.group(1)) if status else 200
    if outcome == "succeeded":
        return "served", "", 200
    if outcome == "rejected":
        return "refused", detail, code
    if outcome == "lost":
        return "hung", detail, None
    if status:
        return ("refused" if 400 <= code < 500 else "errored"), detail, code
    return ("errored" if detail.strip() in ("", "None", "null") else "refused"), detail, 200


async def timed_post(client, path: str, timeout: float, **kwargs) -> tuple[int | None, str]:
    try:
        response = await asyncio.wait_for(client.post(path, **kwargs), timeout)
        return response.status_code, response.text
    except asyncio.TimeoutError:
        return None, f"no answer in {timeout:.0f} s"
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]


# --- the attacks --------------------------------------------------------------------------------------

@dataclass
class Kit:
    """What the attacks need: the attacker's logged-in client, a client without a login, uploaded files."""

    app: App
    authed: object
    anon: object
    files: dict[str, str]
    history: list[dict]
    timeout: float
    mcp_tool: str
    guess_burst: int
    oversize: dict | None = None
    counter: int = 0

    def next(self) -> int:
        self.counter += 1
        return self.counter


async def attack_image_header_bomb(kit: Kit):
    return await hostile_call(kit.authed, "classify_image", [file_data(kit.files["header_bomb"]), IMAGE_MODEL, 5],
                              kit.timeout)


async def attack_image_pixel_bomb(kit: Kit):
    return await hostile_call(kit.authed, "classify_image", [file_data(kit.files["pixel_bomb"]), IMAGE_MODEL, 5],
                              kit.timeout)


async def attack_audio_bomb(kit: Kit):
    return await hostile_call(kit.authed, "transcribe_audio",
                              [file_data(kit.files["audio_bomb"]), ASR_MODEL, "auto", "transcribe", True],
                              kit.timeout)


async def attack_long_history(kit: Kit):
    return await hostile_call(kit.authed, "chat", ["Hello!", kit.history, "", CHAT_MODEL, 0.7, 0.9, 16],
                              kit.timeout)


async def attack_huge_csv(kit: Kit):
    return await hostile_call(kit.authed, "read_columns", [file_data(kit.files["csv"])], kit.timeout)


ODD_INPUTS = [
    ("classify_image", lambda kit: [file_data(kit.files["image"]), IMAGE_MODEL, float("nan")]),
    ("detect_objects", lambda kit: [file_data(kit.files["image"]), "object-detection/detr-resnet-50",
                                    float("nan"), ""]),
    ("chat", lambda kit: ["Hello!", [], "", CHAT_MODEL, float("nan"), 0.9, [16]]),
    ("classify_text", lambda kit: [["a"] * 100_000, "text-classification/distilbert-sst2"]),
    ("synthesize_speech", lambda kit: ["Hello.", "text-to-speech/mms-tts-eng", float("inf"), 0, ""]),
]


async def attack_odd_inputs(kit: Kit):
    api, data = ODD_INPUTS[kit.next() % len(ODD_INPUTS)]
    return await hostile_call(kit.authed, api, data(kit), kit.timeout)


async def _guess(kit: Kit, forge: bool):
    """A burst of wrong passwords for a real user (one outcome per guess)."""
    results = []
    for _ in range(kit.guess_burst):
        headers = {"X-Forwarded-For": forged_address()} if forge else {}
        status, text = await timed_post(kit.anon, "login", kit.timeout, headers=headers,
                                        data={"username": "good0", "password": f"guess-{kit.next()}"})
        if status is None:
            results.append(("hung", text, None))
        elif status in (400, 401) and not any(w in text.lower() for w in ("too many", "try again")):
            # the password was checked (and was wrong)
            results.append(("served", f"HTTP {status}", status))
        elif status == 200:
            results.append(("errored", "a guessed password was accepted", status))
        else:
            results.append(("refused" if status < 500 else "errored", f"HTTP {status}: {text[:100]}", status))
    return results


async def attack_login_guess(kit: Kit):
    return await _guess(kit, forge=False)


async def attack_login_guess_xff(kit: Kit):
    return await _guess(kit, forge=True)


async def door_mcp_unauth(kit: Kit):
    """An MCP tools/call without a token (or a wrong one), carrying a base64 image."""
    n = kit.next()
    headers = {**MCP_ACCEPT, "X-Forwarded-For": forged_address()}
    if n % 2:
        headers["Authorization"] = "Bearer wrong-token"
    body = {"jsonrpc": "2.0", "id": n, "method": "tools/call",
            "params": {"name": kit.mcp_tool,
                       "arguments": {"image": data_url(marked_png(n, 32_000)), "model": IMAGE_MODEL}}}
    status, text = await timed_post(kit.anon, "gradio_api/mcp/", kit.timeout, json=body, headers=headers)
    if status is None:
        return "hung", text, None
    if 400 <= status < 500:
        return "refused", f"HTTP {status}", status
    if status != 200:
        return "errored", f"HTTP {status}", status
    if '"isError":true' in text.replace(" ", "") or '"error"' in text:
        return "errored", "got past the door, then failed: " + text[-150:].strip(), status
    return "served", "the tool ran without a token", status


def data_url_image(kit: Kit, padding: int) -> dict:
    """An image whose ``path`` is an uploaded file (gradio checks it) and whose ``url`` is a data: URL (which gradio
    then decodes instead)."""
    return {"url": data_url(marked_png(kit.next(), padding)), "path": kit.files["image"],
            "meta": {"_type": "gradio.FileData"}}


async def door_data_url_unauth(kit: Kit):
    image = data_url_image(kit, 32_000)
    return await hostile_call(kit.anon, "classify_image", [image, IMAGE_MODEL, 5], kit.timeout)


async def door_upload_unauth(kit: Kit):
    status, text = await timed_post(kit.anon, "gradio_api/upload", kit.timeout,
                                    headers={"X-Forwarded-For": forged_address()},
                                    files={"files": ("x.png", marked_png(kit.next(), 32_000))})
    if status is None:
        return "hung", text, None
    return ("refused" if 400 <= status < 500 else "served" if status == 200 else "errored"), f"HTTP {status}", status


async def door_data_url_oversize(kit: Kit):
    """Logged in, but a data: URL twice the upload limit inside the JSON body."""
    if kit.oversize is None:  # built once: 12 MB of base64 per request would load this client, not the server
        kit.oversize = data_url_image(kit, (2 * kit.app.max_upload_mb + 1) * 2**20)  # base64: 2.7x the limit
    return await hostile_call(kit.authed, "classify_image", [kit.oversize, IMAGE_MODEL, 5], kit.timeout)


ATTACKS = {
    "image-header-bomb": attack_image_header_bomb,
    "image-pixel-bomb": attack_image_pixel_bomb,
    "audio-bomb": attack_audio_bomb,
    "long-history": attack_long_history,
    "huge-csv": attack_huge_csv,
    "odd-inputs": attack_odd_inputs,
    "login-guess": attack_login_guess,
    "login-guess-xff": attack_login_guess_xff,
}
DOOR = {
    "mcp-unauth": door_mcp_unauth,
    "data-url-unauth": door_data_url_unauth,
    "upload-unauth": door_upload_unauth,
    "data-url-oversize": door_data_url_oversize,
}
GUESSES = ("login-guess", "login-guess-xff")


async def build_kit(args, app: App, authed, anon, work: Path) -> Kit:
    """Write the bombs here, upload them as the attacker (before the temp folder is measured)."""
    (work / "header_bomb.png").write_bytes(png(100_000, 100_000, rows=1))
    side = int((args.bomb_megapixels * 1e6) ** 0.5)
    (work / "pixel_bomb.png").write_bytes(png(side, side))
    (work / "image.png").write_bytes(png(64, 48))
    seconds = args.audio_bomb_mb * 2**20 / (4 * 8 * 192_000)  # decoded as float32
    flac_silence(work / "audio_bomb.flac", 192_000, 8, seconds)
    (work / "columns.csv").write_text(",".join(["text"] * args.csv_columns) + "\n" +
                                      ",".join(["a"] * args.csv_columns) + "\n")
    files = {}
    for key, name in (("header_bomb", "header_bomb.png"), ("pixel_bomb", "pixel_bomb.png"), ("image", "image.png"),
                      ("audio_bomb", "audio_bomb.flac"), ("csv", "columns.csv")):
        with open(work / name, "rb") as file:
            response = await authed.post("gradio_api/upload", files={"files": (name, file)})
        response.raise_for_status()
        files[key] = response.json()[0]
    history = [{"role": ("user", "assistant")[i % 2], "content": [{"type": "text", "text": "hi"}]}
               for i in range(args.history_messages)]  # gradio 6's message format
    print(f"hostile payloads: header bomb 100000x100000 ({(work / 'header_bomb.png').stat().st_size} B), "
          f"pixel bomb {side}x{side} ({(work / 'pixel_bomb.png').stat().st_size / 1024:.0f} KB), "
          f"audio bomb 8 ch x 192 kHz x {seconds:.0f} s = {args.audio_bomb_mb} MB decoded "
          f"({(work / 'audio_bomb.flac').stat().st_size / 1024:.0f} KB), chat history of {len(history)} "
          f"messages, CSV header of {args.csv_columns} equal names")
    return Kit(app, authed, anon, files, history, args.hostile_timeout, await mcp_tool_name(authed),
               args.guess_burst)


async def mcp_tool_name(client, endpoint: str = "classify_image") -> str:
    """The MCP tool of an API endpoint (gradio names tools after the functions, e.g. ``classify``)."""
    try:
        response = await client.get("gradio_api/mcp/schema")
        return next(tool["name"] for tool in response.json() if tool["meta"]["endpoint_name"] == endpoint)
    except Exception:  # a server that hides its schema: the name it had when this was written
        return "classify"


# --- the run -------------------------------------------------------------------------------------------

@dataclass
class Record:
    good: list = field(default_factory=list)          # (start, api, outcome, seconds, detail)
    hostile: list = field(default_factory=list)       # (start, class, outcome, detail)
    rss: list = field(default_factory=list)           # (t, MB)
    client_cpu: list = field(default_factory=list)    # this process's CPU seconds per second, phase A then B
    load: list = field(default_factory=list)          # the machine's 1-minute load average: start, A end, B end
    killed: str = ""


async def login(client, user: str, password: str, patience: float = 120) -> None:
    deadline = time.perf_counter() + patience
    while True:
        response = await client.post("login", data={"username": user, "password": password})
        if response.status_code != 429 or time.perf_counter() > deadline:  # a login throttle: wait as told
            break
        await asyncio.sleep(float(response.headers.get("retry-after") or 5))
    if response.status_code != 200:
        raise RuntimeError(f"login as {user} failed: HTTP {response.status_code} {response.text[:200]}")


async def run(args, app: App, work: Path, good_n: int, hostile_n: int) -> tuple[Record, dict]:
    import httpx

    record = Record()
    def new(connections: int = 4):
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(base_url=app.url, timeout=args.timeout, limits=limits)

    goods = [new() for _ in range(good_n)]
    authed, anon = new(2 * hostile_n + 4), new(2 * hostile_n + 4)
    try:
        for i, client in enumerate(goods):
            await login(client, f"good{i}", app.users[f"good{i}"])
        await login(authed, ATTACKER, app.users[ATTACKER])
        others = text_mix()[1:] + await upload_samples(goods[0])
        mix = [pair for other in others for pair in (CLASSIFY, other)]  # every other request classifies
        started = time.perf_counter()
        for api, data in [CLASSIFY, *others]:
            await call(goods[0], api, data)
        print(f"warm-up: {len(others) + 1} requests, one per tab, in {time.perf_counter() - started:.0f} s")
        kit = await build_kit(args, app, authed, anon, work)
        await asyncio.sleep(2)
        idle = min(rss_mb(app.process.pid) for _ in range(3))

        baseline = max(10.0, args.seconds * args.baseline_share)
        t0 = time.perf_counter()
        hostile_start, deadline = t0 + baseline, t0 + args.seconds
        stop = asyncio.Event()

        async def good(index: int) -> None:
            i = index
            while time.perf_counter() < deadline and not stop.is_set():
                api, data = mix[i % len(mix)]
                began = time.perf_counter()
                try:
                    outcome, detail = await asyncio.wait_for(call(goods[index], api, data), args.timeout)
                except asyncio.TimeoutError:
                    outcome, detail = "lost", f"no answer in {args.timeout:.0f} s"
                except asyncio.CancelledError:
                    record.good.append((began - t0, api, "lost", time.perf_counter() - began, "cut at the drain"))
                    raise
                record.good.append((began - t0, api, outcome, time.perf_counter() - began, detail))
                i += 1

        async def hostile(index: int) -> None:  # one attack per client, so that slow ones do not crowd out others
            name = args.attacks[index % len(args.attacks)]
            await asyncio.sleep(max(0.0, hostile_start - time.perf_counter()))
            while time.perf_counter() < deadline and not stop.is_set():
                began = time.perf_counter()
                try:
                    results = await {**ATTACKS, **DOOR}[name](kit)
                except asyncio.CancelledError:
                    record.hostile.append((began - t0, name, "hung", "cut at the drain"))
                    raise
                for outcome, detail, _ in results if isinstance(results, list) else [results]:
                    record.hostile.append((began - t0, name, outcome, detail))
                await asyncio.sleep(max(0.0, args.hostile_pause - (time.perf_counter() - began)))

        async def sample() -> None:
            while not stop.is_set():
                mb = rss_mb(app.process.pid)
                record.rss.append((time.perf_counter() - t0, mb))
                if mb > idle + args.rss_kill_mb:
                    record.killed = f"RSS {mb:.0f} MB passed idle {idle:.0f} + {args.rss_kill_mb} MB"
                    app.process.kill()
                    stop.set()
                    return
                await asyncio.sleep(0.2)

        def cpu() -> float:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime

        async def cpu_marks() -> None:  # this client's CPU share in each phase (it shares the machine's cores)
            for when in (hostile_start, deadline):
                before, began = cpu(), time.perf_counter()
                await asyncio.sleep(max(0.0, when - time.perf_counter()))
                record.client_cpu.append((cpu() - before) / max(1e-9, time.perf_counter() - began))
                record.load.append(os.getloadavg()[0])

        record.load.append(os.getloadavg()[0])
        sampler = asyncio.create_task(sample())
        marks = asyncio.create_task(cpu_marks())
        tasks = [asyncio.create_task(good(i)) for i in range(good_n)]
        tasks += [asyncio.create_task(hostile(i)) for i in range(hostile_n)]
        await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
        done, pending = await asyncio.wait(tasks, timeout=None if stop.is_set() else args.drain)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = time.perf_counter() - t0
        marks.cancel()
        door = await door_phase(args, app, kit) if not record.killed else {}
        stop.set()
        await sampler
        return record, {"idle": idle, "baseline": baseline, "elapsed": elapsed, "door": door,
                        "drain_cut": len(pending)}
    finally:
        for client in [*goods, authed, anon]:
            await client.aclose()


async def settle(kit: Kit, quick: float = 2.0, patience: float = 180) -> None:
    """Wait until the server has worked off what clients gave up on (a classify request answers quickly again),
    so that nothing else writes to the temp folder while the door requests are measured."""
    deadline = time.perf_counter() + patience
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        outcome, _, _ = await hostile_call(kit.authed, *CLASSIFY, timeout=patience)
        if outcome == "served" and time.perf_counter() - began < quick:
            break
        await asyncio.sleep(1)
    await asyncio.sleep(1)


async def door_phase(args, app: App, kit: Kit) -> dict:
    """Only door requests, nothing else running: the bytes they leave in the temp folder."""
    await settle(kit)
    before = folder_bytes(app.temp)
    outcomes = Counter()
    for _ in range(args.door_requests):
        for name, attack in DOOR.items():
            outcome, detail, status = await attack(kit)
            outcomes[name, outcome] += 1
    await asyncio.sleep(1)
    after = folder_bytes(app.temp)
    written = sum(size - before.get(path, 0) for path, size in after.items() if size > before.get(path, 0))
    return {"bytes": written, "files": len(set(after) - set(before)), "outcomes": outcomes}


# --- the report --------------------------------------------------------------------------------------------

def report(args, record: Record, info: dict, good_n: int, hostile_n: int, budget: int, source: str) -> bool:
    ok = True
    baseline = info["baseline"]
    counts = Counter(outcome for _, _, outcome, _, _ in record.good)
    print(f"\n{good_n} good + {hostile_n} hostile clients, {info['elapsed']:.0f} s "
          f"(good alone for the first {baseline:.0f} s)")
    print(f"good requests: sent {len(record.good)}, " +
          ", ".join(f"{k} {counts[k]}" for k in ("succeeded", "rejected", "failed", "lost")))
    details = Counter(f"{api}: {detail}" for _, api, outcome, _, detail in record.good
                      if outcome in ("failed", "lost"))
    for detail, n in details.most_common(6):
        print(f"    {n} x {detail[:160]}")

    def classify(lo: float, hi: float, q: float = 95) -> tuple[float, int]:
        values = [s for start, api, outcome, s, _ in record.good  # a lost request: the time it waited, at least
                  if api == CLASSIFY[0] and outcome in ("succeeded", "lost") and lo <= start < hi]
        return percentile(values, q), len(values)

    def done_per_s(lo: float, hi: float) -> float:
        return sum(1 for start, _, outcome, _, _ in record.good
                   if outcome == "succeeded" and lo <= start < hi) / max(1e-9, hi - lo)

    alone, n_alone = classify(0, baseline)
    mixed, n_mixed = classify(baseline, float("inf"))
    ratio = mixed / alone if alone == alone and alone > 0 else float("nan")
    print(f"good classify_text p95: alone {alone:.2f} s ({n_alone} requests), "
          f"with the hostile share {mixed:.2f} s ({n_mixed} requests); p50 {classify(0, baseline, 50)[0]:.2f} s "
          f"and {classify(baseline, float('inf'), 50)[0]:.2f} s")
    print(f"good requests answered per second: {done_per_s(0, baseline):.2f} alone, "
          f"{done_per_s(baseline, args.seconds):.2f} with the hostile share")
    phases = ", ".join(f"phase {p} {c:.2f}" for p, c in zip("AB", record.client_cpu))
    print(f"this client's CPU (cores busy): {phases}" +
          f"; machine load average {', '.join(f'{x:.1f}' for x in record.load)} ({os.cpu_count()} cores)")

    print("\nhostile requests by class (A: during the run; door: the quiet phase after it)")
    print(f"  {'class':25s} {'sent':>6s} " + " ".join(f"{o:>8s}" for o in HOSTILE_OUTCOMES) + "  example")
    by_class = defaultdict(Counter)
    example = {}
    for _, name, outcome, detail in record.hostile:
        by_class[name][outcome] += 1
        if outcome != "served" or name not in example:
            example[name] = " ".join(f"{outcome}: {detail}".split())
    for name, outcome in info["door"].get("outcomes", {}):
        by_class[name + " (door)"][outcome] += info["door"]["outcomes"][name, outcome]
    for name in [*ATTACKS, *DOOR, *(f"{d} (door)" for d in DOOR)]:
        c = by_class.get(name, Counter())
        print(f"  {name:25s} {sum(c.values()):6d} " + " ".join(f"{c[o]:8d}" for o in HOSTILE_OUTCOMES) +
              f"  {example.get(name, '')[:80]}")

    peak = max((mb for _, mb in record.rss), default=float("nan"))
    peak_alone = max((mb for t, mb in record.rss if t < baseline), default=float("nan"))
    idle = info["idle"]
    base = max(idle, peak_alone)
    print(f"\nRSS: idle {idle:.0f} MB, peak {peak_alone:.0f} MB with good users alone, {peak:.0f} MB overall; "
          f"target: the hostile share adds at most {budget} MB ({source})")
    door = info["door"]
    print(f"temp folder: {door.get('bytes', 0):,} bytes in {door.get('files', 0)} new files from "
          f"{args.door_requests * len(DOOR)} door requests")
    print()

    ok &= verdict("good failed", counts["failed"] == 0, f"{counts['failed']} (target 0)")
    ok &= verdict("good lost", counts["lost"] == 0, f"{counts['lost']} (target 0)")
    ok &= verdict("good succeeded", counts["succeeded"] > 0, f"{counts['succeeded']}")
    ok &= verdict("classify p95 ratio", ratio <= args.max_ratio,
                  f"{ratio:.2f}x ({mixed:.2f} s / {alone:.2f} s; target <= {args.max_ratio:g}x)")
    ok &= verdict("peak RSS", not record.killed and peak <= base + budget,
                  record.killed or f"{peak:.0f} MB (target <= {base:.0f} MB before the hostile share + {budget} MB "
                                   f"= {base + budget:.0f} MB)")
    ok &= verdict("temp bytes by refused requests", not record.killed and door.get("bytes", 1) == 0,
                  f"{door.get('bytes', 'not measured')} (target 0)")
    door_all = Counter()
    for name, c in by_class.items():
        if name.split(" ")[0] in DOOR:
            door_all.update(c)
    ok &= verdict("door requests refused with a 4xx", door_all["refused"] == sum(door_all.values()) > 0,
                  f"{door_all['refused']} of {sum(door_all.values())}")
    checked = sum(by_class[g]["served"] for g in GUESSES)
    minutes = max(1e-9, (args.seconds - baseline) / 60)  # guesses start in phase B and stop at the deadline
    allowed = args.max_guesses_per_min * max(1.0, minutes)  # a short run still allows a minute's worth
    ok &= verdict("login throttle", checked <= allowed,
                  f"{checked} wrong passwords checked in {minutes:.1f} min (target <= {args.max_guesses_per_min} "
                  f"a minute, at least a minute's worth: {allowed:.0f}; forged X-Forwarded-For included)")
    hung = sum(c["hung"] for c in by_class.values())
    errored = sum(c["errored"] for c in by_class.values())
    ok &= verdict("hostile hung", hung == 0, f"{hung} (target 0; {info['drain_cut']} requests cut at the drain)")
    ok &= verdict("hostile errored", errored == 0, f"{errored} (target 0: refused with a message, or served)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64, help="good + hostile clients")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--hostile-share", type=float, default=0.25, help="share of the clients that attack")
    parser.add_argument("--baseline-share", type=float, default=0.25,
                        help="share of the run with good clients alone (at least 10 s)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a good request counts as lost")
    parser.add_argument("--hostile-timeout", type=float, default=120,
                        help="seconds before a hostile request counts as hung")
    parser.add_argument("--hostile-pause", type=float, default=0.5,
                        help="each hostile client starts a request at most every this many seconds")
    parser.add_argument("--drain", type=float, default=60,
                        help="seconds to wait for requests in flight at the end before cutting them")
    parser.add_argument("--rate-limit", type=int, default=60, help="the app's --rate-limit (per tab per user)")
    parser.add_argument("--max-upload-mb", type=int, default=4, help="the app's --max-upload-mb")
    parser.add_argument("--app-args", default="", help="extra arguments for the app (e.g. a memory budget flag)")
    parser.add_argument("--rss-budget-mb", type=int, default=None,
                        help="target: the hostile share raises the peak RSS by at most this (default: the app's "
                             "--max-decoded-mb, else 1024)")
    parser.add_argument("--rss-kill-mb", type=int, default=4096,
                        help="kill the server if its RSS passes idle + this (protects a shared machine)")
    parser.add_argument("--max-ratio", type=float, default=2.0, help="target: classify p95 with/without hostiles")
    parser.add_argument("--max-guesses-per-min", type=int, default=30,
                        help="target: wrong passwords the server checks per minute, all addresses together")
    parser.add_argument("--bomb-megapixels", type=float, default=49, help="the pixel bomb (the app allows 50)")
    parser.add_argument("--audio-bomb-mb", type=int, default=900, help="the audio bomb's decoded float32 size")
    parser.add_argument("--history-messages", type=int, default=4000)
    parser.add_argument("--csv-columns", type=int, default=2000)
    parser.add_argument("--attacks", default=",".join([*ATTACKS, *DOOR]),
                        help="comma-separated attacks for phase B (all by default; the door phase always runs)")
    parser.add_argument("--guess-burst", type=int, default=20, help="wrong passwords per login attack")
    parser.add_argument("--door-requests", type=int, default=5, help="per door class in the quiet phase")
    args = parser.parse_args()

    args.attacks = [a.strip() for a in args.attacks.split(",") if a.strip()]
    unknown = set(args.attacks) - {*ATTACKS, *DOOR}
    if unknown or not args.attacks:
        parser.error(f"--attacks: unknown {', '.join(sorted(unknown)) or '(none given)'}; "
                     f"choose from {', '.join([*ATTACKS, *DOOR])}")
    hostile_n = max(round(args.clients * args.hostile_share), len(args.attacks))  # each attack at least once
    good_n = args.clients - hostile_n
    if good_n < 4:
        parser.error(f"--clients {args.clients} leaves {good_n} good clients beside {hostile_n} hostile ones "
                     f"(one per attack at least); use --clients {hostile_n + 4} or more")
    help_text = app_help()
    flags = set(re.findall(r"(--[a-z][a-z0-9-]+)", help_text))
    budget, source = memory_budget(args, help_text)
    print(f"app flags: --mcp-token {'yes' if '--mcp-token' in flags else 'absent (MCP has no token)'}")
    work = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
    app = None
    try:
        app = start_app(args, good_n, work, flags)
        record, info = asyncio.run(run(args, app, work, good_n, hostile_n))
    finally:
        if app is not None:
            if app.process.poll() is not None:  # it ended before the bench did
                print(f"the app exited with {app.process.returncode}; its last lines:\n{log_tail(work)}")
            stop(app.process)
        shutil.rmtree(work, ignore_errors=True)
    return 0 if report(args, record, info, good_n, hostile_n, budget, source) else 1


if __name__ == "__main__":
    sys.exit(main())
