"""The Fine-tune tab in the running tiny app, through gradio_client: read a file's columns, train with a live
stream, classify with the result in the Text classification tab, Stop, one training at a time, bad files."""

import re
import zipfile

import pytest

from tests.hooks import HELD_EPOCHS
from tests.server import running_app
from tests.waiting import BOUND_S, wait_until

TRAIN = dict(text_column="text", label_column="label", base_model="fine-tune/distilbert-multilingual",
             epochs=2, learning_rate=1e-2, batch_size=16, validation_share=0.2, model_name="")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    # one torch thread: tiny models gain nothing from more, and a busy 2-core machine loses a lot
    # a training of 20 epochs cannot finish unless it is stopped (tests/hooks.py)
    with running_app("--demos", "text-classification,fine-tune", "--data-dir", str(data),
                     env={"OMP_NUM_THREADS": "1"}, hooks=["hold-long-trainings"]) as url:
        yield url, data


def client_for(server):
    from gradio_client import Client

    return Client(server[0], verbose=False)


@pytest.fixture(scope="module")
def client(server):
    return client_for(server)


def train(client, upload=None, use_sample=True, **changes):
    from gradio_client import handle_file

    args = {**TRAIN, **changes}
    return client.submit(handle_file(upload) if upload else None, args["text_column"], args["label_column"],
                         use_sample, args["base_model"], args["epochs"], args["learning_rate"], args["batch_size"],
                         args["validation_share"], args["model_name"], api_name="/fine_tune")


def wait_for_the_first_step(job) -> None:
    wait_until(lambda: any("step" in out[0] for out in job.outputs()), timeout=BOUND_S,
               what="the training's first step", interval=0.1)


def test_the_tab_has_its_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/fine_tune", "/read_columns", "/classify_text"} <= set(endpoints)
    assert "/stop_training" not in endpoints  # undocumented: callable (see below), not listed or an MCP tool


def test_train_on_an_upload_then_classify_with_the_result(client, server, tmp_path):
    from gradio_client import handle_file

    from demos.examples import example_path

    text_column, label_column, preview, use_sample, status = client.predict(
        handle_file(example_path("topics_en_zh.csv")), api_name="/read_columns")
    assert (text_column["value"], label_column["value"], use_sample) == ("text", "label", False)
    assert text_column["choices"] == [["text", "text"], ["label", "label"]]
    assert "300 rows" in status and len(preview["data"]) == 5

    job = train(client, example_path("topics_en_zh.csv"), use_sample=False, model_name="topics")
    progress, curve, metrics, confusion, archive, status = job.result(timeout=BOUND_S)
    assert len(job.outputs()) >= 3  # streamed: start, progress, result
    assert re.search(r"Saved as \*\*topics-[0-9a-f]{4}\*\*", status) and " on cpu (float32)" in status
    assert metrics["validation_rows"] == 60 and 0 <= metrics["accuracy"] <= 1
    assert confusion["headers"] == ["true \\ predicted", "food", "sports", "technology"]
    assert len(curve["data"]) == 2 * 15 + 2  # a point per step and one per epoch
    with zipfile.ZipFile(archive) as bundle:
        assert any(name.endswith("/config.json") for name in bundle.namelist())
    key = metrics["model"]
    assert (server[1] / "fine-tuned" / key.split("/")[1] / "config.json").is_file()

    # the new model is accepted by the Text classification tab (its dropdown now lists it) and classifies
    label, line = client.predict("Our team trained for football all week.", key, api_name="/classify_text")
    assert {c["label"] for c in label["confidences"]} == {"food", "sports", "technology"}
    assert key.split("/")[1] in line


def test_stop_and_one_training_at_a_time(server):
    from gradio_client.exceptions import AppError

    first, second = client_for(server), client_for(server)
    job = train(first, epochs=HELD_EPOCHS, batch_size=4)  # cannot finish unless stopped
    wait_for_the_first_step(job)
    with pytest.raises(AppError, match="Another training is running on this server"):
        train(second).result(timeout=BOUND_S)
    assert second.predict(api_name="/stop_training") == "No training of yours is running."
    assert first.predict(api_name="/stop_training").startswith("Stopping")
    *_, status = job.result(timeout=BOUND_S)
    assert "was stopped after" in status and "nothing was saved" in status
    # the slot is free again: the second user trains now
    *_, status = train(second, epochs=1).result(timeout=BOUND_S)
    assert "Saved as" in status


def test_bad_files_and_settings_get_clear_errors_and_the_tab_serves_on(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,label\ncafé,a\n".encode("latin-1"))
    with pytest.raises(AppError, match="not UTF-8"):
        client.predict(handle_file(str(latin)), api_name="/read_columns")
    single = tmp_path / "single.csv"
    single.write_text("text,label\n" + "".join(f"row {i},same\n" for i in range(20)), encoding="utf-8")
    with pytest.raises(AppError, match="Every row has the label 'same'"):
        train(client, str(single), use_sample=False).result(timeout=BOUND_S)
    with pytest.raises(AppError, match="no column 'sentence'"):
        train(client, str(single), use_sample=False, text_column="sentence").result(timeout=BOUND_S)
    with pytest.raises(AppError, match="Learning rate must be a number between"):
        train(client, learning_rate=5).result(timeout=BOUND_S)
    with pytest.raises(AppError, match="Epochs must be a whole number between 1 and 20"):
        train(client, epochs=0).result(timeout=BOUND_S)
    text_column, *_ = client.predict(handle_file(str(single)), api_name="/read_columns")
    assert text_column["value"] == "text"


def test_an_open_page_lists_a_model_fine_tuned_after_it_loaded(server, client):
    """In a real browser: the Text classification dropdown refreshes its list when opened."""
    from tests.browser import chromium

    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(server[0])
        panel = page.locator("[role=tabpanel]:visible").first
        *_, status = train(client, epochs=1, model_name="after load").result(timeout=BOUND_S)
        name = status.split("Saved as **")[1].split("**")[0]
        panel.get_by_label("Model").click()
        sync_api.expect(page.get_by_role("option", name=name)).to_be_visible()
        page.get_by_role("option", name=name).click()
        panel.get_by_label("Text").fill("We had rice and tea for breakfast.")
        panel.locator("button.primary").first.click()
        sync_api.expect(panel.locator(".status-line").first).to_contain_text(f"{name} on cpu")
        assert not page.locator(".toast-body").all_inner_texts()


def test_a_cancelled_request_stops_its_training_and_frees_the_slot(server):
    from gradio_client.exceptions import AppError

    first, second = client_for(server), client_for(server)
    job = train(first, epochs=HELD_EPOCHS, batch_size=4)  # cannot finish unless stopped
    wait_for_the_first_step(job)
    assert job.cancel()
    status = ""

    def second_trains() -> bool:  # refused at once while the cancelled run still holds the slot
        nonlocal status
        try:
            *_, status = train(second, epochs=1).result(timeout=BOUND_S)
        except AppError as exc:
            assert "Another training is running" in str(exc)
            return False
        return True

    wait_until(second_trains, timeout=BOUND_S, what="the slot being freed by the cancelled run", interval=0.2)
    assert "Saved as" in status


def test_the_maker_deletes_a_model_and_it_leaves_the_classifier(client, server):
    from gradio_client.exceptions import AppError

    *_, status = train(client, epochs=1).result(timeout=BOUND_S)
    name = status.split("Saved as **")[1].split("**")[0]
    assert re.fullmatch(r"food-sports-technology-distilbert-multilingual-[0-9a-f]{4}", name)  # from the data
    mine, message = client.predict(name, api_name="/delete_fine_tuned")
    assert f"Deleted **{name}**" in message and name not in str(mine["choices"])
    assert not (server[1] / "fine-tuned" / name).exists()
    with pytest.raises(AppError, match="not in the list of choices"):  # the classifier's list no longer has it
        client.predict("Football tonight.", f"text-classification/{name}", api_name="/classify_text")
    with pytest.raises(AppError, match=f"You have no fine-tuned model called '{name}'"):
        client.predict(name, api_name="/delete_fine_tuned")
