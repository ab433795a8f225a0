"""The store of fine-tuned models: a quota per user, deleting one's own models, the server-wide cap making room by
removing the least recently used, corrupt ``training.json`` and unfinished saves at start, names from the data."""

from __future__ import annotations

import json
import logging
import os
import re
from types import SimpleNamespace

import gradio as gr
import pytest

from demos.fine_tune import tab
from demos.ui.common import DemoContext
from models.fine_tune.store import INFO_FILE, FineTunedStore, NotYours
from models.registry import builtin_registry
from models.settings import Settings

ALICE, BOB = "user:alice", "ip:0123456789abcdef"


class Saveable:
    def __init__(self, file: str):
        self.file = file

    def save_pretrained(self, folder):
        (folder / self.file).write_text("{}")


TRAINED = SimpleNamespace(model=Saveable("config.json"), tokenizer=Saveable("tokenizer_config.json"))


def info(owner: str, labels=("food", "sports")) -> dict:
    return {"created": "2026-11-30T12:00:00+00:00", "owner": owner, "made_by": owner.split(":")[1],
            "base_model": "fine-tune/distilbert-base-uncased", "labels": list(labels), "train_rows": 10}


def save(store: FineTunedStore, registry, owner: str, name: str, saved_at: float | None = None):
    folder = store.save(TRAINED, name, info(owner))
    if saved_at is not None:
        os.utime(folder / INFO_FILE, (saved_at, saved_at))
    return store.register(folder, registry)


@pytest.fixture()
def store(tmp_path):
    return FineTunedStore(tmp_path / "data", max_saved=4, max_per_user=2)


def test_each_user_has_a_quota_of_their_own(store):
    registry = builtin_registry()
    save(store, registry, ALICE, "a1")
    assert store.quota_message(ALICE) is None
    save(store, registry, ALICE, "a2")
    assert "You already keep 2 fine-tuned models" in store.quota_message(ALICE)
    assert store.quota_message(BOB) is None  # another user is not held back by alice
    assert [f.name for f in store.owned_by(ALICE)] == ["a1", "a2"] and store.owned_by(BOB) == []


def test_the_tab_refuses_a_user_over_quota_before_training(tiny_manager, tmp_path):
    ctx = DemoContext(tiny_manager, Settings(data_dir=str(tmp_path / "data")))
    store = tab._state(ctx).store
    store.max_per_user = 1
    request = SimpleNamespace(username="alice", session_hash="s")
    save(store, builtin_registry(), ALICE, "mine")
    with pytest.raises(gr.Error, match="You already keep 1 fine-tuned models.*Delete one under 'Your models'"):
        next(tab.train_classifier(ctx, None, None, None, True, "fine-tune/distilbert-base-uncased", 1, 1e-2, 16,
                                  0.2, "", request))
    assert tab._state(ctx).slot.current is None  # nothing started


def test_a_user_deletes_their_own_models_only(store):
    registry = builtin_registry()
    evicted = []
    spec = save(store, registry, ALICE, "alices")
    save(store, registry, BOB, "bobs")
    with pytest.raises(NotYours):
        store.delete("bobs", ALICE, registry)
    with pytest.raises(NotYours):
        store.delete("../bobs", ALICE, registry)
    assert store.delete("alices", ALICE, registry, forget=evicted.append) == spec.key
    assert spec.key not in registry and evicted == [spec.key]
    assert not (store.root / "alices").exists() and (store.root / "bobs").is_dir()
    assert "text-classification/bobs" in registry


def test_the_tab_lists_and_deletes_the_requesting_users_models(tiny_manager, tmp_path):
    ctx = DemoContext(tiny_manager, Settings(data_dir=str(tmp_path / "data")))
    store = tab._state(ctx).store
    alice, bob = SimpleNamespace(username="alice"), SimpleNamespace(username="bob")
    save(store, tiny_manager.registry, ALICE, "alices-topics")
    save(store, tiny_manager.registry, "user:bob", "bobs-topics")
    assert [name for _, name in tab.your_models(ctx, alice)] == ["alices-topics"]
    with pytest.raises(gr.Error, match="You have no fine-tuned model called 'bobs-topics'"):
        tab.delete_my_model(ctx, "bobs-topics", alice)
    update, message = tab.delete_my_model(ctx, "alices-topics", alice)
    assert update["choices"] == [] and "Deleted **alices-topics**" in message
    assert "text-classification/alices-topics" not in tiny_manager.registry
    assert [name for _, name in tab.your_models(ctx, bob)] == ["bobs-topics"]
    tiny_manager.registry.remove_local_entry("text-classification/bobs-topics", store.root)  # shared registry


def test_a_full_server_removes_the_least_recently_used_first(store):
    registry = builtin_registry()
    for number, name in enumerate(["old-used", "old-idle", "newer-idle", "newest"]):
        save(store, registry, ALICE if number % 2 else BOB, name, saved_at=1_000_000 + number)
    used = {"text-classification/old-used": 2_000_000}
    forgotten = []
    removed = store.make_room(registry, used.get, forget=forgotten.append)
    assert removed == forgotten == ["text-classification/old-idle"]  # one more now fits under max_saved=4
    assert [f.name for f in store.saved()] == ["old-used", "newer-idle", "newest"]
    assert store.make_room(registry, used.get) == []
    store.max_saved = 2  # the operator lowered the cap: down to one below it, least recently used first
    assert store.make_room(registry, used.get) == ["text-classification/newer-idle", "text-classification/newest"]
    assert [f.name for f in store.saved()] == ["old-used"] and "text-classification/old-used" in registry


@pytest.mark.parametrize("content", ['{"labels": [1, 2]}', "[]", '"text"', '{"labels": ', '{"evaluation": 3}',
                                     '{"made_by": ["x"]}', "\xff\xfe"])
def test_a_corrupt_training_json_is_skipped_with_a_warning(store, caplog, content):
    registry = builtin_registry()
    save(store, registry, ALICE, "good")
    bad = store.root / "bad"
    bad.mkdir()
    (bad / INFO_FILE).write_bytes(content.encode("latin-1"))
    fresh = builtin_registry()
    with caplog.at_level(logging.WARNING):
        added = store.restore(fresh)
    assert [spec.name for spec in added] == ["good"] and "text-classification/bad" not in fresh
    assert any("skipping saved model" in r.getMessage() and "bad" in r.getMessage() for r in caplog.records)


def test_a_corrupt_training_json_does_not_stop_the_app(tmp_path):
    import app

    bad = tmp_path / "fine-tuned" / "bad"
    bad.mkdir(parents=True)
    (bad / INFO_FILE).write_text('{"labels": [1, 2]}')  # a TypeError at start before
    manager = app.make_manager(app.parse_args(["--profile", "tiny", "--data-dir", str(tmp_path)]))
    assert "text-classification/bad" not in manager.registry


def test_unfinished_saves_are_removed_at_start_and_never_registered(store):
    registry = builtin_registry()
    save(store, registry, ALICE, "kept")
    staging = store.root / ".crashed.k3j2"  # complete, but the rename never happened
    staging.mkdir()
    (staging / INFO_FILE).write_text(json.dumps(info(ALICE)))
    (staging / "config.json").write_text("{}")
    assert [f.name for f in store.saved()] == ["kept"]
    fresh = builtin_registry()
    assert [spec.name for spec in store.restore(fresh)] == ["kept"]
    assert not staging.exists() and not any(spec.name.startswith(".") for spec in fresh)


def test_names_come_from_the_labels_and_base_model_and_say_who_made_them(store):
    name = store.new_name("", ["food", "sports", "technology"], "distilbert-base-uncased")
    assert re.fullmatch(r"food-sports-technology-distilbert-base-uncased-[0-9a-f]{4}", name)
    assert re.fullmatch(r"my-topics-[0-9a-f]{4}", store.new_name("My Topics!", ["a"], "base"))
    assert re.fullmatch(r"labels-base-[0-9a-f]{4}", store.new_name("", ["体育", "美食"], "base"))
    spec = save(store, builtin_registry(), ALICE, name)
    assert "Fine-tuned by alice on this server" in spec.description
