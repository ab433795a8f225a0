"""Vision: image classification (transformers and timm), object detection, text-to-image generation.

Every id, architecture, processor and license below was confirmed from the model's card on the Hugging Face
Hub (and, for the diffusers ids, the diffusers documentation): google/vit-base-patch16-224 (ViT, apache-2.0),
timm/convnext_tiny.in12k_ft_in1k and timm/mobilenetv4_conv_small.e2400_r224_in1k (timm library, apache-2.0),
facebook/detr-resnet-50 (DETR on a timm ResNet-50 backbone, apache-2.0), PekingU/rtdetr_v2_r18vd
(model_type rt_detr_v2, apache-2.0), stabilityai/sd-turbo (StableDiffusionPipeline, Stability AI community
license: non-commercial research; commercial use needs a Stability membership) and
stable-diffusion-v1-5/stable-diffusion-v1-5 (the maintained copy of runwayml's SD 1.5 that diffusers' docs
use; StableDiffusionPipeline, creativeml-openrail-m). Revisions are "main": no commit was confirmable here.
"""

from __future__ import annotations

from models.registry.spec import ModelSpec, TinyRecipe

# label sets of the tiny twins: a few ImageNet classes, a few COCO classes (the real models have 1000 / 80)
TINY_IMAGENET = ("tabby cat", "golden retriever", "sports car", "daisy", "pagoda", "volcano")
TINY_COCO = ("person", "bicycle", "car", "motorcycle", "bus", "truck", "traffic light", "stop sign")

ENTRIES = [
    # --- Image classification ----------------------------------------------------------------
    ModelSpec(
        key="image-classification/vit-base",
        task="image-classification",
        checkpoint="google/vit-base-patch16-224",
        runner="image-pipeline",
        tiny=TinyRecipe("vit", {"labels": TINY_IMAGENET}),
        license="apache-2.0",
        languages=("en",),  # class names
        size="86M params, 346 MB",
        description="Vision Transformer, ImageNet-21k pre-trained, ImageNet-1k fine-tuned (1000 classes).",
    ),
    ModelSpec(
        key="image-classification/convnext-tiny",
        task="image-classification",
        checkpoint="timm/convnext_tiny.in12k_ft_in1k",
        runner="timm",
        tiny=TinyRecipe("timm", {"arch": "test_convnext", "labels": TINY_IMAGENET}),
        license="apache-2.0",
        languages=("en",),  # class names
        size="29M params, 114 MB",
        description="ConvNeXt-T through timm (its own preprocessing), ImageNet-12k → ImageNet-1k.",
    ),
    ModelSpec(
        key="image-classification/mobilenetv4-small",
        task="image-classification",
        checkpoint="timm/mobilenetv4_conv_small.e2400_r224_in1k",
        runner="timm",
        # timm has no tiny MobileNetV4 and the real one is 10 MB: the twin is timm's test_efficientnet,
        # built by the same efficientnet block builder, loaded through the same timm path
        tiny=TinyRecipe("timm", {"arch": "test_efficientnet", "labels": TINY_IMAGENET}),
        license="apache-2.0",
        languages=("en",),  # class names
        size="3.8M params, 15 MB",
        description="MobileNetV4 small through timm: fast on CPU and phones, ImageNet-1k.",
    ),
    # --- Object detection ----------------------------------------------------------------------
    ModelSpec(
        key="object-detection/detr-resnet-50",
        task="object-detection",
        checkpoint="facebook/detr-resnet-50",
        runner="image-pipeline",
        params={"threshold": 0.9},
        tiny=TinyRecipe("detr", {"labels": TINY_COCO}),
        license="apache-2.0",
        languages=("en",),  # class names
        size="41M params, 167 MB",
        description="DETR (end-to-end detection transformer), COCO's 80 object classes.",
    ),
    ModelSpec(
        key="object-detection/rt-detr-v2-r18",
        task="object-detection",
        checkpoint="PekingU/rtdetr_v2_r18vd",
        runner="image-pipeline",
        params={"threshold": 0.5},
        tiny=TinyRecipe("rt-detr-v2", {"labels": TINY_COCO}),
        license="apache-2.0",
        languages=("en",),  # class names
        size="20M params, 80 MB",
        description="RT-DETRv2 (ResNet-18): real-time detection transformer, COCO's 80 classes.",
    ),
    # --- Text to image -------------------------------------------------------------------------
    ModelSpec(
        key="text-to-image/sd-turbo",
        task="text-to-image",
        checkpoint="stabilityai/sd-turbo",
        runner="diffusers",
        params={"steps": 1, "max_steps": 4, "guidance": 0.0, "uses_guidance": False, "width": 512,
                "height": 512, "fp16_variant": True},
        tiny=TinyRecipe("stable-diffusion", {"scheduler": "euler"}),
        license="other: Stability AI non-commercial research community license",
        languages=("en",),
        size="1.3B params, 2.6 GB in fp16",
        description="SD-Turbo: one to four steps, no guidance or negative prompt, 512×512.",
    ),
    ModelSpec(
        key="text-to-image/sd-1.5",
        task="text-to-image",
        checkpoint="stable-diffusion-v1-5/stable-diffusion-v1-5",
        runner="diffusers",
        params={"steps": 25, "max_steps": 100, "guidance": 7.5, "uses_guidance": True, "width": 512,
                "height": 512, "fp16_variant": True},
        tiny=TinyRecipe("stable-diffusion", {"scheduler": "pndm"}),
        license="creativeml-openrail-m",
        languages=("en",),
        size="1.1B params, 2.1 GB in fp16",
        description="Stable Diffusion 1.5: 25-50 steps with guidance and negative prompts, 512×512.",
    ),
]
