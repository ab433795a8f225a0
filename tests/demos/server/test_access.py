"""Access control: login pairs, the per-tab rate limit, the audit log, and what the server refuses to serve."""

from __future__ import annotations

import inspect
import json

import gradio as gr
import pytest

from demos.server.access import SALT_FILE, Access, AuditLog, RateLimiter, kept_salt, note_model, parse_auth, read_auth_file
from tests.server import running_app, users_file

SECRET = "zebra-marker-7731"  # input text that must never reach the audit log


# --- pure parts ------------------------------------------------------------------------------------

def test_auth_pairs_from_flag_and_file(tmp_path):
    assert parse_auth("ann:pw1, bob:p:w:2") == [("ann", "pw1"), ("bob", "p:w:2")]
    file = tmp_path / "users.txt"
    file.write_text("# team\nann:pw,with,commas\n\ncid:x\n")
    assert read_auth_file(file) == [("ann", "pw,with,commas"), ("cid", "x")]
    for bad in ("ann", "ann:", ":pw", " , "):
        with pytest.raises(ValueError):
            parse_auth(bad)


def test_rate_limiter_window_per_user_and_tab():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.admit("ann", "a") == 0 and limiter.admit("ann", "a") == 0
    assert limiter.admit("ann", "a") == pytest.approx(60)
    assert limiter.admit("ann", "b") == 0 and limiter.admit("bob", "a") == 0  # other tab, other user
    now[0] = 45.0
    assert limiter.admit("ann", "a") == pytest.approx(15)
    now[0] = 60.0
    assert limiter.admit("ann", "a") == 0


def test_guard_keeps_what_gradio_reads_and_audits(tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl")
    access = Access(rate_limit=1, audit=audit)

    def handler(text: str, model: str, progress=gr.Progress()) -> str:
        """Doc of the handler."""
        note_model(model)
        if text == "boom":
            raise gr.Error("bad input")
        return text.upper()

    def stream(text: str, model: str):
        """Doc of the stream."""
        note_model(model)
        yield from text

    plain, gen = access.guard(handler, "plain"), access.guard(stream, "stream")
    assert plain.__name__ == "handler" and plain.__doc__ == "Doc of the handler."
    assert inspect.signature(plain) == inspect.signature(handler)
    assert inspect.isgeneratorfunction(gen) and not inspect.isgeneratorfunction(plain)
    assert plain(SECRET, "m/one") == SECRET.upper()
    with pytest.raises(gr.Error, match="Try again in"):
        plain(SECRET, "m/one")
    assert list(gen("ab", "m/two")) == ["a", "b"]
    closed = gen("abc", "m/two")  # the next stream is over the limit
    with pytest.raises(gr.Error, match="1 per minute"):
        next(closed)
    audit.close()
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [(r["tab"], r["model"], r["outcome"]) for r in lines] == [
        ("plain", "m/one", "ok"), ("plain", None, "rejected"), ("stream", "m/two", "ok"), ("stream", None, "rejected")]
    assert all(set(r) == {"time", "who", "tab", "model", "ms", "outcome"} for r in lines)
    assert SECRET not in (tmp_path / "audit.jsonl").read_text()


def test_guard_records_errors_and_closed_streams(tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl")
    access = Access(audit=audit)

    def failing(text: str) -> str:
        raise gr.Error("no")

    def stream(text: str):
        yield from range(10)

    with pytest.raises(gr.Error):
        access.guard(failing, "f")("x")
    gen = access.guard(stream, "s")("x")
    next(gen)
    gen.close()
    audit.close()
    outcomes = [json.loads(line)["outcome"] for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert outcomes == ["error", "cancelled"]


def test_audit_log_rotates_by_size(tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl", max_bytes=500, backups=2)
    for i in range(50):
        audit.write({"n": i, "pad": "x" * 40})
    audit.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    assert all(p.stat().st_size <= 500 for p in tmp_path.iterdir())


def test_client_address_is_hashed():
    class Client:
        host = "203.0.113.9"

    class Request:
        username = None
        client = Client()

    who = Access(salt=b"s").who(Request())
    assert who.startswith("ip:") and "203.0.113.9" not in who
    assert who != Access(salt=b"t").who(Request())


class FakeRequest:
    """What the access layer reads of a gradio request: login name, connection, headers, session cookie."""

    def __init__(self, host="10.0.0.2", forwarded=None, session=None, username=None):
        self.username, self.session = username, session or {}
        self.client = type("Client", (), {"host": host})()
        self.headers = {"x-forwarded-for": forwarded} if forwarded else {}


def test_client_address_behind_proxies_is_the_users_and_cannot_be_forged():
    from demos.server.gateway import forwarded_address

    assert forwarded_address("203.0.113.9", "1.2.3.4", proxy_hops=0) == "203.0.113.9"  # no proxy: header ignored
    # one proxy (a Space): it appended the address it saw; what the client sent before it is not trusted
    assert forwarded_address("10.0.0.2", "6.6.6.6, 198.51.100.7", proxy_hops=1) == "198.51.100.7"
    assert forwarded_address("10.0.0.2", "198.51.100.7, 10.1.1.1", proxy_hops=2) == "198.51.100.7"
    assert forwarded_address("10.0.0.2", "198.51.100.7", proxy_hops=3) == "198.51.100.7"
    assert forwarded_address("10.0.0.2", "", proxy_hops=1) == "10.0.0.2"  # no header at all
    # two users behind the same proxy are two rate-limit buckets (the gateway puts their address on the request)
    access = Access(salt=b"s")
    assert access.who(FakeRequest(host="198.51.100.7")) != access.who(FakeRequest(host="198.51.100.8"))


def test_default_proxy_hops_trusts_the_space_proxy_only_on_a_space(monkeypatch):
    from demos.server.access import default_proxy_hops

    monkeypatch.delenv("SPACE_ID", raising=False)
    assert default_proxy_hops(None) == 0 and default_proxy_hops(2) == 2
    monkeypatch.setenv("SPACE_ID", "someone/demo-suite")
    assert default_proxy_hops(None) == 1 and default_proxy_hops(0) == 0


def test_hugging_face_sign_in_names_the_user_and_required_mode_refuses_strangers(tmp_path):
    import time

    signed_in = FakeRequest(session={"oauth_info": {"userinfo": {"preferred_username": "ann"},
                                                    "expires_at": time.time() + 600}})
    expired = FakeRequest(session={"oauth_info": {"userinfo": {"preferred_username": "ann"}, "expires_at": 1}})
    access = Access(salt=b"s", hf_login="required", audit=AuditLog(tmp_path / "audit.jsonl"))
    assert access.who(signed_in) == "user:hf:ann"
    assert access.who(expired).startswith("ip:") and access.who(FakeRequest()).startswith("ip:")

    from gradio.context import LocalContext

    handler = access.guard(lambda text: text.upper(), "shout")
    for request, expected in ((FakeRequest(), None), (expired, None), (signed_in, "HI")):
        token = LocalContext.request.set(request)
        try:
            if expected is None:
                with pytest.raises(gr.Error, match="Sign in"):
                    handler("hi")
            else:
                assert handler("hi") == expected
        finally:
            LocalContext.request.reset(token)
    access.audit.close()
    outcomes = [json.loads(line)["outcome"] for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert outcomes == ["rejected", "rejected", "ok"]


def test_sign_in_button_only_when_asked_for_and_only_on_a_space(monkeypatch, capsys):
    import gradio.oauth

    import app

    monkeypatch.delenv("OAUTH_CLIENT_ID", raising=False)
    with pytest.raises(SystemExit):
        app.parse_args(["--hf-login", "optional"])
    assert "hf_oauth: true" in capsys.readouterr().err
    # what a Space with hf_oauth: true sets (gradio reads it when it loads)
    space = {"SYSTEM": "spaces", "SPACE_ID": "someone/demo-suite", "OAUTH_CLIENT_ID": "id", "OAUTH_CLIENT_SECRET": "secret",
             "OAUTH_SCOPES": "openid profile", "OPENID_PROVIDER_URL": "https://huggingface.co"}
    for name, value in space.items():
        monkeypatch.setenv(name, value)
        if hasattr(gradio.oauth, name):
            monkeypatch.setattr(gradio.oauth, name, value)

    def buttons(argv):
        blocks = app.build_app(app.parse_args(["--profile", "tiny", "--demos", "qa"] + argv))
        return [b for b in blocks.blocks.values() if isinstance(b, gr.LoginButton)]

    assert buttons([]) == [] and len(buttons(["--hf-login", "optional"])) == 1


def test_flags_and_environment(monkeypatch, tmp_path, capsys):
    import app

    monkeypatch.setenv("DEMO_AUTH", "ann:secret-pw")
    monkeypatch.setenv("DEMO_RATE_LIMIT", "5")
    args = app.parse_args([])
    assert args.logins == [("ann", "secret-pw")] and args.rate_limit == 5 and args.audit_log is None
    assert "secret-pw" not in repr(args)  # the settings may be logged: their secrets are not shown
    file = tmp_path / "users"
    file.write_text("bob:pw\n")
    assert app.parse_args(["--auth", "cid:x", "--auth-file", str(file)]).logins == [("cid", "x"), ("bob", "pw")]
    monkeypatch.delenv("DEMO_AUTH")
    assert app.parse_args([]).logins is None
    with pytest.raises(SystemExit):
        app.build_parser().parse_args(["--help"])
    assert "secret-pw" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        app.parse_args(["--auth", "no-password"])


# --- the running app -------------------------------------------------------------------------------

def test_a_guest_keeps_their_hashed_name_across_restarts_of_the_same_server(tmp_path):
    from models.settings import Settings

    address = "198.51.100.7"
    first = Access(salt=kept_salt(tmp_path)).address_id(address)
    assert Access(salt=kept_salt(tmp_path)).address_id(address) == first  # a restart: the same name
    assert Access(salt=kept_salt(tmp_path / "other")).address_id(address) != first  # another server's salt
    assert (tmp_path / SALT_FILE).stat().st_mode & 0o777 == 0o600
    assert address not in (tmp_path / SALT_FILE).read_text()
    chosen = Settings.from_environment({"DEMO_AUDIT_SALT": "operator-chosen-salt"}).audit_salt
    assert kept_salt(tmp_path, chosen) == b"operator-chosen-salt"
    unusable = tmp_path / SALT_FILE / "data"  # under a file: nothing can be kept there
    assert len(kept_salt(unusable)) == 16 and kept_salt(unusable) != kept_salt(unusable)  # fresh ones, no error


USERS = {"ann": "pw-ann", "bob": "pw-bob"}
CLASSIFY = "text-classification/distilbert-sst2"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access")
    auth_file = users_file(folder, USERS)
    audit = folder / "audit.jsonl"
    with running_app("--demos", "text-classification,ner", "--rate-limit", "2", "--auth-file", str(auth_file),
                     env={"DEMO_AUDIT_LOG": str(audit)}, hooks=["freeze-rate-limit-clock"]) as url:
        yield url, audit


def login(url, user):
    from gradio_client import Client

    return Client(url, auth=(user, USERS[user]), verbose=False)


def test_no_credentials_is_refused(server):
    import httpx
    from gradio_client import Client

    url, _ = server
    with pytest.raises(Exception):
        Client(url, verbose=False)
    with pytest.raises(Exception):
        Client(url, auth=("ann", "wrong"), verbose=False)
    call = httpx.post(url + "gradio_api/call/classify_text", json={"data": ["hi", CLASSIFY]})
    assert call.status_code in (401, 403)
    assert httpx.get(url + "config").status_code in (401, 403)


def test_rate_limit_per_tab_and_user_then_audit(server):
    from gradio_client.exceptions import AppError

    url, audit = server
    ann, bob = login(url, "ann"), login(url, "bob")
    for _ in range(2):
        ann.predict(SECRET, CLASSIFY, api_name="/classify_text")
    with pytest.raises(AppError, match=r"2 per minute per user\. Try again in \d+ s"):
        ann.predict(SECRET, CLASSIFY, api_name="/classify_text")
    ann.predict(SECRET, "token-classification/multilingual-ner", api_name="/find_named_entities")  # other tab
    bob.predict(SECRET, CLASSIFY, api_name="/classify_text")  # other user

    text = audit.read_text()
    assert SECRET not in text
    records = [json.loads(line) for line in text.splitlines()]
    classify = [(r["who"], r["outcome"]) for r in records if r["tab"] == "classify_text"]
    assert classify == [("user:ann", "ok"), ("user:ann", "ok"), ("user:ann", "rejected"), ("user:bob", "ok")]
    models = {r["model"] for r in records if r["outcome"] == "ok" and r["tab"] != "login"}
    assert models == {CLASSIFY, "token-classification/multilingual-ner"}
    assert {r["who"] for r in records if r["tab"] == "login" and r["outcome"] == "ok"} == {"user:ann", "user:bob"}
    assert all(isinstance(r["ms"], int) and r["time"].endswith("+00:00") for r in records)


def test_unknown_model_key_is_refused(server):
    from gradio_client.exceptions import AppError

    url, _ = server
    bob = login(url, "bob")
    for key in ("someone/evil-model", "/etc", "../models"):
        with pytest.raises(AppError):
            bob.predict("text", key, api_name="/find_named_entities")


def test_files_outside_gradio_are_not_served(server):
    import httpx

    url, _ = server
    with httpx.Client(base_url=url) as session:
        assert session.post("login", data={"username": "ann", "password": USERS["ann"]}).status_code == 200
        assert session.get("config").status_code == 200  # logged in
        for path in ("gradio_api/file=/etc/passwd", "gradio_api/file=../../../../etc/passwd",
                     "gradio_api/file=..%2F..%2F..%2F..%2Fetc%2Fpasswd", "gradio_api/file=app.py",
                     "gradio_api/file=" + str(__import__("pathlib").Path(__file__).resolve()),
                     "file=/etc/passwd", "static/../../../../etc/passwd"):
            response = session.get(path)
            assert response.status_code in (403, 404), path
            assert "root:x:" not in response.text and "def test_" not in response.text, path
