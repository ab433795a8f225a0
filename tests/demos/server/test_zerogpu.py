"""ZeroGPU: with a stand-in ``spaces`` module, every model-bound handler runs inside @spaces.GPU(duration=...)."""

from __future__ import annotations

import inspect
import sys
import types

import pytest

import app
from demos.server import zerogpu
from models.registry.tasks import NAMES


class FakeSpaces(types.ModuleType):
    """Records what ``spaces.GPU`` decorated and each decorated call (generators stay generators, like the
    real package)."""

    def __init__(self):
        super().__init__("spaces")
        self.decorated: dict[str, int] = {}
        self.calls: list[str] = []

    def GPU(self, duration: int = 60):  # noqa: N802 - the real package's name
        def decorate(fn):
            self.decorated[fn.__name__] = duration
            if inspect.isgeneratorfunction(fn):
                def run(*args, **kwargs):
                    self.calls.append(fn.__name__)
                    yield from fn(*args, **kwargs)
            else:
                def run(*args, **kwargs):
                    self.calls.append(fn.__name__)
                    return fn(*args, **kwargs)
            return run
        return decorate


@pytest.fixture
def fake_spaces(monkeypatch):
    spaces = FakeSpaces()
    monkeypatch.setitem(sys.modules, "spaces", spaces)
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    return spaces


def handler(text: str, model: str = "x") -> str:
    """Doc.

    Args:
        text: some text.
        model: a key.
    Returns:
        the text.
    """
    return text.upper()


def test_elsewhere_nothing_changes(monkeypatch):
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)
    monkeypatch.setitem(sys.modules, "spaces", FakeSpaces())
    assert zerogpu.gpu(handler, "classify_text") is handler and not zerogpu.active()
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    monkeypatch.setitem(sys.modules, "spaces", None)  # set on a machine without the package: import fails
    assert zerogpu.gpu(handler, "classify_text") is handler and not zerogpu.active()
    args = zerogpu.configure(app.parse_args(["--device", "cpu"]))
    assert (args.device, args.preload) == ("cpu", False) and "fine-tune" in args.demos


def test_decorated_handler_keeps_name_doc_and_signature(fake_spaces):
    wrapped = zerogpu.gpu(handler, "generate_images")
    assert wrapped is not handler and fake_spaces.decorated == {"handler": 120}
    assert wrapped.__name__ == "handler" and wrapped.__doc__ == handler.__doc__
    assert inspect.signature(wrapped) == inspect.signature(handler)
    assert wrapped("abc") == "ABC" and fake_spaces.calls == ["handler"]


def test_on_zerogpu_models_go_to_cuda_and_load_at_start(fake_spaces):
    args = zerogpu.configure(app.parse_args(["--device", "cpu"]))
    assert (args.device, args.preload) == ("cuda", True)
    assert "fine-tune" not in args.demos and "text-classification" in args.demos


def test_every_tab_runs_its_model_work_inside_spaces_gpu(fake_spaces, tiny_manager):
    blocks = app.build_app(app.parse_args(["--profile", "tiny"]), tiny_manager)
    by_api = {fn.api_name: fn.fn for fn in blocks.fns.values() if fn.api_name}
    names = {api: by_api[api].__name__ for api in zerogpu.DURATIONS}
    assert fake_spaces.decorated[names["generate_images"]] == 120
    assert fake_spaces.decorated[names["transcribe_audio"]] == 120
    assert fake_spaces.decorated[names["summarize"]] == 90
    assert fake_spaces.decorated[by_api["classify_text"].__name__] == zerogpu.DEFAULT_DURATION
    # one model handler per tab, but for fine-tuning (a background training, left out on ZeroGPU)
    assert len(fake_spaces.decorated) == len(NAMES) - len(zerogpu.NOT_ON_ZEROGPU)
    # the wrapped handler is what gradio calls: it still answers, and the call went through spaces.GPU
    labels, status = by_api["classify_text"]("I love it", "text-classification/distilbert-sst2")
    assert fake_spaces.calls == [by_api["classify_text"].__name__]
    assert set(labels) == {"POSITIVE", "NEGATIVE"} and "inference" in status
    assert inspect.isgeneratorfunction(by_api["chat"])  # streaming tabs still stream
    blocks.close()
