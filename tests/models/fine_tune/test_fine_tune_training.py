"""Fine-tuning on tiny twins: the loss falls, the model is saved, registered and classifies, Stop works, one
training at a time, and bad input gets a clear gr.Error while the tab keeps working."""

import re
import threading
import zipfile
from types import SimpleNamespace

import gradio as gr
import pytest

from demos.fine_tune import tab
from demos.ui.common import DemoContext
from models.fine_tune.dataset import DatasetLimits, clean, split
from models.fine_tune.job import Job
from models.fine_tune.sample import sample_rows
from models.fine_tune.store import FineTunedStore
from models.fine_tune.trainer import EpochDone, StepDone, TrainSettings
from models.settings import Settings

BASE = "fine-tune/distilbert-base-uncased"
ENGLISH = [(text, label) for text, label in sample_rows() if text.isascii()]  # 150 rows, 3 separable topics


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Tiny models gain nothing from threads, and on a busy 2-core machine two threads made training ~4x slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def manager():
    """A registry of its own: the entries these tests add stay out of the shared one."""
    from models.runtime.manager import ModelManager
    from models.registry import builtin_registry

    manager = ModelManager(builtin_registry(), profile="tiny", device="cpu", max_models=4)
    yield manager
    manager.close()


@pytest.fixture()
def ft_ctx(manager, tmp_path):
    return DemoContext(manager, Settings(data_dir=str(tmp_path / "data")))


def request(session="session-1"):
    return SimpleNamespace(session_hash=session)


def run(ctx, file=None, text_column=None, label_column=None, use_sample=True, base=BASE, epochs=2,
        learning_rate=1e-2, batch_size=16, validation_share=0.2, name="", session="session-1"):
    return list(tab.train_classifier(ctx, file, text_column, label_column, use_sample, base, epochs, learning_rate,
                                     batch_size, validation_share, name, request(session)))


def test_training_on_a_separable_set_lowers_the_loss(manager):
    data = clean(ENGLISH, DatasetLimits())
    train, validation = split(data, 0.2)
    runner = manager.get(BASE)
    reports = []
    trained = runner.train(train, validation, TrainSettings(epochs=5, learning_rate=1e-2, batch_size=16),
                           reports.append, threading.Event())
    epochs = [r for r in reports if isinstance(r, EpochDone)]
    steps = [r for r in reports if isinstance(r, StepDone)]
    assert len(epochs) == 5 and len(steps) == trained.steps == trained.total_steps == 5 * 8
    assert epochs[-1].validation_loss < 0.7 * epochs[0].validation_loss
    per_epoch = len(steps) // 5
    first, last = steps[:per_epoch], steps[-per_epoch:]
    assert sum(s.loss for s in last) / per_epoch < 0.7 * sum(s.loss for s in first) / per_epoch
    evaluation = trained.evaluation
    assert evaluation.accuracy > 0.6 and sum(map(sum, evaluation.confusion)) == len(validation.texts) == 30
    assert trained.labels == ["food", "sports", "technology"] and not trained.stopped


def test_a_run_streams_saves_registers_and_classifies(ft_ctx, tmp_path):
    from demos.text_classification.tab import classify_text

    outputs = run(ft_ctx, epochs=3, name="My Topics!")
    assert len(outputs) >= 3  # the start, at least one progress update, the result
    progress, curve, metrics, confusion, archive, status = outputs[-1]
    assert "Saved as" in status and "nothing was saved" not in status
    assert curve["curve"].tolist().count(tab.VALIDATION_CURVE) == 3 and len(curve) == 3 + 3 * 15
    key = metrics["model"]
    assert re.fullmatch(r"text-classification/my-topics-[0-9a-f]{4}", key)
    assert set(metrics["per_label"]) == {"food", "sports", "technology"} and metrics["validation_rows"] == 60
    assert confusion.shape == (3, 4) and int(confusion.iloc[:, 1:].to_numpy().sum()) == 60
    assert "(100%)" in progress

    # the saved model: a registry entry of the Text classification tab, served from the data folder
    spec = ft_ctx.manager.registry.get(key)
    assert spec.task == "text-classification" and spec.checkpoint.startswith(str(tmp_path / "data" / "fine-tuned"))
    scores, line = classify_text(ft_ctx, "The tennis final was exciting.", key)
    assert set(scores) == {"food", "sports", "technology"} and sum(scores.values()) == pytest.approx(1, abs=1e-4)

    # the zip holds a Hugging Face folder that from_pretrained reads
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        bundle.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / spec.name
    assert {"config.json", "model.safetensors", "tokenizer_config.json", "README.md"} <= {p.name for p in folder.iterdir()}
    assert all(name.startswith(spec.name + "/") for name in names)
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(folder)
    assert model.config.id2label == {0: "food", 1: "sports", 2: "technology"}

    # after a restart, the saved model is registered again
    import app

    restarted = app.make_manager(app.parse_args(["--profile", "tiny", "--data-dir", ft_ctx.settings.data_dir]))
    assert restarted.registry.get(key).checkpoint == spec.checkpoint
    assert FineTunedStore(ft_ctx.settings.data_dir).restore(restarted.registry) == []  # once only


@pytest.fixture()
def cannot_finish_unless_stopped(monkeypatch):
    """A training waits before its last step until it is stopped (tests/hooks.py)."""
    from models.fine_tune.trainer import FineTuneBase
    from tests.hooks import held_before_the_last_step

    monkeypatch.setattr(FineTuneBase, "train", held_before_the_last_step(FineTuneBase.train))


def test_stop_ends_the_run_and_saves_nothing(ft_ctx, cannot_finish_unless_stopped):
    stream = tab.train_classifier(ft_ctx, None, None, None, True, BASE, 20, 1e-2, 4, 0.2, "", request("stopper"))
    first = next(stream)
    assert "Loading" in first[0]
    progress = next(stream)  # the first steps have been reported
    assert "step" in progress[0]
    assert tab.stop_fine_tune(request("someone-else")) == "No training of yours is running."
    assert tab.stop_fine_tune(request("stopper")).startswith("Stopping")
    outputs = list(stream)
    status = outputs[-1][-1]
    assert "was stopped after" in status and "nothing was saved" in status
    assert not FineTunedStore(ft_ctx.settings.data_dir).saved()
    slot = tab._state(ft_ctx).slot
    assert slot.current is None and slot.busy_message() is None  # free for the next user


def test_one_training_at_a_time_gives_the_second_user_a_message(ft_ctx):
    slot = tab._state(ft_ctx).slot
    release = threading.Event()
    job = Job(lambda report, stop: release.wait(120), description="someone's model")
    slot.start(job)
    try:
        with pytest.raises(gr.Error, match="Another training is running on this server .someone's model, "
                                           "started \\d+ s ago.. One training runs at a time"):
            run(ft_ctx, session="second-user")
    finally:
        release.set()
        job.wait(60)
    assert slot.current is None


def test_a_failed_run_frees_the_slot_and_reports(ft_ctx, monkeypatch):
    from models.fine_tune.trainer import FineTuneBase

    def broken(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(FineTuneBase, "train", broken)
    with pytest.raises(gr.Error, match="failed on this input .RuntimeError."):
        run(ft_ctx)
    assert tab._state(ft_ctx).slot.current is None


@pytest.mark.parametrize("change, message", [
    ({"epochs": 0}, "Epochs must be a whole number between 1 and 20"),
    ({"epochs": 1000}, "Epochs must be"),
    ({"epochs": 2.5}, "Epochs must be a whole number"),
    ({"learning_rate": 1.0}, "Learning rate must be a number between 1e-06 and 0.01"),
    ({"learning_rate": "fast"}, "Learning rate must be"),
    ({"batch_size": 0}, "Batch size must be a whole number between 1 and 128"),
    ({"validation_share": 0.9}, "Validation share must be a number between 0.05 and 0.5"),
    ({"base": "text-classification/distilbert-sst2"}, "Unknown model"),
    ({"base": "../../etc"}, "Unknown model"),
    ({"name": "x" * 61}, "model name is 61 characters long; the limit is 60"),
    ({"use_sample": False}, "No training data"),
])
def test_absurd_settings_are_refused(ft_ctx, change, message):
    with pytest.raises(gr.Error, match=message):
        run(ft_ctx, **change)


@pytest.mark.parametrize("content, message, unreadable", [
    ("sentence,topic\na,b\n", "no column 'text' for the text. Its columns: 'sentence', 'topic'", False),
    ("text,label\n" + "".join(f"row {i},same\n" for i in range(20)), "Every row has the label 'same'", False),
    ("text,label\n" + "a,b\n" * 30, "Only 1 usable rows .1 rows used of 30; 29 duplicates dropped.", False),
    ("caf\xe9,label\n".encode("latin-1"), "not UTF-8", True),
    ("text,label\n" + "x" * 1_100_000 + ",a\n", "the limit for training data is 1 MB", True),
])
def test_bad_files_are_refused_and_the_next_run_works(ft_ctx, tmp_path, content, message, unreadable):
    tab._state(ft_ctx).limits = DatasetLimits(max_mb=1)
    path = tmp_path / "upload.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(gr.Error, match=message):
        run(ft_ctx, file=str(path), text_column="text", label_column="label", use_sample=False)
    if unreadable:  # reading the header on upload already says so
        with pytest.raises(gr.Error, match=message):
            tab.read_file_columns(ft_ctx, str(path))
    good = tmp_path / "good.csv"
    good.write_text("text,label\n" + "".join(f"{t},{l}\n" for t, l in ENGLISH[:20]), encoding="utf-8")
    assert tab.read_file_columns(ft_ctx, str(good))[0]["value"] == "text"


def test_an_upload_with_empty_and_duplicate_rows_trains_and_reports_the_counts(ft_ctx, tmp_path):
    lines = ["id,sentence,topic"] + [f'{i},"{text}",{label}' for i, (text, label) in enumerate(ENGLISH[:60])]
    lines += ["98,,sports", "99,some text,", f'100,"{ENGLISH[0][0]}",{ENGLISH[0][1]}']
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text_column, label_column, preview, use_sample, status = tab.read_file_columns(ft_ctx, str(path))
    assert (text_column["value"], label_column["value"], use_sample) == ("sentence", "topic", False)
    assert text_column["choices"] == ["id", "sentence", "topic"] and len(preview) == 5 and "63 rows" in status
    outputs = run(ft_ctx, file=str(path), text_column="sentence", label_column="topic", use_sample=False, epochs=1)
    status = outputs[-1][-1]
    assert "60 rows used of 63; 2 empty (no text or no label) dropped; 1 duplicates dropped" in status
    assert "Saved as" in status


def test_runtime_entries_must_be_folders_the_server_owns(tmp_path):
    from models.registry import RegistryError, builtin_registry
    from models.registry.spec import ModelSpec

    registry = builtin_registry()
    root = tmp_path / "fine-tuned"
    (root / "mine").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()

    def entry(checkpoint, name="mine"):
        return ModelSpec(key=f"text-classification/{name}", task="text-classification", checkpoint=str(checkpoint),
                         runner="pipeline")

    for outside in (tmp_path / "elsewhere", root / ".." / "elsewhere", root, root / "missing", "/etc"):
        with pytest.raises(RegistryError, match="must be a folder inside"):
            registry.add_local_entry(entry(outside), root)
    with pytest.raises(RegistryError, match="runner"):
        registry.add_local_entry(ModelSpec(key="text-classification/x", task="text-classification",
                                           checkpoint=str(root / "mine"), runner="nope"), root)
    before = len(registry)
    registry.add_local_entry(entry(root / "mine"), root)
    assert len(registry) == before + 1 and registry.for_task("text-classification")[-1].name == "mine"
    with pytest.raises(RegistryError, match="duplicate"):
        registry.add_local_entry(entry(root / "mine"), root)


def test_a_full_server_makes_room_by_removing_the_least_recently_used(ft_ctx):
    store = tab._state(ft_ctx).store
    store.max_saved = 2
    registry = ft_ctx.manager.registry
    first, second = (run(ft_ctx, epochs=1, name=name)[-1][2]["model"] for name in ("first", "second"))
    ft_ctx.manager.get(first)  # used since: the second is now the least recently used
    third = run(ft_ctx, epochs=1, name="third")[-1][2]["model"]
    assert first in registry and third in registry and second not in registry
    assert sorted(f.name for f in store.saved()) == sorted(key.split("/")[1] for key in (first, third))
    assert second not in ft_ctx.manager.resident_keys()
    for key in (first, third):
        registry.remove_local_entry(key, store.root)  # the module's registry, shared by the next tests
