"""Shared fixtures. Tests never touch the network: the hub is offline and models are tiny twins."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# one twin cache for the whole run (the app subprocess reuses it); CI starts from an empty one
os.environ.setdefault("DEMO_TINY_CACHE", str(ROOT / ".cache" / "tiny-test"))
# what apps under test save (fine-tuned models) goes to a fresh folder, never the repository's ./data
os.environ.setdefault("DEMO_DATA_DIR", tempfile.mkdtemp(prefix="demo-test-data-"))


@pytest.fixture(autouse=True)
def read_every_token(monkeypatch):
    """Tiny twins generate a token in about a millisecond: read streams at every token, so tests see the
    growth that a real model shows at the default pacing (tests/test_generation_streaming_pace.py checks it)."""
    from models.runners import streaming

    monkeypatch.setattr(streaming, "READ_INTERVAL_S", 0.0)


@pytest.fixture(scope="session")
def registry():
    from models.registry import builtin_registry

    return builtin_registry()


@pytest.fixture(scope="session")
def tiny_manager(registry):
    """One manager over every tiny twin, on CPU, big enough that nothing is evicted."""
    from models.manager import ModelManager

    manager = ModelManager(registry, profile="tiny", device="cpu", max_models=len(registry))
    yield manager
    manager.close()


@pytest.fixture(scope="session")
def ctx(tiny_manager):
    from demos.common import DemoContext, Limits

    return DemoContext(tiny_manager, Limits(max_text_chars=2000, max_context_chars=20_000,
                                            max_question_chars=200))
