"""Tiny vision twins: ViT and timm classifiers, DETR and RT-DETRv2 detectors, a Stable Diffusion pipeline.

Each is built from the config class and processor class of its real checkpoint, with tiny sizes and random
weights, and saved the way the real one is published, so the app loads it through the same code path.
No pretrained backbone is downloaded: DETR's timm backbone is timm's built-in ``test_resnet``.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.registry.spec import ModelSpec
from models.families.twins.corpus import SENTENCES

IMAGE_SIZE = 32  # classifiers' input side; small enough to run in milliseconds

# image prompts, so that the tab's examples tokenize into words (CLIP's tokenizer is English-only)
PROMPTS = """
A cinematic photo of a red vintage car on a wet city street at night, neon reflections, a road.
A watercolor painting of a lighthouse on a cliff at sunrise, soft pastel colors.
An astronaut riding a horse on the moon, detailed, 4k, high quality, blurry, low quality.
A photo of a red fox in a snowy forest, golden hour, portrait, landscape, oil painting, cat, dog.
""".strip().splitlines()


def _label_maps(labels) -> dict:
    return dict(id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)})


# --- image classification ------------------------------------------------------------------------

def build_vit(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    """A tiny ``ViTForImageClassification`` with a ``ViTImageProcessor`` (as google/vit-base-patch16-224)."""
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    config = ViTConfig(image_size=IMAGE_SIZE, patch_size=8, hidden_size=32, num_hidden_layers=2,
                       num_attention_heads=2, intermediate_size=64, **_label_maps(options["labels"]))
    torch.manual_seed(0)
    ViTForImageClassification(config).save_pretrained(out_dir)
    ViTImageProcessor(size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}, image_mean=[0.5] * 3,
                      image_std=[0.5] * 3).save_pretrained(out_dir)


def build_timm(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    """A timm model saved with ``save_for_hf`` (config.json + weights), as timm's hub checkpoints are.

    ``options["arch"]`` is one of timm's built-in test architectures (``test_resnet``, ``test_vit``...).
    """
    import timm
    import torch
    from timm.models import save_for_hf

    labels = list(options["labels"])
    torch.manual_seed(0)
    model = timm.create_model(options.get("arch", "test_resnet"), pretrained=False, num_classes=len(labels))
    save_for_hf(model, str(out_dir), model_config={"label_names": labels}, safe_serialization=True)


# --- object detection ----------------------------------------------------------------------------

def build_detr(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    """A tiny ``DetrForObjectDetection`` on a timm backbone (as facebook/detr-resnet-50, whose backbone is
    timm's resnet50), here timm's tiny ``test_resnet`` with random weights."""
    import torch
    from transformers import DetrConfig, DetrForObjectDetection, DetrImageProcessor

    config = DetrConfig(backbone="test_resnet", use_timm_backbone=True, num_queries=12, d_model=32,
                        encoder_layers=1, decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
                        encoder_ffn_dim=64, decoder_ffn_dim=64, **_label_maps(options["labels"]))
    torch.manual_seed(0)
    DetrForObjectDetection(config).save_pretrained(out_dir)
    DetrImageProcessor(size={"shortest_edge": 64, "longest_edge": 96}).save_pretrained(out_dir)


def build_rt_detr_v2(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    """A tiny ``RTDetrV2ForObjectDetection`` with its ResNet backbone and ``RTDetrImageProcessor``."""
    import torch
    from transformers import (RTDetrImageProcessor, RTDetrResNetConfig, RTDetrV2Config,
                              RTDetrV2ForObjectDetection)

    widths = [16, 24, 32, 48]
    backbone = RTDetrResNetConfig(embedding_size=16, hidden_sizes=widths, depths=[1, 1, 1, 1],
                                  layer_type="basic", out_indices=[2, 3, 4])
    config = RTDetrV2Config(
        backbone_config=backbone, encoder_in_channels=widths[1:],  # must equal the backbone stage widths
        encoder_hidden_dim=32, encoder_ffn_dim=64, encoder_attention_heads=2, d_model=32,
        decoder_in_channels=[32, 32, 32], decoder_ffn_dim=64, decoder_attention_heads=2, decoder_layers=2,
        num_queries=12, num_denoising=0, **_label_maps(options["labels"]))
    torch.manual_seed(0)
    RTDetrV2ForObjectDetection(config).save_pretrained(out_dir)
    RTDetrImageProcessor(size={"height": 64, "width": 64}).save_pretrained(out_dir)


# --- text to image -------------------------------------------------------------------------------

def clip_tokenizer(vocab_size: int = 3000):
    """A ``CLIPTokenizer`` (CLIP's byte-level BPE with ``</w>`` word ends) trained on the built-in corpus.

    ``model_max_length`` must be 77 as in CLIP: left unset it is ~1e30 and prompts are never truncated.
    """
    from transformers import CLIPTokenizer

    base = CLIPTokenizer()  # empty vocab, CLIP's normalizer, pre-tokenizer and post-processor
    trained = base.train_new_from_iterator(SENTENCES + PROMPTS, vocab_size=vocab_size)
    backend = json.loads(trained.backend_tokenizer.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in backend["merges"]]
    return CLIPTokenizer(vocab=backend["vocab"], merges=merges, model_max_length=77)


def build_stable_diffusion(spec: ModelSpec, options: dict, out_dir: Path) -> None:
    """A tiny ``StableDiffusionPipeline`` folder: UNet, VAE, CLIP text encoder + tokenizer, scheduler."""
    import torch
    from diffusers import (AutoencoderKL, EulerDiscreteScheduler, PNDMScheduler, StableDiffusionPipeline,
                           UNet2DConditionModel)
    from transformers import CLIPTextConfig, CLIPTextModel

    tokenizer = clip_tokenizer()
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, max_position_embeddings=77, projection_dim=32,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id))
    # cross-attention on the lower level only: 5x faster at the real 512×512 default than on the top level
    unet = UNet2DConditionModel(
        sample_size=64, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(16, 32),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32, attention_head_dim=4,
        norm_num_groups=8)
    # four VAE levels: latents are 1/8 of the image side, as in Stable Diffusion (fewer levels would make
    # the UNet run on much larger latents and the tiny twin slow at the real 512×512 default)
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 8, 16, 16),
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                        layers_per_block=1, norm_num_groups=8, sample_size=64)
    schedule = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
    if options.get("scheduler", "euler") == "pndm":  # what Stable Diffusion 1.5 ships with
        scheduler = PNDMScheduler(**schedule, skip_prk_steps=True, steps_offset=1)
    else:  # sd-turbo ships EulerDiscreteScheduler with "trailing" spacing (1-4 steps)
        scheduler = EulerDiscreteScheduler(**schedule, timestep_spacing="trailing", steps_offset=1)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(out_dir)
