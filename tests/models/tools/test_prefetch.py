"""python -m models download: which checkpoints, the cache path per checkpoint, clear errors; never the network."""

from __future__ import annotations

import pytest

from models import __main__ as cli
from models.tools import prefetch
from models.registry import builtin_registry
from models.registry.tasks import TASKS


class FakeHub:
    """Stands in for snapshot_download: records the calls, fails for the ids it is told to."""

    def __init__(self, failing: dict[str, Exception] | None = None):
        self.calls: list[tuple[str, str]] = []
        self.failing = failing or {}

    def __call__(self, repo_id: str, revision: str) -> str:
        self.calls.append((repo_id, revision))
        if repo_id in self.failing:
            raise self.failing[repo_id]
        return f"/cache/{repo_id.replace('/', '--')}/{revision}"


def test_default_selection_is_each_tabs_default_once():
    registry = builtin_registry()
    specs = prefetch.select(registry)
    checkpoints = [spec.checkpoint for spec in specs]
    defaults = {registry.default_for(row.task).checkpoint for row in TASKS}
    assert len(checkpoints) == len(set(checkpoints)) and set(checkpoints) == defaults  # each tab's default, once
    assert checkpoints[0] == registry.default_for("text-classification").checkpoint
    assert prefetch.select(registry, ["qa", "asr"]) == [registry.default_for("question-answering"),
                                                        registry.default_for("automatic-speech-recognition")]


def test_all_selects_every_distinct_checkpoint():
    registry = builtin_registry()
    specs = prefetch.select(registry, everything=True)
    assert {(s.checkpoint, s.revision) for s in specs} == {(s.checkpoint, s.revision) for s in registry}
    assert len(specs) < len(registry)  # Qwen serves three tabs: fetched once


def test_unknown_tab_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown tab.*choose from text-classification"):
        prefetch.select(builtin_registry(), ["nope"])


def test_downloads_each_and_reports_where_it_landed():
    hub = FakeHub()
    lines = []
    specs = prefetch.select(builtin_registry(), ["ner", "chat"])
    results = prefetch.download_all(specs, downloader=hub, echo=lines.append)
    assert hub.calls == [(s.checkpoint, s.revision) for s in specs]
    assert [r.path for r in results] == [f"/cache/{s.checkpoint.replace('/', '--')}/main" for s in specs]
    assert lines[0].startswith("[1/2] dslim/bert-base-NER")
    assert lines[-1] == "2 of 2 checkpoints are in the Hugging Face cache."


def test_one_failure_is_explained_and_the_rest_still_download(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    specs = prefetch.select(builtin_registry(), ["ner", "qa"])
    hub = FakeHub({specs[0].checkpoint: ConnectionError("Name or service not known")})
    lines = []
    results = prefetch.download_all(specs, downloader=hub, echo=lines.append)
    assert len(hub.calls) == 2
    assert "no connection to the Hugging Face Hub" in results[0].error and results[1].error is None
    assert lines[-1].endswith(f"failed: {specs[0].checkpoint}")


def test_offline_mode_says_to_unset_it(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from huggingface_hub.errors import OfflineModeIsEnabled

    assert "HF_HUB_OFFLINE is set" in prefetch.explain(OfflineModeIsEnabled("offline"))


def test_real_hub_call_offline_fails_clearly_without_network(monkeypatch, tmp_path):
    # the real snapshot_download, offline and with an empty cache: it must fail at once, and be explained
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    (result,) = prefetch.download_all(prefetch.select(builtin_registry(), ["qa"]), echo=lambda line: None)
    assert result.path is None and "HF_HUB_OFFLINE is set" in result.error


def test_command_line_exit_status(monkeypatch, capsys):
    hub = FakeHub()
    monkeypatch.setattr(prefetch, "_hub_snapshot", hub)
    assert cli.main(["download", "--demos", "text-classification"]) == 0
    assert hub.calls == [("distilbert/distilbert-base-uncased-finetuned-sst-2-english", "main")]
    failing = FakeHub({"dslim/bert-base-NER": OSError("unreachable")})
    monkeypatch.setattr(prefetch, "_hub_snapshot", failing)
    assert cli.main(["download", "--demos", "ner"]) == 1
    assert "failed: dslim/bert-base-NER" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["download", "--demos", "nope"])
