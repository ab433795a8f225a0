"""Serving under load: a full queue turns requests away with a clear message, and the app serves on."""

import asyncio

import httpx

from tests.server import running_app


async def call(client: httpx.AsyncClient, api: str, data: list) -> tuple[int, str]:
    """gradio's REST protocol: POST returns an event id, then the SSE stream carries the result."""
    response = await client.post(f"gradio_api/call/{api}", json={"data": data})
    if response.status_code != 200:
        return response.status_code, response.text
    event_id = response.json()["event_id"]
    async with client.stream("GET", f"gradio_api/call/{api}/{event_id}") as stream:
        body = "".join([chunk async for chunk in stream.aiter_text()])
    return 200, body


def test_full_queue_says_busy_and_the_next_request_works():
    text = "Sarah works for Google in London. " * 250  # slow enough on the tiny model to back the queue up
    with running_app("--demos", "ner", "--max-queue", "2", "--gpu-concurrency", "1", "--max-batch-size", "1") as url:
        async def burst():
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                return await asyncio.gather(*[call(client, "find_named_entities",
                                                   [text, "token-classification/bert-base-ner"])
                                              for _ in range(30)])

        outcomes = asyncio.run(burst())
        busy = [body for status, body in outcomes if status == 503]
        served = [body for status, body in outcomes if status == 200]
        assert busy and all("Queue is full" in body for body in busy)
        assert served and all("event: complete" in body for body in served)

        async def single():
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                return await call(client, "find_named_entities", ["Berlin", "token-classification/bert-base-ner"])

        status, body = asyncio.run(single())
        assert status == 200 and "event: complete" in body


def test_uploads_over_the_limit_are_refused():
    with running_app("--demos", "asr", "--max-upload-mb", "1") as url:
        small = httpx.post(f"{url}gradio_api/upload", files={"files": ("a.wav", b"\0" * 1000)}, timeout=30)
        big = httpx.post(f"{url}gradio_api/upload", files={"files": ("b.wav", b"\0" * 2_000_000)}, timeout=30)
    assert small.status_code == 200
    assert big.status_code == 413 and "maximum allowed size of 1048576 bytes" in big.text
