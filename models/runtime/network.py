"""Is the Hugging Face Hub reachable? Without network and without ``HF_HUB_OFFLINE``, huggingface_hub retries every
request with back-off: a first load took ~27 s here to fail (the tab showing "Loading… 0%" meanwhile). One TCP
connect, a few seconds at most and remembered for a minute, tells a load to run offline instead: a cached checkpoint
still loads, a missing one fails at once with the "offline" reason (``models.runtime.errors.explain_load_failure``).
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlparse

CONNECT_TIMEOUT_S = 3.0
REMEMBER_S = 60.0

_lock = threading.Lock()
_last: tuple[float, str, bool] | None = None  # (when, endpoint, reachable)


def hub_reachable(timeout: float = CONNECT_TIMEOUT_S, remember: float = REMEMBER_S) -> bool:
    """Whether a TCP connection to the hub's endpoint opens (False in offline mode); asked at most once a minute."""
    global _last
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    endpoint = constants.ENDPOINT
    with _lock:
        if _last is not None and _last[1] == endpoint and time.monotonic() - _last[0] < remember:
            return _last[2]
    url = urlparse(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=timeout):
            reachable = True
    except OSError:
        reachable = False
    with _lock:
        _last = (time.monotonic(), endpoint, reachable)
    return reachable


@contextmanager
def offline_unless_reachable() -> Iterator[bool]:
    """Within: huggingface_hub in offline mode if the hub cannot be reached (yields whether it can). Loads run one at
    a time (``models.runtime.manager``), and any other hub request in the meantime would have failed anyway."""
    from huggingface_hub import constants

    if hub_reachable():
        yield True
        return
    previous = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield False
    finally:
        constants.HF_HUB_OFFLINE = previous
