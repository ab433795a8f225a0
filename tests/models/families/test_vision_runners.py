"""Vision runners and twins on tiny random-weight models: the real loading and inference code paths."""

import json
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from models.families.runners.timm_classifier import timm_model_name
from models.families.twins import ensure_twin

CLASSIFIERS = ["image-classification/vit-base", "image-classification/convnext-tiny",
               "image-classification/mobilenetv4-small"]
DETECTORS = ["object-detection/detr-resnet-50", "object-detection/rt-detr-v2-r18"]
GENERATORS = ["text-to-image/sd-turbo", "text-to-image/sd-1.5"]


@pytest.fixture(scope="module")
def photos():
    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)),
            Image.open("demos/examples/road_scene.png").convert("RGB")]


def config_labels(spec) -> list[str]:
    config = json.loads((ensure_twin(spec) / "config.json").read_text())
    if "id2label" in config:
        return [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
    return config["label_names"]  # timm's config.json


def test_twins_have_the_real_architecture_and_stay_small(registry):
    expected = {"vit": ("model_type", "vit"), "detr": ("model_type", "detr"),
                "rt-detr-v2": ("model_type", "rt_detr_v2")}
    for spec in registry:
        if spec.tiny.builder in ("encoder",):
            continue
        folder = ensure_twin(spec)
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        assert size < 2_000_000, (spec.key, size)
        if spec.tiny.builder in expected:
            field, value = expected[spec.tiny.builder]
            assert json.loads((folder / "config.json").read_text())[field] == value
        elif spec.tiny.builder == "timm":
            assert json.loads((folder / "config.json").read_text())["architecture"] == spec.tiny.options["arch"]
        elif spec.tiny.builder == "stable-diffusion":
            index = json.loads((folder / "model_index.json").read_text())
            assert index["_class_name"] == "StableDiffusionPipeline"
            assert index["tokenizer"] == ["transformers", "CLIPTokenizer"]
            assert index["safety_checker"] == [None, None]


def test_detr_twin_uses_a_timm_backbone_like_the_real_checkpoint(registry):
    config = json.loads((ensure_twin(registry.get("object-detection/detr-resnet-50")) / "config.json").read_text())
    assert config["backbone_config"]["model_type"] == "timm_backbone"
    assert config["backbone_config"]["use_pretrained_backbone"] is False


def test_clip_tokenizer_twin_knows_prompt_words_and_cuts_at_77(registry):
    from transformers import CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(ensure_twin(registry.get("text-to-image/sd-turbo")) / "tokenizer")
    assert tokenizer.model_max_length == 77
    assert {"car</w>", "painting</w>"} <= set(tokenizer.tokenize("A painting of a red car"))
    assert len(tokenizer("word " * 200, truncation=True)["input_ids"]) == 77


@pytest.mark.parametrize("key", CLASSIFIERS)
def test_classification_is_a_distribution_over_the_config_labels(tiny_manager, registry, photos, key):
    spec = registry.get(key)
    results = tiny_manager.get(key)(photos)
    assert len(results) == len(photos)
    for result in results:
        scores = [s.score for s in result.scores]
        assert [s.label for s in result.scores] != [] and \
            sorted(s.label for s in result.scores) == sorted(config_labels(spec))
        assert sum(scores) == pytest.approx(1.0, abs=1e-5) and all(0 <= s <= 1 for s in scores)
        assert scores == sorted(scores, reverse=True)


def test_timm_runner_uses_timms_own_data_config(tiny_manager):
    runner = tiny_manager.get("image-classification/convnext-tiny")
    assert runner.data_config["input_size"][1:] == (160, 160)  # the test architecture's pretrained_cfg
    assert runner.data_config["mean"] == runner.model.pretrained_cfg["mean"]


def test_timm_model_names(tmp_path):
    assert timm_model_name("timm/resnet50.a1_in1k", "main") == "hf-hub:timm/resnet50.a1_in1k"
    assert timm_model_name("timm/resnet50.a1_in1k", "abc123") == "hf-hub:timm/resnet50.a1_in1k@abc123"
    assert timm_model_name(str(tmp_path), None) == f"local-dir:{tmp_path}"


def test_timm_label_names_fall_back_to_imagenet_names():
    from types import SimpleNamespace

    from models.families.runners.timm_classifier import label_names

    imagenet = label_names(SimpleNamespace(num_classes=1000, pretrained_cfg={}))
    assert len(imagenet) == 1000 and imagenet[0].startswith("tench")
    assert label_names(SimpleNamespace(num_classes=3, pretrained_cfg={})) == ["class 0", "class 1", "class 2"]


@pytest.mark.parametrize("key", DETECTORS)
@pytest.mark.parametrize("threshold", [0.0, 0.3])
def test_boxes_lie_inside_the_image_and_above_the_threshold(tiny_manager, registry, photos, key, threshold):
    runner = tiny_manager.get(key)
    assert runner.labels == config_labels(registry.get(key))
    results = runner(photos, threshold=threshold)
    assert len(results) == len(photos)
    for image, detections in zip(photos, results):
        if threshold == 0.0:
            assert detections  # random weights still propose boxes
        for d in detections:
            xmin, ymin, xmax, ymax = d.box
            assert 0 <= xmin <= xmax <= image.width and 0 <= ymin <= ymax <= image.height
            assert d.score >= threshold and d.label in runner.labels
        assert [d.score for d in detections] == sorted((d.score for d in detections), reverse=True)


@pytest.mark.parametrize("key", GENERATORS)
def test_generation_size_count_seeds_and_steps(tiny_manager, key):
    runner = tiny_manager.get(key)
    steps = []
    (generation,) = runner(["a red car on a road"], steps=2, guidance=2.0, width=64, height=48, num_images=2,
                           seed=11, on_step=lambda done, total: steps.append((done, total)))
    assert [(g.image.size, g.seed) for g in generation.images] == [((64, 48), 11), ((64, 48), 12)]
    total = runner.pipe.num_timesteps  # PNDM (SD 1.5) runs one step more than asked
    assert steps == [(i, total) for i in range(1, total + 1)] and total in (2, 3)
    assert not generation.truncated and generation.window == 77 and generation.dropped_text == ""


def test_same_seed_same_image_other_seed_other_image(tiny_manager):
    runner = tiny_manager.get("text-to-image/sd-turbo")

    def pixels(seed, **kw):
        return np.asarray(runner(["a lighthouse"], steps=1, guidance=0.0, width=64, height=64, seed=seed,
                                 **kw)[0].images[0].image)

    first = pixels(3)
    assert np.array_equal(first, pixels(3))
    assert not np.array_equal(first, pixels(4))
    # image i of a batch is the image that seed + i gives alone (up to batched arithmetic's rounding)
    (batch,) = runner(["a lighthouse"], steps=1, guidance=0.0, width=64, height=64, seed=2, num_images=2)
    difference = np.abs(np.asarray(batch.images[1].image, dtype=int) - first.astype(int))
    assert difference.max() <= 3 and difference.mean() < 0.5


def test_long_prompts_are_truncated_with_the_dropped_text(tiny_manager):
    runner = tiny_manager.get("text-to-image/sd-turbo")
    prompt = "a red car " * 40 + "on the moon"
    (generation,) = runner([prompt], steps=1, guidance=0.0, width=64, height=64)
    assert generation.truncated and generation.prompt_tokens > 77
    assert generation.dropped_text.endswith("on the moon")


class FakePipe:
    """Stands in for a diffusers pipeline on a GPU that runs out of memory on the first call."""

    def __init__(self, failures: int):
        self.failures, self.offloaded, self.calls = failures, False, 0

    def __call__(self, **kwargs):
        import torch

        self.calls += 1
        if self.failures:
            self.failures -= 1
            raise torch.OutOfMemoryError("CUDA out of memory")
        count = kwargs["num_images_per_prompt"]
        return SimpleNamespace(images=[Image.new("RGB", (kwargs["width"], kwargs["height"]))] * count,
                               nsfw_content_detected=[True] + [False] * (count - 1))

    def to(self, device):
        return self

    def enable_model_cpu_offload(self, device=None):
        self.offloaded = True


def fake_gpu_runner(failures: int):
    from models.runtime.device import Placement
    from models.families.runners.diffusers_t2i import DiffusersRunner

    runner = DiffusersRunner.__new__(DiffusersRunner)
    runner.spec = SimpleNamespace(key="text-to-image/fake", checkpoint="fake")
    runner.placement, runner.params = Placement("cuda", "float16"), {}
    runner.pipe, runner.cpu_offload, runner.window = FakePipe(failures), False, 77
    runner.prompt_tokens = lambda prompt: (5, "")
    return runner


def test_out_of_gpu_memory_switches_to_cpu_offload_and_retries_once():
    runner = fake_gpu_runner(failures=1)
    (generation,) = runner(["a fox"], steps=1, guidance=0.0, width=64, height=64, num_images=2)
    assert runner.pipe.offloaded and runner.pipe.calls == 2 and generation.cpu_offload
    assert len(generation.images) == 2 and generation.filtered == 1  # the safety checker's flags are counted


def test_out_of_gpu_memory_twice_is_a_clear_input_error():
    from models.runtime.errors import InputError

    runner = fake_gpu_runner(failures=2)
    with pytest.raises(InputError, match="out of GPU memory even with CPU offload"):
        runner(["a fox"], steps=1, guidance=0.0, width=64, height=64)
