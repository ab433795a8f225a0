"""A load without network fails at once with the offline reason, instead of after the hub client's retries."""

from __future__ import annotations

import time

import pytest

from models.runtime.errors import ModelLoadError
from models.runtime.manager import ModelManager
from tests.server import free_port


def test_a_load_without_network_fails_at_once_saying_offline(registry, monkeypatch, tmp_path):
    from huggingface_hub import constants

    from models.runtime import network

    # offline mode is off, as on a user's machine; the hub's address answers nothing; nothing is cached
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(network, "_last", None)
    manager = ModelManager(registry, profile="default", device="cpu")
    from transformers import pipeline  # noqa: F401  (imports torch: a first load's imports are not what is timed)

    started = time.perf_counter()
    with pytest.raises(ModelLoadError, match="offline"):
        manager.get(registry.default_for("text-classification").key)
    assert time.perf_counter() - started < 5  # it took 24 s, the hub client's retries (0.06 s now)
    assert constants.HF_HUB_OFFLINE is False  # offline mode only for that load
    assert network.hub_reachable() is False  # and the answer is remembered
