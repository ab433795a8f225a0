"""gradio keeps a state per session, and every API call is a session: ours must stay small and behave the same."""

from __future__ import annotations

import tracemalloc

import pytest
from gradio import state_holder

import app
from demos.server import session_memory


@pytest.fixture(scope="module")
def blocks():
    return app.build_app(app.parse_args(["--profile", "tiny"]))


def per_session_bytes(cls, blocks, n=20) -> float:
    tracemalloc.start()
    try:
        sessions = [cls(blocks) for _ in range(n)]
        size = tracemalloc.get_traced_memory()[0] / n
    finally:
        tracemalloc.stop()
    assert len(sessions) == n
    return size


def test_the_app_installs_the_lean_session_and_it_is_much_smaller(blocks):
    assert state_holder.SessionState is session_memory.LeanSessionState
    gradio_size = per_session_bytes(session_memory.GradioSessionState, blocks)
    lean_size = per_session_bytes(session_memory.LeanSessionState, blocks)
    assert lean_size < 50_000 < gradio_size / 2, (lean_size, gradio_size)


def test_lean_session_reads_and_updates_like_gradios(blocks):
    ours, theirs = session_memory.LeanSessionState(blocks), session_memory.GradioSessionState(blocks)
    assert vars(ours).keys() == vars(theirs).keys()
    assert list(ours.components) == list(theirs.components)  # the deep-link listing renders every component
    textbox = next(b for b in blocks.blocks.values() if type(b).__name__ == "Textbox")
    changed = textbox.__class__(value="changed in this session", label="x")
    ours[textbox._id] = changed
    theirs[textbox._id] = changed
    assert ours.config_values[textbox._id] == theirs.config_values[textbox._id]
    assert ours[textbox._id] is changed and session_memory.LeanSessionState(blocks)[textbox._id] is textbox
    ours._update_value_in_config(textbox._id, "typed")
    assert ours.config_values[textbox._id]["props"]["value"] == "typed"
    with pytest.raises(KeyError):
        ours.config_values[-1]
