"""The ``timm`` runner: image classification with a timm model, preprocessed by timm's own data config.

The model loads with ``timm.create_model("hf-hub:<id>[@revision]", pretrained=True)`` (or ``local-dir:`` for a
folder); ``resolve_model_data_config`` + ``create_transform`` give the exact resize, crop and normalization
the weights were trained with. Class names come from the checkpoint's config (``label_names``), or from
timm's ImageNet tables when the head has 1000 / 11k / 21k / 22k classes.
"""

from __future__ import annotations

from pathlib import Path

from models.families.results import LabelScore
from models.families.runners.base import BaseRunner
from models.families.results import ImageClassification


def timm_model_name(path: str, revision: str | None) -> str:
    if Path(path).is_dir():
        return f"local-dir:{Path(path).resolve()}"
    return f"hf-hub:{path}" + (f"@{revision}" if revision and revision != "main" else "")


def label_names(model) -> list[str]:
    from timm.data import ImageNetInfo, infer_imagenet_subset

    num_classes = model.num_classes
    subset = infer_imagenet_subset(model)
    if subset:
        return list(ImageNetInfo(subset).label_descriptions())[:num_classes]
    names = model.pretrained_cfg.get("label_names")
    if isinstance(names, dict):
        names = [names.get(i, names.get(str(i), f"class {i}")) for i in range(num_classes)]
    if names and len(names) == num_classes:
        return [str(name) for name in names]
    return [f"class {i}" for i in range(num_classes)]


class TimmRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        import timm
        from timm.data import create_transform, resolve_model_data_config

        self.model = timm.create_model(timm_model_name(source.path, source.revision), pretrained=True)
        self.model = self.model.eval().to(device=placement.device, dtype=placement.torch_dtype)
        self.data_config = resolve_model_data_config(self.model)
        self.transform = create_transform(**self.data_config, is_training=False)
        self.labels = label_names(self.model)

    def __call__(self, images: list, **overrides) -> list[ImageClassification]:
        import torch

        batch = torch.stack([self.transform(image.convert("RGB")) for image in images])
        batch = batch.to(device=self.placement.device, dtype=self.placement.torch_dtype)
        with torch.inference_mode():
            probabilities = self.model(batch).float().softmax(dim=-1).cpu()
        results = []
        for row in probabilities:
            order = torch.argsort(row, descending=True).tolist()
            results.append(ImageClassification([LabelScore(self.labels[i], float(row[i])) for i in order]))
        return results


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {"models/families/runners/timm_classifier.py": "963c7b64a919847a"}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import DEVICE_LINES, header, image_lines, literal

    name = timm_model_name(spec.checkpoint, spec.revision)
    return f"""{header("timm torch pillow", spec, "Classify an image")}
import timm
import torch
from PIL import Image, ImageOps
from timm.data import ImageNetInfo, create_transform, infer_imagenet_subset, resolve_model_data_config

MODEL = {literal(name)}
{image_lines(settings)}

{DEVICE_LINES}
model = timm.create_model(MODEL, pretrained=True).eval().to(device=device, dtype=dtype)
# the exact resize, crop and normalization the weights were trained with
transform = create_transform(**resolve_model_data_config(model), is_training=False)
subset = infer_imagenet_subset(model)  # ImageNet heads name their classes through timm's tables
labels = list(ImageNetInfo(subset).label_descriptions()) if subset else model.pretrained_cfg["label_names"]

with torch.inference_mode():
    probabilities = model(transform(image).unsqueeze(0).to(device=device, dtype=dtype)).float().softmax(-1)[0].cpu()
top = probabilities.topk({int(settings.get("top_k") or 5)})
scores = [(labels[i], float(p)) for p, i in zip(top.values, top.indices)]
for label, p in scores:
    print(f"{{label}}: {{p:.4f}}")
"""
