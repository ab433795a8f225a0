"""Who may use the app and how much: login pairs, a per-user rate limit, and an audit log of model requests.

- Login: ``parse_auth`` / ``read_auth_file`` turn ``user:password`` pairs into the list gradio's
  ``launch(auth=...)`` takes. Passwords come from the command line, an environment variable or a file kept
  outside the repository; they are never logged.
- Rate limit: at most N requests per minute per tab for each user (the login name, or the client address when
  there is no login); the next one gets a ``gr.Error`` saying when to retry. Other tabs and users are unaffected.
  The client address is the one ``demos.server.gateway`` put on the request (the socket peer's, or behind reverse
  proxies the one they report), the same on every way in, MCP included.
- Hugging Face login (Spaces with ``hf_oauth: true``): the signed-in user's name identifies them; in
  ``required`` mode a request without a sign-in is refused with a message pointing at the sign-in button.
- Audit log: one JSON line per request to an API endpoint (UTC time, user or a salted hash of the address, tab,
  model key, duration, outcome), never the user's input; the file rotates by size. Requests that gradio's own
  input checks refuse before the handler runs are logged too (``invalid``), and ``demos.server.gateway`` logs what it
  refuses (logins, MCP without its token, bodies too large).

``Access.guard`` wraps a tab's handler (plain function or generator) in all of this; ``demos.ui.common.model_event``
applies it to every model-bound event, so a tab gets it without doing anything, and ``Access.install`` puts every
other API endpoint behind it when the app is built.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import inspect
import json
import logging
import logging.handlers
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import gradio as gr

log = logging.getLogger(__name__)


# --- login pairs -----------------------------------------------------------------------------------

def parse_auth_pairs(lines: list[str], where: str) -> list[tuple[str, str]]:
    """``user:password`` entries (the password may contain ':'), or ValueError naming the bad entry."""
    pairs = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError(f"{where}: entry {number} is not user:password")
        pairs.append((user.strip(), password))
    if not pairs:
        raise ValueError(f"{where}: no user:password entries")
    return pairs


def parse_auth(value: str) -> list[tuple[str, str]]:
    """Comma-separated ``user:password`` pairs (from --auth or DEMO_AUTH)."""
    return parse_auth_pairs(value.split(","), "--auth")


def read_auth_file(path: str | os.PathLike) -> list[tuple[str, str]]:
    """One ``user:password`` per line; blank lines and lines starting with '#' are skipped."""
    return parse_auth_pairs(Path(path).read_text(encoding="utf-8").splitlines(), f"auth file {path}")


# --- rate limit ------------------------------------------------------------------------------------

class RateLimiter:
    """At most ``per_minute`` requests in any 60 s window per (who, tab): a sliding window of start times."""

    WINDOW = 60.0

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("the rate limit must be at least 1 request per minute")
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def admit(self, who: str, tab: str) -> float:
        """0 when the request may run (and counts it), else the seconds until it may."""
        now = self._clock()
        with self._lock:
            times = self._seen.setdefault((who, tab), deque())
            while times and now - times[0] >= self.WINDOW:
                times.popleft()
            if len(times) >= self.per_minute:
                return self.WINDOW - (now - times[0])
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle callers so the table cannot grow without bound
                for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.WINDOW]:
                    del self._seen[key]
            return 0.0


# --- audit log -------------------------------------------------------------------------------------

class AuditLog:
    """JSON lines in a file that rotates by size (``logging.handlers.RotatingFileHandler``)."""

    def __init__(self, path: str | os.PathLike, max_bytes: int = 10 * 2**20, backups: int = 5) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._logger = logging.getLogger(f"demo.audit.{id(self)}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        self._handler = logging.handlers.RotatingFileHandler(self.path, maxBytes=max_bytes, backupCount=backups,
                                                             encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._logger.addHandler(self._handler)

    def write(self, record: dict[str, Any]) -> None:
        self._logger.info(json.dumps(record, ensure_ascii=False, sort_keys=True))

    def close(self) -> None:
        self._logger.removeHandler(self._handler)
        self._handler.close()


# --- the request being served ----------------------------------------------------------------------

@dataclass
class _Served:
    model: str | None = None


_SERVED: contextvars.ContextVar[_Served | None] = contextvars.ContextVar("demo_served", default=None)


@dataclass
class _Call:
    """One call of an endpoint as gradio runs it: whether a guard wrote its audit line."""
    audited: bool = False


_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("demo_call", default=None)
GUARDED = "_demo_guarded"  # attribute set on the functions ``Access.guard`` returns


def note_model(key: str) -> None:
    """Record which registry model the current request uses (called when the model is acquired)."""
    served = _SERVED.get()
    if served is not None:
        served.model = key


def _current_request():
    from gradio.context import LocalContext  # set by gradio around every call of an event handler

    return LocalContext.request.get(None)


# --- who is asking -------------------------------------------------------------------------------

def default_proxy_hops(configured: int | None) -> int:
    """The configured number of proxies, else 1 on a Hugging Face Space (its proxy sets X-Forwarded-For), else 0."""
    if configured is not None:
        return configured
    return 1 if os.environ.get("SPACE_ID") else 0


def client_address(request) -> str:
    """The client's address as ``demos.server.gateway`` resolved it (socket peer, or what trusted proxies report)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


def hf_username(request) -> str | None:
    """The Hugging Face user signed in through gradio's OAuth (a Space with ``hf_oauth: true``), if any.
    gradio keeps the sign-in in the session cookie; its own reader is a private helper, used when present."""
    if request is None:
        return None
    try:
        from gradio.helpers import _session_from_request  # gradio's reader: handles queued requests too

        session = _session_from_request(request)
    except ImportError:
        session = getattr(request, "session", None) or {}
    info = session.get("oauth_info") if hasattr(session, "get") else None
    if not info or (info.get("expires_at") is not None and info["expires_at"] < time.time()):
        return None
    name = (info.get("userinfo") or {}).get("preferred_username")
    return f"hf:{name}" if name else None


# --- the guard -------------------------------------------------------------------------------------

SALT_FILE = ".address-salt"


def kept_salt(data_dir: str | os.PathLike, given: str = "") -> bytes:
    """The salt that hashes client addresses: ``given`` (DEMO_AUDIT_SALT) when set, else one made at random on the
    first start and kept in ``data_dir`` (readable by the server's user only), so that a guest's hashed address,
    and with it their fine-tuned models and quota, survive a restart. A folder that cannot keep it: a fresh salt."""
    if given:
        return given.encode()
    path = Path(data_dir) / SALT_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        pass
    salt = os.urandom(16)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(salt.hex())
    except FileExistsError:  # another process made it first: use theirs
        return kept_salt(data_dir, given)
    except OSError as exc:
        log.warning("cannot keep the address salt in %s (%s): guests get new names after a restart",
                    path.parent.name, exc.strerror or exc)
    return salt


@dataclass
class Access:
    """The rate limit and audit log every model-bound handler goes through (both optional)."""

    rate_limit: int | None = None  # requests per minute per tab per user (or address)
    audit: AuditLog | None = None
    hf_login: str = "off"          # off, optional or required (Hugging Face OAuth on Spaces)
    salt: bytes = field(default_factory=lambda: os.urandom(16))
    # (the app passes ``kept_salt(data_dir)``: a guest keeps the same name, and so their fine-tuned models,
    # across restarts)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.rate_limit, self.clock) if self.rate_limit else None

    def who(self, request) -> str:
        """The login name (gradio login, then Hugging Face sign-in), or a salted hash of the client address
        (the address itself is never kept). MCP calls under a login run as ``MCP_USER``: they count by address."""
        from demos.server.gateway import MCP_USER

        user = getattr(request, "username", None) or hf_username(request)
        if user and user != MCP_USER:
            return f"user:{user}"
        return self.address_id(client_address(request))

    def address_id(self, host: str) -> str:
        return "ip:" + hashlib.sha256(self.salt + host.encode()).hexdigest()[:16]

    def install(self, blocks) -> None:
        """Every API endpoint of ``blocks`` behind the access rules: the ones not wired through ``guard`` yet get
        it (public ones rate limited, undocumented ones audited only), and a call that gradio refuses before the
        handler runs (a value outside a dropdown's choices or a slider's range) is audited as ``invalid``, one the
        queue turns away as ``busy``. Call it after ``blocks.queue(...)``."""
        for block_fn in blocks.fns.values():
            fn = block_fn.fn
            if (block_fn.api_visibility == "private" or fn is None or getattr(fn, GUARDED, False)
                    or inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)):
                continue
            block_fn.fn = self.guard(fn, block_fn.api_name, limited=block_fn.api_visibility == "public")
        self._audit_input_refusals(blocks)
        self._audit_queue_refusals(blocks)

    def _audit_input_refusals(self, blocks) -> None:
        """A call whose handler never ran (gradio's own input checks raised first) gets an ``invalid`` line."""
        process_api = blocks.process_api

        @functools.wraps(process_api)
        async def audited_process_api(*args, **kwargs):
            block_fn = kwargs.get("block_fn", args[0] if args else None)
            if isinstance(block_fn, int):
                block_fn = blocks.fns[block_fn]
            if (getattr(block_fn, "api_visibility", "private") == "private" or kwargs.get("iterator") is not None
                    or self.audit is None):
                return await process_api(*args, **kwargs)
            call, started = _Call(), time.perf_counter()
            token = _CALL.set(call)
            try:
                return await process_api(*args, **kwargs)
            except Exception:
                if not call.audited:
                    request = kwargs.get("request")
                    self.record(self.who(request[0] if isinstance(request, list) and request else request),
                                block_fn.api_name, "invalid", started)
                raise
            finally:
                _CALL.reset(token)

        blocks.process_api = audited_process_api

    def _audit_queue_refusals(self, blocks) -> None:
        """A request the queue turns away before it is run (full: ``busy``; no such function: ``invalid``)."""
        queue = getattr(blocks, "_queue", None)
        if queue is None or self.audit is None:
            return
        push = queue.push

        @functools.wraps(push)
        async def audited_push(body, request, username):
            started = time.perf_counter()
            success, detail, state = await push(body, request, username)
            block_fn = blocks.fns.get(getattr(body, "fn_index", None))
            if not success and block_fn is not None and block_fn.api_visibility != "private":
                self.record(self.who(gr.Request(request=request, username=username)), block_fn.api_name,
                            "busy" if state == "queue_full" else "invalid", started)
            return success, detail, state

        queue.push = audited_push

    def guard(self, fn: Callable, tab: str, limited: bool = True) -> Callable:
        """``fn`` with the rate limit (when ``limited``) and audit log around it; same name, docstring and
        signature for gradio."""
        wrapped = self._guard(fn, tab, limited)
        setattr(wrapped, GUARDED, True)
        return wrapped

    def _guard(self, fn: Callable, tab: str, limited: bool) -> Callable:
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def guarded_stream(*args, **kwargs):
                served, who, started = self._begin(tab, limited)
                outcome = "error"
                stream = fn(*args, **kwargs)
                try:
                    while True:
                        token = _SERVED.set(served)
                        try:
                            item = next(stream)
                        except StopIteration:
                            outcome = "ok"
                            return
                        finally:
                            _SERVED.reset(token)
                        yield item
                except GeneratorExit:
                    outcome = "cancelled"
                    raise
                finally:
                    stream.close()
                    self._end(served, who, tab, started, outcome)
            return guarded_stream

        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            served, who, started = self._begin(tab, limited)
            outcome = "error"
            token = _SERVED.set(served)
            try:
                result = fn(*args, **kwargs)
                outcome = "ok"
                return result
            finally:
                _SERVED.reset(token)
                self._end(served, who, tab, started, outcome)
        return guarded

    def _begin(self, tab: str, limited: bool = True) -> tuple[_Served, str, float]:
        request = _current_request()
        who = self.who(request)
        started = time.perf_counter()
        served = _Served()
        if not limited:
            return served, who, started
        if self.hf_login == "required" and not who.startswith("user:"):
            self._end(served, who, tab, started, "rejected")
            raise gr.Error("Sign in first: this server asks every user to sign in with Hugging Face (the "
                           "\"Sign in\" button at the top of the page).")
        if self.limiter is not None:
            wait = self.limiter.admit(who, tab)
            if wait > 0:
                self._end(served, who, tab, started, "rejected")
                raise gr.Error(f"Too many requests: this tab allows {self.rate_limit} per minute per user. "
                               f"Try again in {max(1, round(wait))} s; the other tabs are not affected.")
        return served, who, started

    def _end(self, served: _Served, who: str, tab: str, started: float, outcome: str) -> None:
        call = _CALL.get()
        if call is not None:
            call.audited = True
        self.record(who, tab, outcome, started, served.model)

    def record(self, who: str, tab: str, outcome: str, started: float, model: str | None = None) -> None:
        """One audit line (``started``: ``time.perf_counter()`` when the request arrived)."""
        if self.audit is None:
            return
        try:
            self.audit.write({"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                              "who": who, "tab": tab, "model": model,
                              "ms": round((time.perf_counter() - started) * 1000), "outcome": outcome})
        except Exception:  # the audit log must never break a request
            log.exception("could not write the audit log")
