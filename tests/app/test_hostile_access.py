"""Hostile users against the access layer (issue 15): every way in is bounded and audited, and a client cannot
choose who it is. One open server (no login: addresses identify users) and one behind a login with MCP."""

from __future__ import annotations

import base64
import io
import json
import os
import time

import httpx
import pytest

import app
from tests.server import running_app, users_file

pytest.importorskip("mcp", reason="gradio[mcp] (requirements.txt) provides the MCP server")

CLASSIFY = "text-classification/distilbert-sst2"
TOKEN = "test-mcp-token-0123456789"
USERS = {"ann": "pw-ann"}
MCP_ACCEPT = {"accept": "application/json, text/event-stream"}


def client_from(address: str, url: str) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any 127.x.y.z reaches the loopback server)."""
    return httpx.Client(base_url=url, timeout=120, transport=httpx.HTTPTransport(local_address=address))


def rest_call(client: httpx.Client, api_name: str, data: list, headers: dict | None = None) -> tuple[str, str]:
    """gradio's REST API: (the final SSE event, its data)."""
    posted = client.post(f"gradio_api/call/{api_name}", json={"data": data}, headers=headers or {})
    posted.raise_for_status()
    event = data_line = None
    with client.stream("GET", f"gradio_api/call/{api_name}/{posted.json()['event_id']}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event in ("complete", "error"):
                return event, line[6:]
    return event, data_line


def mcp_call(client: httpx.Client, tool: str, arguments: dict, headers: dict | None = None) -> httpx.Response:
    return client.post("gradio_api/mcp/", headers={**MCP_ACCEPT, **(headers or {})},
                       json={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                             "params": {"name": tool, "arguments": arguments}})


def mcp_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    for line in response.text.splitlines():
        if line.startswith("data: "):
            return json.loads(line[6:])["result"]["content"][0]["text"]
    raise AssertionError(response.text)


def audit_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def last_lines(path, count: int, which) -> list[dict] | None:
    """The last ``count`` audit lines that ``which`` picks, or None while there are fewer."""
    lines = [r for r in audit_lines(path) if which(r)]
    return lines[-count:] if len(lines) >= count else None


def wait_for(condition, timeout: float = 30):
    """Poll until ``condition()`` is true (the audit line of a finished request is written just after it)."""
    deadline = time.time() + timeout
    while not (value := condition()):
        if time.time() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
    return value


def test_login_throttle_backs_off_exponentially_with_a_cap_and_forgets():
    from demos.server.gateway import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    assert [throttle.attempt("ip:a", "ann") for _ in range(LoginThrottle.FREE)] == [0.0] * LoginThrottle.FREE
    waits = []
    for _ in range(10):  # wait out each back-off, then fail again
        waits.append(throttle.attempt("ip:a", "ann"))
        now[0] += waits[-1]
        assert throttle.attempt("ip:a", "ann") == 0.0
    assert waits[:4] == [1, 2, 4, 8] and max(waits) == LoginThrottle.CAP_S
    assert throttle.attempt("ip:b", "ann") > 0  # the account is throttled from another address too
    assert throttle.attempt("ip:b", "bob") == 0.0  # but that address may try another account
    throttle.succeeded("ip:a", "ann")
    assert throttle.attempt("ip:a", "ann") == 0.0
    throttle.succeeded("ip:a", "ann")
    for _ in range(3 * LoginThrottle.FREE):  # guesses at ann from elsewhere ...
        now[0] += LoginThrottle.CAP_S
        throttle.attempt("ip:c", "ann")
    assert throttle.attempt("ip:c", "ann") > 0 and throttle.attempt("ip:d", "ann") > 0
    assert throttle.attempt("ip:a", "ann") == 0.0  # ... do not hold ann back where she logged in before
    for n in range(3 * LoginThrottle.MAX_KEYS):  # guesses from very many addresses: the table stays bounded
        throttle.attempt(f"ip:{n}")
    assert len(throttle._seen) <= LoginThrottle.MAX_KEYS + 1


def test_refusals_before_the_handler_and_unguarded_endpoints_are_audited(tmp_path):
    """``Access.install`` on gradio's seams: an input check failing before the handler (``invalid``), the queue
    turning a request away (``busy``), and an endpoint wired without the guard (rate limited and audited)."""
    import asyncio
    import types

    import gradio as gr
    from starlette.requests import Request

    from demos.server.access import Access, AuditLog

    audit = AuditLog(tmp_path / "audit.jsonl")
    access = Access(rate_limit=1, audit=audit, salt=b"s")
    request = gr.Request(request=Request({"type": "http", "client": ("198.51.100.4", 1), "headers": [],
                                          "method": "POST", "path": "/"}))
    plot = types.SimpleNamespace(fn=lambda n: n * 2, api_name="plot", api_visibility="public")
    example = types.SimpleNamespace(fn=lambda n: n, api_name="load_example", api_visibility="undocumented")
    hidden = types.SimpleNamespace(fn=lambda n: n, api_name="lambda", api_visibility="private")

    async def process_api(block_fn, inputs, request=None, iterator=None, **_):
        if inputs == [-1]:
            raise gr.Error("Value -1 is less than minimum value 0.")  # gradio's own check, before the handler
        from gradio.context import LocalContext

        token = LocalContext.request.set(request)
        try:
            return {"data": [block_fn.fn(*inputs)]}
        finally:
            LocalContext.request.reset(token)

    async def push(body, request, username):
        return False, "Queue is full.", "queue_full"

    blocks = types.SimpleNamespace(fns={1: plot, 2: example, 3: hidden}, process_api=process_api,
                                   _queue=types.SimpleNamespace(push=push))
    access.install(blocks)

    async def calls():
        outcomes = []
        for fn_index, value in ((1, -1), (1, 2), (1, 3), (2, 1), (2, 1), (3, 1)):
            try:
                outcomes.append((await blocks.process_api(block_fn=blocks.fns[fn_index], inputs=[value],
                                                          request=request))["data"][0])
            except gr.Error as exc:
                outcomes.append(exc.message)
        await blocks._queue.push(types.SimpleNamespace(fn_index=1), request.request, None)
        return outcomes

    outcomes = asyncio.run(calls())
    assert outcomes[1:2] == [4] and "Too many requests" in outcomes[2] and outcomes[3:] == [1, 1, 1]
    audit.close()
    lines = audit_lines(tmp_path / "audit.jsonl")
    assert [(r["tab"], r["outcome"]) for r in lines] == [
        ("plot", "invalid"), ("plot", "ok"), ("plot", "rejected"), ("load_example", "ok"), ("load_example", "ok"),
        ("plot", "busy")]  # the private UI helper is not an endpoint; the undocumented one is not rate limited
    assert {r["who"] for r in lines} == {access.address_id("198.51.100.4")}


def test_gateway_puts_one_unforgeable_address_on_every_request():
    import asyncio

    from demos.server.gateway import CALLER_HEADER, Gateway, GatewaySettings

    seen = []

    async def app(scope, receive, send):
        seen.append((scope["client"][0], scope["scheme"], dict(scope["headers"]).get(CALLER_HEADER, b"").decode()))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def through(gateway, peer, headers):
        scope = {"type": "http", "method": "GET", "path": "/", "scheme": "http", "client": (peer, 5),
                 "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            pass

        asyncio.run(gateway(scope, receive, send))
        return seen[-1]

    proxied = {"x-forwarded-for": "6.6.6.6, 198.51.100.7", "x-forwarded-proto": "https"}
    direct, behind_one = Gateway(app, GatewaySettings()), Gateway(app, GatewaySettings(proxy_hops=1))
    assert through(direct, "127.0.0.1", proxied)[:2] == ("127.0.0.1", "http")
    assert through(behind_one, "10.0.0.1", proxied)[:2] == ("198.51.100.7", "https")
    # the caller header the gateway adds is believed only when it comes back through loopback (gradio's MCP call)
    carried = through(direct, "203.0.113.9", {})[2]
    assert carried.startswith("203.0.113.9 ")
    assert through(direct, "127.0.0.1", {"x-demo-caller": carried})[0] == "203.0.113.9"
    assert through(direct, "198.51.100.3", {"x-demo-caller": carried})[0] == "198.51.100.3"
    assert through(direct, "127.0.0.1", {"x-demo-caller": "203.0.113.9 " + "0" * 64})[0] == "127.0.0.1"
    other_process = Gateway(app, GatewaySettings())  # another secret: its headers mean nothing here
    assert through(other_process, "127.0.0.1", {"x-demo-caller": carried})[0] == "127.0.0.1"


# --- the open server -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("open")
    audit = folder / "audit.jsonl"
    with running_app("--demos", "text-classification,attention,fine-tune", "--mcp", "--rate-limit", "1",
                     "--max-upload-mb", "1", env={"DEMO_AUDIT_LOG": str(audit)}) as url:
        yield url, audit


def test_forwarded_for_header_cannot_choose_the_address(open_server):
    """--proxy-hops 0: a forged X-Forwarded-For from 127.0.0.1 is ignored (uvicorn trusts that peer as a proxy)."""
    url, audit = open_server
    with client_from("127.0.0.1", url) as client:
        assert rest_call(client, "classify_text", ["hi", CLASSIFY], {"x-forwarded-for": "198.51.100.1"})[0] == \
            "complete"
        event, data = rest_call(client, "classify_text", ["hi", CLASSIFY], {"x-forwarded-for": "198.51.100.2"})
    assert event == "error" and "Too many requests" in data
    records = wait_for(lambda: [r for r in audit_lines(audit) if r["tab"] == "classify_text"][-2:])
    assert [r["outcome"] for r in records] == ["ok", "rejected"] and records[0]["who"] == records[1]["who"]


def test_mcp_calls_count_against_their_caller(open_server):
    """gradio's MCP server calls the app through loopback: each caller keeps its own allowance, and neither a
    forged X-Forwarded-For nor a copied gateway header lets a caller choose another."""
    url, _ = open_server
    tool = {"text": "hello", "model": CLASSIFY}
    with client_from("127.0.0.21", url) as first, client_from("127.0.0.22", url) as second:
        assert "confidence" in mcp_text(mcp_call(first, "classify_text", tool))
        assert "confidence" in mcp_text(mcp_call(second, "classify_text", tool))  # not the first caller's bucket
        forged = {"x-forwarded-for": "203.0.113.5", "x-demo-caller": "203.0.113.5 0123abcd"}
        assert "Too many requests" in mcp_text(mcp_call(first, "classify_text", tool, forged))


def test_every_route_bounds_the_request_body(open_server):
    """--max-upload-mb 1 bounds every route (here 3 MB: base64 of 1 MB plus 1 MB), data: URLs in JSON included,
    declared or streamed in chunks without a length."""
    url, _ = open_server
    image = "data:image/png;base64," + base64.b64encode(os.urandom(4 * 2**20)).decode()
    body = json.dumps({"data": [{"url": image, "meta": {"_type": "gradio.FileData"}}, "x", 1]}).encode()
    with httpx.Client(base_url=url, timeout=60) as client:
        declared = client.post("gradio_api/call/fine_tune", content=body,
                               headers={"content-type": "application/json"})
        assert declared.status_code == 413 and "up to 3 MB" in declared.json()["detail"]

        def chunks():
            for start in range(0, len(body), 2**16):
                yield body[start:start + 2**16]

        streamed = client.post("gradio_api/mcp/", content=chunks(), headers={**MCP_ACCEPT,
                                                                             "content-type": "application/json"})
        assert streamed.status_code == 413
        assert client.post("gradio_api/upload", files={"files": ("big.bin", os.urandom(4 * 2**20))}).status_code == 413
        assert client.get("config").status_code == 200  # still serving


def test_every_endpoint_is_audited_with_its_outcome(open_server):
    """Requests that gradio's input checks refuse before the handler, and the endpoints without a model (the
    column reader, the positional encoding), get an audit line; those two are rate limited too."""
    url, audit = open_server
    with client_from("127.0.0.31", url) as client:
        assert rest_call(client, "classify_text", ["hi", "someone/evil-model"])[0] == "error"
        assert rest_call(client, "positional_encoding", [16, 32])[0] == "complete"
        event, data = rest_call(client, "positional_encoding", [16, 32])
        assert event == "error" and "Too many requests" in data
        assert rest_call(client, "positional_encoding", [100_000, 32])[0] == "error"  # slider range, and limited
        assert rest_call(client, "read_columns", [None])[0] in ("complete", "error")
    wanted = [("classify_text", "invalid"), ("positional_encoding", "ok"), ("positional_encoding", "rejected"),
              ("positional_encoding", "invalid"), ("read_columns", None)]

    def mine():
        records = [r for r in audit_lines(audit) if r["tab"] in ("classify_text", "positional_encoding",
                                                                   "read_columns")]
        who = {r["who"] for r in records if r["outcome"] == "invalid" and r["tab"] == "classify_text"}
        records = [r for r in records if r["who"] in who]
        return records if len(records) >= len(wanted) else None

    records = wait_for(mine)
    assert [(r["tab"], r["outcome"] if want is not None else None) for r, (_, want) in zip(records, wanted)] == wanted
    assert len({r["who"] for r in records}) == 1


def test_requests_to_routes_that_do_not_exist_or_are_malformed_are_audited(open_server):
    url, audit = open_server
    with client_from("127.0.0.32", url) as client:
        unknown = client.post("gradio_api/call/no_such_tab", json={"data": ["hi"]})
        assert unknown.status_code == 404 and "/gradio_api/info" in unknown.json()["detail"]
        assert client.get("gradio_api/no/such/route").status_code == 404
        assert client.post("gradio_api/call/classify_text", content=b"{not json",
                           headers={"content-type": "application/json"}).status_code == 422
        assert client.post("gradio_api/queue/join", json={"data": ["hi"], "fn_index": 9999,
                                                          "session_hash": "abc"}).status_code >= 400
    with client_from("127.0.0.32", url) as client:  # (gradio drops the connection after that one)
        assert client.get("config").status_code == 200  # answered normally: no line of its own
        assert rest_call(client, "classify_text", ["hi", CLASSIFY])[0] == "complete"  # and the app still serves
    records = wait_for(lambda: last_lines(audit, 4, lambda r: r["tab"].startswith("/gradio_api/")
                                          and r["outcome"] != "ok"))
    assert [(r["tab"], r["outcome"]) for r in records[:3]] == [("/gradio_api/call/no_such_tab", "not_found"),
                                                               ("/gradio_api/no/such", "not_found"),
                                                               ("/gradio_api/call/classify_text", "invalid")]
    assert records[3]["tab"] == "/gradio_api/queue/join" and records[3]["outcome"] in ("invalid", "not_found", "error")
    assert len({r["who"] for r in records}) == 1


# --- the server behind a login ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def login_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("login")
    users = users_file(folder, USERS)
    temp = folder / "gradio-temp"
    temp.mkdir()
    audit = folder / "audit.jsonl"
    with running_app("--demos", "text-classification,image-classification", "--mcp", "--auth-file", str(users),
                     env={"DEMO_MCP_TOKEN": TOKEN, "GRADIO_TEMP_DIR": str(temp), "DEMO_AUDIT_LOG": str(audit)}) as url:
        yield url, temp, audit


def folder_bytes(folder) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def png_data_url(seed: int) -> str:
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_mcp_behind_a_login_needs_the_token_and_saves_nothing_without_it(login_server):
    url, temp, _ = login_server
    before = folder_bytes(temp)
    with httpx.Client(base_url=url, timeout=120) as client:
        for seed in range(5):
            refused = mcp_call(client, "classify", {"image": png_data_url(seed)})
            assert refused.status_code == 401 and "Bearer" in refused.json()["detail"]
        for wrong in ("Bearer wrong", "Basic " + TOKEN, b"Bearer \xe9t\xe9"):
            assert mcp_call(client, "classify", {"image": png_data_url(9)}, {"authorization": wrong}).status_code == 401
        assert client.get("gradio_api/mcp/schema").status_code == 401
        assert folder_bytes(temp) == before  # nothing from the refused calls reached the disk
        bearer = {"authorization": f"Bearer {TOKEN}"}
        assert client.get("gradio_api/mcp/schema", headers=bearer).status_code == 200
        assert "confidence" in mcp_text(mcp_call(client, "classify_text", {"text": "hi", "model": CLASSIFY}, bearer))


def test_mcp_with_a_login_and_no_token_refuses_to_start(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_MCP_TOKEN", raising=False)
    with pytest.raises(SystemExit):
        app.parse_args(["--mcp", "--auth", "ann:pw"])
    assert "--mcp-token" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        app.parse_args(["--mcp", "--mcp-token", "short"])
    assert app.parse_args(["--mcp", "--auth", "ann:pw", "--mcp-token", TOKEN]).mcp_token == TOKEN


def test_calls_without_a_login_are_refused_and_audited_on_every_way_in(login_server):
    url, _, audit = login_server
    with client_from("127.0.0.42", url) as client:
        assert client.post("gradio_api/call/classify_text", json={"data": ["hi", CLASSIFY]}).status_code == 401
        assert client.post("gradio_api/queue/join", json={"data": ["hi", CLASSIFY], "fn_index": 0,
                                                          "session_hash": "abc"}).status_code == 401
        assert client.get("gradio_api/info").status_code == 401
    records = wait_for(lambda: last_lines(audit, 3, lambda r: r["outcome"] == "unauthorized"
                                          and r["tab"].startswith("/gradio_api/")))
    assert [r["tab"] for r in records] == ["/gradio_api/call/classify_text", "/gradio_api/queue/join",
                                           "/gradio_api/info"]


def test_failed_logins_back_off_and_the_rightful_user_gets_in_after(login_server):
    url, _, audit = login_server
    wrong = {"username": "ann", "password": "guess"}
    with client_from("127.0.0.41", url) as client:
        statuses = [client.post("login", data=wrong).status_code for _ in range(8)]
        assert statuses[:5] == [400] * 5 and 429 in statuses[5:]
        throttled = client.post("login", data={"username": "ann", "password": USERS["ann"]})
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
        assert "try again in" in throttled.json()["detail"]
        # the right password works once the back-off has passed (polled: a throttled attempt costs nothing)
        deadline = time.time() + 70
        while (answer := client.post("login", data={"username": "ann", "password": USERS["ann"]})).status_code == 429:
            assert time.time() < deadline, "still throttled after the cap"
            time.sleep(min(0.5, int(answer.headers["retry-after"])))
        assert answer.status_code == 200 and client.get("config").status_code == 200
    outcomes = [r["outcome"] for r in audit_lines(audit) if r["tab"] == "login"]
    assert outcomes[:5] == ["denied"] * 5 and "throttled" in outcomes and outcomes[-1] == "ok"
    assert USERS["ann"] not in audit.read_text() and "guess" not in audit.read_text()
