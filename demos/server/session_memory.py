"""Smaller per-session state for gradio: every request through the API is a session of its own.

gradio's ``SessionState`` renders the config of every component of the app when a session starts (about
0.36 MB for eleven tabs), although only components changed in that session, and deep links, ever read
it. Under API load that is most of the server's memory growth: 500 sessions kept = 180 MB. ``LeanSessionState``
renders a component's config when it is first read instead (about 12 KB per session), and the deep-link
listing renders the untouched ones on the fly. gradio has no option for this, so the class is swapped in
``gradio.state_holder``; ``install()`` checks first that gradio's session still has the attributes this
version expects and leaves gradio alone (with a warning) when it does not.
"""

from __future__ import annotations

import logging
import os
from copy import copy

from gradio import state_holder

log = logging.getLogger(__name__)

GradioSessionState = state_holder.SessionState


class RenderedOnDemand(dict):
    """Component configs by id, rendered when first read."""

    def __init__(self, blocks_config, ids) -> None:
        super().__init__()
        self._blocks_config, self._ids = blocks_config, ids

    def __missing__(self, key):
        if key not in self._ids:
            raise KeyError(key)
        value = self[key] = self._blocks_config.config_for_block(key, [], self._blocks_config.blocks[key])
        return value


def component_ids(blocks) -> frozenset:
    """The ids gradio renders a config for in a new session (computed once per app, shared by its sessions)."""
    cached = getattr(blocks, "_lean_session_ids", None)
    if cached is None or cached[0] is not blocks.default_config:
        ids = frozenset(k for k in blocks.default_config.blocks if k in blocks.blocks)
        cached = blocks._lean_session_ids = (blocks.default_config, ids)
    return cached[1]


class LeanSessionState(GradioSessionState):
    def __init__(self, blocks) -> None:  # gradio's __init__, minus rendering every config up front
        self.blocks_config = copy(blocks.default_config)
        self.config_values = RenderedOnDemand(self.blocks_config, component_ids(blocks))
        self.state_data = {}
        self._state_ttl = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    @property
    def components(self):
        for key in self.config_values._ids:
            config = self.config_values[key]
            if config:
                yield config


def install(blocks) -> bool:
    """Use the lean session state in this process if it matches gradio's; returns whether it does."""
    if state_holder.SessionState is LeanSessionState:
        return True
    try:
        blocks.default_config  # noqa: B018 - rendered by gradio when the app is configured
        expected, lean = vars(GradioSessionState(blocks)), vars(LeanSessionState(blocks))
    except Exception as exc:  # a gradio whose session works differently: keep its own
        log.warning("keeping gradio's own session state (%s)", exc)
        return False
    if set(expected) != set(lean) or expected["config_values"].keys() != {
            key for key in lean["config_values"]._ids}:
        log.warning("keeping gradio's own session state: this gradio version stores sessions differently")
        return False
    state_holder.SessionState = LeanSessionState
    return True
