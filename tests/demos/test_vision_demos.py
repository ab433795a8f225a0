"""Vision tab handlers as plain functions on tiny twins: validation, model call, formatting."""

import gradio as gr
import pytest
from PIL import Image

from demos.image_classification import tab as image_classification
from demos.image_generation import tab as image_generation
from demos.object_detection import tab as object_detection
from demos.examples import example_path
from tests.conftest import with_settings

ROAD = example_path("road_scene.png")
DETR = "object-detection/detr-resnet-50"
RT_DETR = "object-detection/rt-detr-v2-r18"
TURBO = "text-to-image/sd-turbo"


def test_classification_returns_top_k_probabilities(ctx):
    scores, status = image_classification.classify(ctx, example_path("flower.jpg"),
                                                   "image-classification/vit-base", 3)
    assert len(scores) == 3 and all(0 <= s <= 1 for s in scores.values())
    assert set(scores) <= {"tabby cat", "golden retriever", "sports car", "daisy", "pagoda", "volcano"}
    assert "vit-base" in status and "inference" in status


@pytest.mark.parametrize("top_k", [0, 21, "many", None])
def test_classification_refuses_absurd_top_k(ctx, top_k):
    with pytest.raises(gr.Error, match="Top-k"):
        image_classification.classify(ctx, ROAD, "image-classification/vit-base", top_k)


def test_classification_accepts_any_mode_and_reports_conversion(ctx, tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.open(ROAD).convert("CMYK").save(path)
    scores, status = image_classification.classify(ctx, str(path), "image-classification/convnext-tiny", 2)
    assert len(scores) == 2 and "converted from CMYK to RGB" in status


@pytest.mark.parametrize("model", [DETR, "image-classification/../../etc", "", None])
def test_classification_refuses_models_of_other_tabs(ctx, model):
    with pytest.raises(gr.Error, match="Unknown model"):
        image_classification.classify(ctx, ROAD, model)


def test_detection_draws_every_box_it_tabulates(ctx):
    (image, boxes), table, status = object_detection.detect(ctx, ROAD, RT_DETR, 0.0)
    assert image.size == (640, 400) and len(boxes) == len(table) > 0
    for (box, caption), row in zip(boxes, table):
        label, score, *corners = row
        assert tuple(corners) == box and caption == f"{label} {score:.2f}"
        assert 0 <= box[0] <= box[2] <= 640 and 0 <= box[1] <= box[3] <= 400
    assert f"{len(table)} objects at score ≥ 0.00" in status


def test_label_filter_removes_other_labels(ctx):
    _, everything, _ = object_detection.detect(ctx, ROAD, RT_DETR, 0.0, "")
    present = {row[0] for row in everything}
    keep = sorted(present)[0]
    _, filtered, _ = object_detection.detect(ctx, ROAD, RT_DETR, 0.0, f" {keep.upper()} ,")
    assert filtered and {row[0] for row in filtered} == {keep}
    assert len(filtered) == sum(1 for row in everything if row[0] == keep)


def test_unknown_filter_label_lists_the_known_ones(ctx):
    with pytest.raises(gr.Error, match=r"does not know the label\(s\) 'unicorn'.*It knows: person, bicycle, car"):
        object_detection.detect(ctx, ROAD, DETR, 0.5, "car, unicorn")


@pytest.mark.parametrize("threshold", [-0.1, 1.5, "high"])
def test_detection_refuses_absurd_thresholds(ctx, threshold):
    with pytest.raises(gr.Error, match="threshold"):
        object_detection.detect(ctx, ROAD, DETR, threshold)


def test_detection_on_a_downscaled_photo_boxes_fit_the_shown_image(ctx, tmp_path):
    from demos.ui.vision_common import ImageLimits

    (image, boxes), _, status = object_detection.detect(
        ctx, ROAD, RT_DETR, 0.0, limits=ImageLimits(max_side=320))
    assert image.size == (320, 200) and "downscaled from 640×400 to 320×200" in status
    assert all(box[2] <= 320 and box[3] <= 200 for box, _ in boxes)


def generate(ctx, prompt="a red car", negative="", model=TURBO, steps=1, guidance=0.0, seed=5, randomize=False,
             width=64, height=64, num_images=1):
    return image_generation.generate_images(ctx, prompt, negative, model, steps, guidance, seed, randomize,
                                            width, height, num_images)


def test_generation_writes_pngs_with_their_parameters(ctx, tmp_path):
    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    gallery, seed, status = generate(ctx, num_images=2, height=72, negative="blurry")
    assert seed == 5 and [caption for _, caption in gallery] == ["seed 5", "seed 6"]
    for (path, _), expected_seed in zip(gallery, (5, 6)):
        with Image.open(path) as png:
            assert png.format == "PNG" and png.size == (64, 72)
            assert png.text["prompt"] == "a red car" and png.text["seed"] == str(expected_seed)
            assert png.text["negative_prompt"] == "blurry" and png.text["model"] == "stabilityai/sd-turbo"
            assert "steps: 1" in png.text["parameters"]
    assert "no effect with guidance" in status  # negative prompt with guidance 0


def test_randomized_seed_is_returned_and_reproduces(ctx, tmp_path):
    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    gallery, seed, _ = generate(ctx, seed=0, randomize=True)
    assert 0 <= seed <= image_generation.MAX_SEED
    again, same_seed, _ = generate(ctx, seed=seed)
    assert same_seed == seed
    assert list(Image.open(gallery[0][0]).getdata()) == list(Image.open(again[0][0]).getdata())


def test_progress_is_reported_per_denoising_step(ctx, tmp_path):
    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    calls = []
    image_generation.generate_images(ctx, "a fox", "", TURBO, 3, 0.0, 1, False, 64, 64, 1,
                                     progress=lambda value, desc="": calls.append((value, desc)))
    steps = [c for c in calls if c[1].startswith("Denoising")]
    assert steps == [(1 / 3, "Denoising step 1/3"), (2 / 3, "Denoising step 2/3"), (1.0, "Denoising step 3/3")]


def test_long_prompt_is_truncated_with_a_notice(ctx, tmp_path):
    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    _, _, status = generate(ctx, prompt="a red car " * 40 + "on the moon")
    assert "the text encoder reads 77" in status and "on the moon" in status


@pytest.mark.parametrize("change, message", [
    ({"prompt": "   "}, "Prompt is empty"),
    ({"prompt": "x" * 1001}, "the limit is 1,000"),
    ({"steps": 0}, "Steps must be a whole number between 1 and 4, not 0"),
    ({"steps": 5}, "between 1 and 4"),  # sd-turbo allows 4 at most (its card: one to four steps)
    ({"steps": 2.5}, "whole number"),
    ({"guidance": 50}, "Guidance must be a number between 0 and 20, not 50"),
    ({"width": 100}, "multiple of 8"),
    ({"height": 4096}, "Height must be .* not 4096"),
    ({"width": -64}, "Width must be .* not -64"),
    ({"num_images": 9}, "Number of images must be a whole number between 1 and 4, not 9"),
    ({"seed": -1}, "Seed must be .* not -1"),
    ({"model": "image-classification/vit-base"}, "Unknown model"),
])
def test_generation_refuses_bad_settings_then_serves(ctx, tmp_path, change, message):
    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    with pytest.raises(gr.Error, match=message):
        generate(ctx, **change)


def test_ui_defaults_follow_the_entry(registry):
    turbo = image_generation.settings_for(registry.get(TURBO))
    classic = image_generation.settings_for(registry.get("text-to-image/sd-1.5"))
    assert (turbo["steps"], turbo["guidance"], turbo["max_steps"]) == (1, 0.0, 4)  # its card: one to four steps
    assert (classic["steps"], classic["guidance"]) == (25, 7.5) and classic["max_steps"] >= 50


def test_old_pngs_are_pruned(tmp_path):
    for i in range(5):
        (tmp_path / f"{i}.png").write_bytes(b"x")
    image_generation.prune(tmp_path, keep=2)
    assert len(list(tmp_path.glob("*.png"))) == 2


def test_notices_for_offload_and_safety_checker():
    from models.families.results import Generation

    quiet = Generation([], prompt_tokens=5, window=77, dropped_text="", cpu_offload=False)
    assert image_generation.notices(quiet, "", 0.0) == ""
    loud = Generation([], prompt_tokens=5, window=77, dropped_text="", cpu_offload=True, filtered=2)
    text = image_generation.notices(loud, "", 7.5)
    assert "blacked out 2 image(s)" in text and "CPU offload" in text


# --- image generation as it goes: progress, previews, Stop, reuse seed ------------------------------------------

class Request:
    def __init__(self, session_hash):
        self.session_hash = session_hash


def test_generation_streams_previews_then_the_images_and_a_bar_that_only_grows(ctx, tmp_path):
    from tests.progress_log import ProgressLog

    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    progress = ProgressLog()
    outputs = list(image_generation.generate(ctx, "a fox", "", TURBO, 4, 0.0, 9, False, 64, 72, 2,
                                             progress=progress))
    previews, (final, seed, status) = outputs[:-1], outputs[-1]
    assert [status.rsplit(" · ", 1)[-1] for _, _, status in previews] == [f"step {k} of 4: preview" for k in (1, 2, 3)]
    for gallery, used, _ in previews:  # a rough picture of each image, at its final size, before the end
        assert used == 9 and len(gallery) == 2
        assert all(image.size == (64, 72) and caption.startswith("preview · step") for image, caption in gallery)
    assert [caption for _, caption in final] == ["seed 9", "seed 10"] and seed == 9
    progress.assert_monotone(end=1.0)
    assert [desc for _, desc in progress.reports if desc.startswith("Denoising")][-1] == "Denoising step 4/4"


def test_stop_ends_a_generation_within_one_step_and_keeps_its_last_preview(ctx, tmp_path, monkeypatch):
    """The generation is held after step 2 until its stop flag is set (tests.hooks): Stop finds it running,
    the step callback ends it there (the model is not called for step 3), and the status says where."""
    from demos.ui.generation_common import STOPS
    from models.families.runners.diffusers_t2i import DiffusersRunner
    from tests.hooks import HELD_AT_STEP, HELD_STEPS, held_after_a_step
    from tests.progress_log import ProgressLog

    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    monkeypatch.setattr(DiffusersRunner, "_generate", held_after_a_step(DiffusersRunner._generate))
    unet = ctx.manager.get(TURBO).pipe.unet
    calls = []
    monkeypatch.setattr(unet, "forward", lambda *a, forward=unet.forward, **k: calls.append(1) or forward(*a, **k))
    request, progress, outputs = Request("stopping-painter"), ProgressLog(), []
    for output in image_generation.generate(ctx, "a fox", "", TURBO, HELD_STEPS, 0.0, 3, False, 64, 64, 1,
                                            progress=progress, request=request):
        outputs.append(output)
        if output[2].endswith(f"step {HELD_AT_STEP} of {HELD_STEPS}: preview"):
            assert STOPS.stop(request, image_generation.NAME)
    gallery, seed, status = outputs[-1]
    assert status.endswith(f"stopped after step {HELD_AT_STEP} of {HELD_STEPS}") and seed == 3
    assert gallery == outputs[-2][0] and gallery[0][1] == f"preview · step {HELD_AT_STEP}/{HELD_STEPS}"
    assert len(calls) == HELD_AT_STEP  # no step after the stop
    progress.assert_monotone(end=HELD_AT_STEP / HELD_STEPS)
    assert not STOPS.stop(request, image_generation.NAME)  # nothing left running for that session


def test_reuse_seed_puts_the_seed_used_back_and_turns_randomizing_off(ctx, tmp_path):
    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    first, used, _ = generate(ctx, seed=0, randomize=True)
    seed, randomize = image_generation.reuse_seed(used)
    assert (seed, randomize) == (used, False)
    again, _, _ = generate(ctx, seed=seed, randomize=randomize)
    assert list(Image.open(first[0][0]).getdata()) == list(Image.open(again[0][0]).getdata())
    with pytest.raises(gr.Error, match="generate an image first"):
        image_generation.reuse_seed(None)


def test_clicking_an_image_makes_its_seed_the_one_to_reuse():
    from types import SimpleNamespace

    assert image_generation.seed_of_selected(SimpleNamespace(value={"caption": "seed 12"})) == 12
    for not_a_seed in ({"caption": "preview · step 2/4"}, {"caption": None}, None):
        assert isinstance(image_generation.seed_of_selected(SimpleNamespace(value=not_a_seed)), dict)  # gr.skip()
