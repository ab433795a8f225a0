"""GPU check for the vision runners: real-size random-weight models, no download.

    python bench/vision_gpu_check.py            # on a machine with CUDA; a few minutes

Builds ViT-B/16, timm ConvNeXt-T, DETR-R50, RT-DETRv2 and a Stable Diffusion 2.1-sized pipeline (the sd-turbo
architecture) from their configs with random weights, runs each through the app's own runner on CUDA in
bf16/fp16, and prints its latency beside a bare transformers/timm/diffusers call in the same run. Then runs the
diffusers runner once with ``enable_model_cpu_offload`` forced, to check the low-memory path on a real GPU.
Outputs are meaningless; shapes, dtypes, devices and timings are real.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from bench.gpu_check import timed  # noqa: E402
from models.runtime.device import choose_placement  # noqa: E402
from models.families.runners import runner_class  # noqa: E402
from models.registry.sources import ModelSource  # noqa: E402
from models.registry.spec import ModelSpec  # noqa: E402
from models.registry.tasks import runner_spec  # noqa: E402


def report(name: str, ours: float, bare: float) -> None:
    print(f"{name:<34} runner {ours * 1000:8.1f} ms   bare {bare * 1000:8.1f} ms   ratio {ours / bare:5.2f}",
          flush=True)


def build_classifiers(root: Path) -> dict[str, Path]:
    import timm
    from timm.models import save_for_hf
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    vit = root / "vit"
    ViTForImageClassification(ViTConfig(id2label={i: f"class {i}" for i in range(1000)})).save_pretrained(vit)
    ViTImageProcessor().save_pretrained(vit)
    convnext = root / "convnext"
    save_for_hf(timm.create_model("convnext_tiny", pretrained=False), str(convnext), safe_serialization=True)
    return {"vit": vit, "convnext": convnext}


def build_detectors(root: Path) -> dict[str, Path]:
    from transformers import (DetrConfig, DetrForObjectDetection, DetrImageProcessor, RTDetrImageProcessor,
                              RTDetrV2Config, RTDetrV2ForObjectDetection)

    labels = {i: f"class {i}" for i in range(80)}
    detr = root / "detr"
    DetrForObjectDetection(DetrConfig(id2label=labels)).save_pretrained(detr)  # timm resnet50, random
    DetrImageProcessor().save_pretrained(detr)
    rt = root / "rt-detr-v2"
    RTDetrV2ForObjectDetection(RTDetrV2Config(id2label=labels)).save_pretrained(rt)
    RTDetrImageProcessor().save_pretrained(rt)
    return {"detr": detr, "rt-detr-v2": rt}


def build_stable_diffusion(root: Path) -> Path:
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from models.families.twins.vision import clip_tokenizer

    unet = UNet2DConditionModel(  # Stable Diffusion 2.1 (sd-turbo's base) UNet shape
        sample_size=64, block_out_channels=(320, 640, 1280, 1280), layers_per_block=2, cross_attention_dim=1024,
        attention_head_dim=(5, 10, 20, 20), use_linear_projection=True,
        down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3)
    text_encoder = CLIPTextModel(CLIPTextConfig(  # OpenCLIP ViT-H text tower
        vocab_size=49408, hidden_size=1024, intermediate_size=4096, num_attention_heads=16, num_hidden_layers=23,
        projection_dim=512, hidden_act="gelu", max_position_embeddings=77))
    vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), layers_per_block=2, sample_size=512,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       timestep_spacing="trailing", steps_offset=1)
    folder = root / "sd"
    StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=clip_tokenizer(), unet=unet,
                            scheduler=scheduler, safety_checker=None, feature_extractor=None,
                            requires_safety_checker=False).save_pretrained(folder)
    return folder


def make_runner(task: str, runner: str, folder: Path, placement, **params):
    spec = ModelSpec(key=f"{task}/gpu-check", task=task, checkpoint=str(folder), runner=runner, params=params)
    return runner_class(runner)(runner_spec(spec), ModelSource(str(folder), None), placement)


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 1
    placement = choose_placement("cuda")
    print(f"device {torch.cuda.get_device_name()} · dtype {placement.dtype} · torch {torch.__version__}")
    photo = Image.open(ROOT / "demos/examples/china.jpg").convert("RGB")
    root = Path(tempfile.mkdtemp(prefix="vision-gpu-check-"))

    folders = build_classifiers(root)
    vit = make_runner("image-classification", "image-pipeline", folders["vit"], placement)
    report("ViT-B/16 classify, batch 8", timed(lambda: vit([photo] * 8)),
           timed(lambda: vit.pipe([photo] * 8, top_k=5)))
    convnext = make_runner("image-classification", "timm", folders["convnext"], placement)
    batch = torch.stack([convnext.transform(photo)] * 8).to("cuda", placement.torch_dtype)

    def bare_convnext():
        with torch.inference_mode():
            convnext.model(batch).softmax(-1).cpu()

    report("ConvNeXt-T (timm) classify, batch 8", timed(lambda: convnext([photo] * 8)), timed(bare_convnext))
    del vit, convnext

    folders = build_detectors(root)
    for name in ("detr", "rt-detr-v2"):
        detector = make_runner("object-detection", "image-pipeline", folders[name], placement)
        report(f"{name} detect, 1 photo", timed(lambda: detector([photo], threshold=0.5)),
               timed(lambda: detector.pipe(photo, threshold=0.5)))
        del detector
    torch.cuda.empty_cache()

    folder = build_stable_diffusion(root)
    sd = make_runner("text-to-image", "diffusers", folder, placement)
    settings = dict(num_inference_steps=4, guidance_scale=0.0, width=512, height=512)
    steps = []
    ours = timed(lambda: sd(["a red car on a road"], steps=4, guidance=0.0, width=512, height=512,
                            on_step=lambda done, total: steps.append(done)), repeats=3)
    report("SD-2.1-size 512² 4 steps", ours, timed(lambda: sd.pipe("a red car on a road", **settings), repeats=3))
    print(f"  callbacks per call: {steps[:4]} · offload: {sd.cpu_offload} · "
          f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    a = np.asarray(sd(["a fox"], steps=2, guidance=0.0, width=512, height=512, seed=7)[0].images[0].image)
    b = np.asarray(sd(["a fox"], steps=2, guidance=0.0, width=512, height=512, seed=7)[0].images[0].image)
    print(f"  same seed, same image on GPU: {bool(np.array_equal(a, b))} (max diff {np.abs(a.astype(int) - b).max()})")
    del sd
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    offloaded = make_runner("text-to-image", "diffusers", folder, placement, cpu_offload="always")
    seconds = timed(lambda: offloaded(["a red car"], steps=4, guidance=0.0, width=512, height=512), repeats=2)
    print(f"SD with enable_model_cpu_offload: {seconds * 1000:.0f} ms · offload: {offloaded.cpu_offload} · "
          f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
