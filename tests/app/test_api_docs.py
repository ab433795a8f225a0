"""The README's API examples work: its curl calls (replayed with httpx) and its gradio_client snippet,
against the app in the tiny profile."""

from __future__ import annotations

import json
import re

import httpx

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_calls() -> dict[str, list]:
    """Each ``call API_NAME '[json]'`` line of the README's curl section."""
    calls = {name: json.loads(data) for name, data in re.findall(r"^call (\w+) '(\[.*\])'$", README, re.MULTILINE)}
    assert calls, "the README's curl section has no `call` lines"
    return calls


def call(url: str, api_name: str, data: list) -> tuple[str, list]:
    """What the README's ``call`` helper does: POST the inputs, then read the event stream to its end."""
    posted = httpx.post(f"{url}gradio_api/call/{api_name}", json={"data": data}, timeout=30)
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    event, payload = None, None
    with httpx.stream("GET", f"{url}gradio_api/call/{api_name}/{event_id}", timeout=120) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: ") and event in ("complete", "error"):
                payload = json.loads(line[len("data: "):])
                break
    return event, payload


def test_readme_curl_calls_complete_on_the_tiny_app(suite_url):
    calls = readme_calls()
    assert {"classify_text", "find_named_entities", "answer_question", "summarize", "translate", "chat",
            "synthesize_speech", "generate_images"} <= set(calls)
    url = suite_url
    for api_name in ("classify_text", "find_named_entities", "answer_question", "summarize", "translate",
                     "chat", "synthesize_speech"):
        event, outputs = call(url, api_name, calls[api_name])
        assert event == "complete", (api_name, outputs)
        status = outputs[-1]  # every tab's last output is its status line: "**<model>** on <device> ..."
        assert isinstance(status, str) and status.startswith("**") and " on cpu" in status, (api_name, status)
    labels, status = call(url, "classify_text", calls["classify_text"])[1]
    assert {item["label"] for item in labels["confidences"]} == {"POSITIVE", "NEGATIVE"}
    # a file input: upload, then pass the server-side path, as the README shows
    with open(ROOT / "demos" / "examples" / "flower.jpg", "rb") as photo:
        uploaded = httpx.post(f"{url}gradio_api/upload", files={"files": ("photo.jpg", photo, "image/jpeg")},
                              timeout=30).json()
    event, outputs = call(url, "classify_image", [{"path": uploaded[0], "meta": {"_type": "gradio.FileData"}},
                                                  "image-classification/vit-base", 5])
    assert event == "complete" and len(outputs[0]["confidences"]) == 5
    # a bad input answers with an error event, and the next request still works
    event, _ = call(url, "classify_text", ["", "text-classification/distilbert-sst2"])
    assert event == "error"
    assert call(url, "classify_text", calls["classify_text"])[0] == "complete"


def test_readme_gradio_client_snippet_runs_on_the_tiny_app(suite_url):
    snippet = re.search(r"```python\n(from gradio_client import .*?)```", README, re.DOTALL).group(1)
    url = suite_url
    namespace: dict = {}
    exec(snippet.replace("http://127.0.0.1:7860/", url), namespace)  # noqa: S102 - our own README
    assert namespace["status"] and namespace["labels"] and namespace["translation"] and namespace["history"]
