"""The ``image-pipeline`` runner: transformers' image-classification and object-detection pipelines.

Inputs are RGB PIL images (the demos convert every mode and apply EXIF rotation first).
- classification returns every label's probability (the pipeline's softmax), highest first;
- detection returns the boxes scoring at least ``threshold``, clipped to the image, highest first.
"""

from __future__ import annotations

from models.results import LabelScore
from models.runners.base import BaseRunner
from models.vision_results import Detection, ImageClassification


class ImagePipelineRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import pipeline

        self.pipe = pipeline(spec.task, model=source.path, device=placement.device,
                             dtype=placement.torch_dtype, **source.pretrained_kwargs())
        id2label = self.pipe.model.config.id2label
        self.labels = [id2label[i] for i in sorted(id2label)]

    def __call__(self, images: list, **overrides):
        params = {**self.params, **overrides}
        if self.spec.task == "image-classification":
            return self.classify(images)
        if self.spec.task == "object-detection":
            return self.detect(images, float(params.get("threshold", 0.5)))
        raise ValueError(f"the image-pipeline runner does not serve task {self.spec.task!r}")

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
