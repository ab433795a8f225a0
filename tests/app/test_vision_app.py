"""The three vision tabs in the tiny profile, on a free port, called through gradio_client like an API user."""

import pytest

from demos.examples import example_path
from tests.conftest import ROOT
from tests.server import running_app

VISION_DEMOS = "image-classification,object-detection,image-generation"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    generated = str(tmp_path_factory.mktemp("generated"))
    with running_app("--demos", VISION_DEMOS, "--device", "cpu", env={"DEMO_GENERATED_DIR": generated}) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


def test_vision_tabs_have_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/classify_image", "/detect_objects", "/generate_images"} <= set(endpoints)
    # the checked image input renders with gr.Image's own front end
    types = {component["type"] for component in client.config["components"]}
    assert {"image", "annotatedimage", "gallery"} <= types
    assert not (ROOT / "demos" / "ui" / "vision_common.pyi").exists()  # no gradio stub written beside our module


def test_decompression_bomb_is_refused_with_the_limit(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    from tests.demos.ui.test_vision_images import png_header_only

    bomb = png_header_only(tmp_path / "bomb.png", 60_000, 60_000)
    with pytest.raises(AppError, match="limit is 50 megapixels"):
        client.predict(handle_file(bomb), "object-detection/detr-resnet-50", 0.5, "", api_name="/detect_objects")


def test_classification_bad_file_then_photo(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("just text")
    with pytest.raises(AppError, match="not an image"):
        client.predict(handle_file(str(not_an_image)), "image-classification/vit-base", 5, api_name="/classify_image")
    dot = tmp_path / "dot.png"
    from PIL import Image

    Image.new("RGB", (1, 1)).save(dot)
    with pytest.raises(AppError, match="too small"):
        client.predict(handle_file(str(dot)), "image-classification/vit-base", 5, api_name="/classify_image")
    label, status = client.predict(handle_file(example_path("flower.jpg")), "image-classification/mobilenetv4-small",
                                   3, api_name="/classify_image")
    assert len(label["confidences"]) == 3 and "mobilenetv4-small" in status


def test_detection_with_filter(client):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="does not know"):
        client.predict(handle_file(example_path("road_scene.png")), "object-detection/detr-resnet-50", 0.5, "dragon",
                       api_name="/detect_objects")
    annotated, table, status = client.predict(handle_file(example_path("road_scene.png")),
                                              "object-detection/rt-detr-v2-r18", 0.0, "", api_name="/detect_objects")
    assert len(annotated["annotations"]) == len(table["data"]) > 0
    assert "objects at score" in status


def test_generation_bad_then_good(client):
    from gradio_client.exceptions import AppError
    from PIL import Image

    with pytest.raises(AppError, match="Prompt is empty"):
        client.predict("", "", "text-to-image/sd-turbo", 1, 0.0, 1, False, 64, 64, 1, api_name="/generate_images")
    with pytest.raises(AppError, match="multiple of 8"):
        client.predict("a fox", "", "text-to-image/sd-turbo", 1, 0.0, 1, False, 100, 64, 1,
                       api_name="/generate_images")
    gallery, seed, status = client.predict("a fox in the snow", "", "text-to-image/sd-turbo", 1, 0.0, 42, False,
                                           64, 64, 2, api_name="/generate_images")
    assert seed == 42 and [item["caption"] for item in gallery] == ["seed 42", "seed 43"]
    with Image.open(gallery[0]["image"]["path"] if isinstance(gallery[0]["image"], dict)
                    else gallery[0]["image"]) as png:
        assert png.format == "PNG" and png.size == (64, 64)
        assert png.text["prompt"] == "a fox in the snow" and png.text["seed"] == "42"
