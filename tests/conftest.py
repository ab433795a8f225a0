"""Shared fixtures. Tests never touch the network: the hub is offline and models are tiny twins."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# Ray reads this when it is imported (not at ray.init): set before any test module imports ray, so that every Ray
# process the tests start listens on loopback only (tests/models/runtime/test_ray_serving.py checks it)
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
# one twin cache for the whole run (the app subprocess reuses it); CI starts from an empty one
os.environ.setdefault("DEMO_TINY_CACHE", str(ROOT / ".cache" / "tiny-test"))
# what apps under test save (fine-tuned models) goes to a fresh folder, never the repository's ./data
os.environ.setdefault("DEMO_DATA_DIR", tempfile.mkdtemp(prefix="demo-test-data-"))


@pytest.fixture(autouse=True)
def read_every_token(monkeypatch):
    """Tiny twins generate a token in about a millisecond: read streams without pausing between reads
    (tests/models/families/test_streaming.py checks the pacing itself)."""
    from models.families.runners import streaming

    monkeypatch.setattr(streaming, "READ_INTERVAL_S", 0.0)


@pytest.fixture
def lockstep_generation(monkeypatch):
    """Generation in this process waits at each new token until the stream's reader has read the one before.
    A reader then sees every token (a stream grows step by step), and a generation is still running while
    the test reads it, however the machine schedules the two threads. A set stop flag or a closed stream
    releases the generation, which then stops as it always does."""
    from models.families.runners import streaming

    class Lockstep(streaming.TokenCollector):
        def __init__(self, skip_prompt: bool):
            super().__init__(skip_prompt)
            self.read, self.stops = threading.Event(), []
            self.read.set()

        def put(self, value) -> None:
            if not self._skip:  # (the prompt is not a new token)
                while not self.read.wait(0.01):
                    if any(stop.is_set() for stop in self.stops):
                        break
                self.read.clear()
            super().put(value)

        def ids(self) -> list[int]:
            ids = super().ids()
            self.read.set()
            return ids

    generate_once = streaming.generate_once

    def generate_in_lockstep(model, inputs, kwargs, *stops):
        if isinstance(kwargs.get("streamer"), Lockstep):
            kwargs["streamer"].stops = [stop for stop in stops if stop is not None]
        return generate_once(model, inputs, kwargs, *stops)

    monkeypatch.setattr(streaming, "TokenCollector", Lockstep)
    monkeypatch.setattr(streaming, "generate_once", generate_in_lockstep)


@pytest.fixture(scope="session")
def registry():
    from models.registry import builtin_registry

    return builtin_registry()


@pytest.fixture(scope="session")
def tiny_manager(registry):
    """One manager over every tiny twin, on CPU, big enough that nothing is evicted."""
    from models.runtime.manager import ModelManager

    manager = ModelManager(registry, profile="tiny", device="cpu", max_models=len(registry))
    yield manager
    manager.close()


def with_settings(ctx, **changes):
    """``ctx`` with some of its settings changed (the same manager and the same links between tabs)."""
    import dataclasses

    return dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, **changes))


@pytest.fixture(scope="session")
def ctx(tiny_manager):
    from demos.ui.common import DemoContext
    from models.settings import Settings, TextLimits

    return DemoContext(tiny_manager, Settings(text=TextLimits(max_text_chars=2000, max_context_chars=20_000,
                                                              max_question_chars=200),
                                              data_dir=os.environ["DEMO_DATA_DIR"]))


@pytest.fixture(scope="session")
def suite_url():
    """The end-to-end tests' app: every tab, tiny profile, MCP on, started once for the whole run on a free port
    (the first test that asks for it pays the start). A test that needs other options (a login, a rate limit, a
    memory budget, another backend) starts its own with ``tests.server.running_app``."""
    from tests.server import running_app

    with running_app("--mcp") as url:
        yield url


@pytest.fixture(scope="session")
def suite_client(suite_url):
    """A gradio_client ``Client`` of ``suite_url``, like an API user's."""
    from gradio_client import Client

    return Client(suite_url, verbose=False)
