"""The ASGI layer in front of gradio's app: what every request passes before gradio reads it.

- **Who is asking.** The client address is the socket peer's, or with ``proxy_hops`` trusted reverse proxies the
  hops-th ``X-Forwarded-For`` entry from the right; it replaces ``scope["client"]``, so gradio, the rate limit and
  the audit log all see the same address on every way in (UI, REST, gradio_client, MCP, share link). uvicorn's own
  proxy-header rewrite (it trusts loopback peers) is switched off by ``serve_without_uvicorn_proxy_headers``.
- **MCP callers keep their address.** gradio's MCP server runs a tool by calling the app again through loopback,
  passing the caller's headers on. Every request gets an ``x-demo-caller`` header (the address and an HMAC of it
  with a per-process secret); the loopback call brings it back and it is believed only when the MAC is right and
  the peer is loopback, so a client cannot choose its address. The MCP server's own client carries a second
  secret header, which (with a login) stands for a login: MCP callers are identified by address.
- **MCP behind a login.** With an MCP token, every ``/gradio_api/mcp`` request needs ``Authorization: Bearer
  TOKEN`` (compared in constant time) before its body is read: nothing from an unauthenticated request is decoded
  or saved.
- **Body size.** A ``Content-Length`` over the bound, or a streamed/chunked body that grows past it, gets 413
  with a message; the app never sees the rest.
- **Login throttle.** Failed logins back off exponentially per address and per account (capped, so the rightful
  user waits at most ``LoginThrottle.CAP_S``, and not at all from an address it logged in from before); a
  throttled attempt gets 429 with ``Retry-After`` before the password is checked; every attempt is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

CALLER_HEADER = b"x-demo-caller"
INTERNAL_HEADER = b"x-demo-internal"
MCP_USER = "mcp:token"  # the login name MCP calls run under when the app has a login (':' cannot be in a user name)
MCP_PATH = "/gradio_api/mcp"


def serve_without_uvicorn_proxy_headers() -> None:
    """uvicorn (as gradio starts it) rewrites the client address from ``X-Forwarded-For`` for loopback peers
    (its ``forwarded_allow_ips`` defaults to 127.0.0.1): trust no peer, so the gateway decides alone."""
    os.environ["FORWARDED_ALLOW_IPS"] = ""


def body_bound(max_upload_mb: int) -> int:
    """The largest request body: the largest upload base64-encoded (a ``data:`` URL in JSON), plus 1 MB."""
    return -(-max_upload_mb * 4 // 3) * 2**20 + 2**20


def forwarded_address(peer: str, forwarded_for: str, proxy_hops: int) -> str:
    """The user's address. With ``proxy_hops`` trusted proxies in front, each appends the address it saw to
    X-Forwarded-For, so the user's is the hops-th entry from the right; entries further left were sent by the
    client and could be forged. Too few entries (a request that bypassed the proxies) falls back to the leftmost
    one given, then to the peer's address."""
    if proxy_hops <= 0:
        return peer
    entries = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if not entries:
        return peer
    return entries[-min(proxy_hops, len(entries))]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- login throttle --------------------------------------------------------------------------------

@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class LoginThrottle:
    """Exponential back-off after failed logins, per address and per account: ``FREE`` failures cost nothing,
    then each one makes the next attempt wait ``BASE_S * 2**k`` seconds, at most ``CAP_S``. An attempt counts as
    failed until it succeeds (so parallel guesses cannot slip through together); a success clears it. An address
    an account has logged in from before is not held back by that account's failures elsewhere, so guesses from
    other addresses cannot keep its owner out."""

    FREE = 5
    BASE_S = 1.0
    CAP_S = 60.0
    FORGET_S = 900.0  # an address idle this long starts again from zero
    MAX_KEYS = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, _Failures] = {}
        self._trusted: dict[tuple[str, str], None] = {}  # (account, address) pairs that logged in, oldest first

    def _keys(self, address: str, account: str | None) -> list[str]:
        if account is None or (account, address) in self._trusted:
            return [address]
        return [address, "account:" + account]

    def _wait(self, failures: _Failures | None, now: float) -> float:
        if failures is None or failures.count < self.FREE:
            return 0.0
        delay = min(self.CAP_S, self.BASE_S * 2 ** (failures.count - self.FREE))
        return max(0.0, failures.last + delay - now)

    def attempt(self, address: str, account: str | None = None) -> float:
        """0 when a login may be tried now (and counts it as failed until ``succeeded``), else the seconds to
        wait. ``account``: the name tried, when it is an account of this server."""
        now = self._clock()
        with self._lock:
            keys = self._keys(address, account)
            wait = max(self._wait(self._seen.get(key), now) for key in keys)
            if wait > 0:
                return wait
            for key in keys:
                failures = self._seen.setdefault(key, _Failures())
                if now - failures.last >= self.FORGET_S:
                    failures.count = 0
                failures.count += 1
                failures.last = now
            if len(self._seen) > self.MAX_KEYS:  # forget idle addresses so the table cannot grow without bound
                for key in [k for k, v in self._seen.items() if now - v.last >= self.FORGET_S]:
                    del self._seen[key]
            if len(self._seen) > self.MAX_KEYS:  # still full (guesses from very many addresses): keep the newest half
                newest = sorted(self._seen.items(), key=lambda item: item[1].last)[-self.MAX_KEYS // 2:]
                self._seen = dict(newest)
            return 0.0

    def succeeded(self, address: str, account: str | None = None) -> None:
        with self._lock:
            for key in self._keys(address, account) + ([f"account:{account}"] if account else []):
                self._seen.pop(key, None)
            if account is not None:
                self._trusted[(account, address)] = None
                if len(self._trusted) > self.MAX_KEYS:
                    del self._trusted[next(iter(self._trusted))]


# --- the middleware --------------------------------------------------------------------------------

@dataclass
class GatewaySettings:
    proxy_hops: int = 0
    max_body_bytes: int = 100 * 2**20
    mcp_token: str | None = None
    access: Any = None  # demos.server.access.Access: the audit log and the address hash
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))


class _BodyTooLarge(Exception):
    pass


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of a header value (any characters) with a secret."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _send_json(send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


class Gateway:
    """ASGI middleware (``Middleware(Gateway, settings=...)`` in gradio's ``launch(app_kwargs=...)``)."""

    def __init__(self, app, settings: GatewaySettings) -> None:
        self.app = app
        self.settings = settings
        self._internal = self._mac("internal", "")   # the MCP server's own client shows this
        self._login_token = self._mac("login", "")   # the gradio login cookie standing for MCP_USER
        self._mcp_wired = False

    # who is asking
    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self.settings.secret, f"{purpose}\n{value}".encode(), hashlib.sha256).hexdigest()

    def _resolve(self, scope) -> tuple[str, bool]:
        """(the client's address, whether the request comes from this process's MCP client)."""
        peer = (scope.get("client") or ("unknown", 0))[0]
        if _is_loopback(peer):
            carried, _, mac = _header(scope, CALLER_HEADER).rpartition(" ")
            internal = _same(_header(scope, INTERNAL_HEADER), self._internal)
            if carried and _same(mac, self._mac("caller", carried)):
                return carried, internal
            if internal:
                return peer, True
        return forwarded_address(peer, _header(scope, b"x-forwarded-for"), self.settings.proxy_hops), False

    def _rewrite(self, scope, address: str, internal: bool) -> None:
        headers = [(k, v) for k, v in scope.get("headers", ()) if k not in (CALLER_HEADER, INTERNAL_HEADER)]
        headers.append((CALLER_HEADER, f"{address} {self._mac('caller', address)}".encode("latin-1")))
        app = scope.get("app")
        if internal and getattr(app, "auth", None):  # the MCP server's loopback call, under the app's login
            app.tokens[self._login_token] = MCP_USER
            headers = [(k, v) for k, v in headers if k != b"cookie"]
            headers.append((b"cookie", f"access-token-unsecure-{app.cookie_id}={self._login_token}".encode()))
        scope["headers"] = headers
        scope["client"] = (address, 0)
        proto = _header(scope, b"x-forwarded-proto").split(",")[-1].strip().lower()
        if self.settings.proxy_hops > 0 and proto in ("http", "https"):  # what uvicorn did for trusted proxies
            scope["scheme"] = proto.replace("http", "ws") if scope["type"] == "websocket" else proto

    def _audit(self, address: str, route: str, outcome: str, started: float, user: str | None = None) -> None:
        access = self.settings.access
        if access is not None:
            access.record(f"user:{user}" if user else access.address_id(address), route, outcome, started)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        address, internal = self._resolve(scope)
        self._rewrite(scope, address, internal)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if self._is_mcp(path):
            self._wire_mcp(scope.get("app"))
            if not self._mcp_allowed(scope):
                self._audit(address, "mcp", "unauthorized", started)
                return await _send_json(send, 401, "MCP needs this server's token: send the header "
                                        "'Authorization: Bearer TOKEN' (the server's --mcp-token).",
                                        [(b"www-authenticate", b"Bearer")])
        limit = self.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            return await self._too_large(send, address, path, started)
        if (scope.get("method") == "POST" and path.rstrip("/").endswith("/login") and not internal
                and getattr(scope.get("app"), "auth", None)):
            return await self._login(scope, receive, send, address, started)
        name = _called_endpoint(scope)
        if name is not None and not _has_endpoint(scope.get("app"), name):  # gradio would answer with a 500
            self._audit(address, _route(path), "not_found", started)
            return await _send_json(send, 404, f"There is no API endpoint named {name[:60]!r}; the endpoints "
                                               "are listed at /gradio_api/info.")
        await self._bounded(scope, receive, send, address, path, started)

    # MCP
    @staticmethod
    def _is_mcp(path: str) -> bool:
        at = path.find(MCP_PATH)
        return at >= 0 and path[at + len(MCP_PATH):][:1] in ("", "/")

    def _mcp_allowed(self, scope) -> bool:
        token = self.settings.mcp_token
        if not token:
            return True
        scheme, _, given = _header(scope, b"authorization").partition(" ")
        return scheme.lower() == "bearer" and _same(given.strip(), token)

    def _wire_mcp(self, app) -> None:
        """Make gradio's MCP server call the app through a client that shows the internal header."""
        if self._mcp_wired or app is None:
            return
        server = getattr(app.get_blocks(), "mcp_server_obj", None)
        if server is None:
            return
        internal = self._internal
        original = server._get_or_create_client

        def get_or_create_client():
            if server._client_instance is None and server.local_url:
                from gradio_client import Client

                server._client_instance = Client(server.local_url, download_files=False, verbose=False,
                                                 analytics_enabled=False, ssl_verify=False, _skip_components=False,
                                                 headers={"x-gradio-user": "mcp", INTERNAL_HEADER.decode(): internal})
            return original()

        server._get_or_create_client = get_or_create_client
        self._mcp_wired = True

    # body size
    async def _too_large(self, send, address: str, path: str, started: float) -> None:
        self._audit(address, _route(path), "too_large", started)
        mb = self.settings.max_body_bytes / 2**20
        await _send_json(send, 413, f"Request too large: this server accepts request bodies up to {mb:.0f} MB "
                                    "(the largest upload, --max-upload-mb, base64-encoded, plus 1 MB).")

    async def _bounded(self, scope, receive, send, address: str, path: str, started: float) -> None:
        limit, state = self.settings.max_body_bytes, {"received": 0, "exceeded": False, "started": False}

        async def counted_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["exceeded"] = True
                    raise _BodyTooLarge()
            return message

        async def checked_send(message):
            if state["exceeded"]:
                return  # the app's answer to a cut-off body is replaced by the 413
            if message["type"] == "http.response.start":
                state["started"] = True
                state["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, counted_receive, checked_send)
        except Exception:
            if not state["exceeded"]:
                self._audit(address, _route(path), "error", started)  # gradio's route failed (answered with 500)
                raise
        if state["exceeded"] and not state["started"]:
            await self._too_large(send, address, path, started)
        elif state.get("status") in DOOR_STATUSES:  # turned away before any handler could audit it
            self._audit(address, _route(path), DOOR_STATUSES[state["status"]], started)

    # login
    async def _login(self, scope, receive, send, address: str, started: float) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            if len(body) > LOGIN_BODY_BYTES:
                return await self._too_large(send, address, scope.get("path", ""), started)
            more = message.get("more_body", False)
        user = await _form_field(scope, body, "username")
        app = scope.get("app")
        known = user is not None and user in (getattr(app, "auth", None) or {})
        who = self.settings.access.address_id(address) if self.settings.access else address
        account = user if known else None  # unknown names have no account to protect: no table entry
        throttle = self.settings.login_throttle
        wait = throttle.attempt(who, account)
        if wait > 0:
            self._audit(address, "login", "throttled", started)
            seconds = max(1, round(wait + 0.5))
            return await _send_json(send, 429, f"Too many failed logins: try again in {seconds} s.",
                                    [(b"retry-after", str(seconds).encode())])
        status = {}

        async def watched_send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, _replay(body, receive), watched_send)
        if status.get("code") == 200 and known:
            throttle.succeeded(who, account)
            self._audit(address, "login", "ok", started, user=user)
        else:
            self._audit(address, "login", "denied", started)


LOGIN_BODY_BYTES = 64 * 2**10  # a login form is a name and a password

# answers gradio gives before a handler runs (no login, no such endpoint or file, a malformed body): each gets
# an audit line here, as the handlers' own outcomes get theirs (demos.server.access)
DOOR_STATUSES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "not_allowed",
                 422: "invalid", 500: "error"}


def _called_endpoint(scope) -> str | None:
    """The API name of a ``POST /gradio_api/call/NAME`` request, else None."""
    if scope.get("method") != "POST":
        return None
    before, found, name = scope.get("path", "").partition("/gradio_api/call/")
    name = name.rstrip("/")
    return name if found and not before and name and "/" not in name else None


def _has_endpoint(app, name: str) -> bool:
    blocks = app.get_blocks() if app is not None and hasattr(app, "get_blocks") else None
    return blocks is None or any(fn.api_name == name for fn in blocks.fns.values())


def _replay(body: bytes, then=None):
    """An ASGI ``receive`` that gives ``body`` once, then hands over to ``then`` (the client's own receive)."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then() if then else {"type": "http.disconnect"}
    return receive


async def _form_field(scope, body: bytes, name: str) -> str | None:
    """One field of a login form (url-encoded as gradio_client sends it, or multipart as the login page does)."""
    from starlette.requests import Request

    try:
        form = await Request(scope, receive=_replay(body)).form(max_files=0, max_fields=10)
    except Exception:  # not a form: gradio answers it
        return None
    value = form.get(name)
    return value.strip() if isinstance(value, str) else None


def _route(path: str) -> str:
    """A short label for a refused request's route (its first three path segments)."""
    return "/".join(path.split("/")[:4])[:60]
