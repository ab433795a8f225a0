"""The ``image-pipeline`` runner: a transformers image pipeline (image classification, object detection).

Inputs are RGB PIL images (the demos convert every mode and apply EXIF rotation first). A task says which
pipeline (the ``pipeline_task`` parameter) and what the runner returns (``mode``, from ``models.registry.tasks``):
- "labels": every label's probability (the pipeline's softmax), highest first;
- "boxes": the boxes scoring at least ``threshold``, clipped to the image, highest first.
"""

from __future__ import annotations

from models.families.results import LabelScore
from models.families.runners.base import BaseRunner, given_mode
from models.families.results import Detection, ImageClassification


class ImagePipelineRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import pipeline

        self.mode = given_mode(self, ("labels", "boxes"))
        self.pipe = pipeline(self.params["pipeline_task"], model=source.path, device=placement.device,
                             dtype=placement.torch_dtype, **source.pretrained_kwargs())
        id2label = self.pipe.model.config.id2label
        self.labels = [id2label[i] for i in sorted(id2label)]

    def __call__(self, images: list, **overrides):
        params = {**self.params, **overrides}
        if self.mode == "boxes":
            return self.detect(images, float(params.get("threshold", 0.5)))
        return self.classify(images)

    def classify(self, images: list) -> list[ImageClassification]:
        # one forward pass for the batch: the processor resizes every image to the model's input size
        outputs = self.pipe(images, top_k=len(self.labels), batch_size=max(1, min(len(images), 32)))
        if outputs and isinstance(outputs[0], dict):
            outputs = [outputs]  # a single image comes back unnested
        return [ImageClassification(
            [LabelScore(s["label"], float(s["score"])) for s in sorted(found, key=lambda s: -s["score"])])
            for found in outputs]

    def detect(self, images: list, threshold: float) -> list[list[Detection]]:
        outputs = self.pipe(images, threshold=threshold)
        if images and (not outputs or isinstance(outputs[0], dict)):
            outputs = [outputs]
        return [sorted((_detection(found, image.size) for found in per_image), key=lambda d: -d.score)
                for image, per_image in zip(images, outputs)]


def _detection(found: dict, image_size: tuple[int, int]) -> Detection:
    width, height = image_size
    box = found["box"]
    xmin, xmax = sorted((min(max(int(box["xmin"]), 0), width), min(max(int(box["xmax"]), 0), width)))
    ymin, ymax = sorted((min(max(int(box["ymin"]), 0), height), min(max(int(box["ymax"]), 0), height)))
    return Detection(label=str(found["label"]), score=float(found["score"]), box=(xmin, ymin, xmax, ymax))


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {"models/families/runners/image_pipeline.py": "6baf7e7cec4c847f"}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import DEVICE_LINES, checkpoint_lines, header, image_lines, literal, merged

    params, task = merged(spec, settings), literal(use.pipeline_task)
    if use.mode == "boxes":
        labels = [str(label).lower() for label in settings.get("labels") or []]
        keep = (f"\nLABELS = {literal(labels)}  # keep only these\n"
                "found = [f for f in found if f[\"label\"].lower() in LABELS]") if labels else ""
        what = "Detect objects in an image"
        run = f"""detector = pipeline({task}, model=CHECKPOINT, revision=REVISION, device=device,
                    dtype=dtype)
# the pipeline keeps the boxes scoring at least the threshold (DETR-style models need no NMS)
found = detector(image, threshold={float(params.get("threshold", 0.5))!r}){keep}
boxes = []
for f in sorted(found, key=lambda f: -f["score"]):
    b = f["box"]  # corners in pixels, clipped to the image
    xmin, xmax = sorted(min(max(int(v), 0), image.width) for v in (b["xmin"], b["xmax"]))
    ymin, ymax = sorted(min(max(int(v), 0), image.height) for v in (b["ymin"], b["ymax"]))
    boxes.append((f["label"], f["score"], (xmin, ymin, xmax, ymax)))
    print(f"{{f['label']:15}} {{f['score']:.3f}} {{(xmin, ymin, xmax, ymax)}}")"""
    else:
        what = "Classify an image"
        run = f"""classifier = pipeline({task}, model=CHECKPOINT, revision=REVISION, device=device,
                      dtype=dtype)
scores = classifier(image, top_k={int(settings.get("top_k") or 5)})  # the most likely classes, highest first
for s in scores:
    print(f"{{s['label']}}: {{s['score']:.4f}}")"""
    return f"""{header('"transformers>=5" torch pillow', spec, what)}
import torch
from PIL import Image, ImageOps
from transformers import pipeline

{checkpoint_lines(spec)}
{image_lines(settings)}

{DEVICE_LINES}
{run}
"""
