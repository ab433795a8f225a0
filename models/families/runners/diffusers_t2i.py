"""The ``diffusers`` runner: text-to-image with a diffusers pipeline (``AutoPipelineForText2Image``).

- Half precision on GPU (the placement's dtype); the fp16 weight variant (half the download) is fetched where
  the entry says the checkpoint has one (``params["fp16_variant"]``), falling back to the full weights.
- A pipeline with a safety checker (Stable Diffusion 1.5) blacks out images it flags; the result says how many.
- Memory: on CUDA the pipeline moves to the GPU when it fits in free memory, else it runs with
  ``enable_model_cpu_offload`` (one component on the GPU at a time); a generation that still runs out of
  memory switches offload on and is retried once, then reports a clear error instead of crashing.
- Reproducible: image ``i`` of a request uses a CPU ``torch.Generator`` seeded with ``seed + i``, so a seed
  gives the same image on any device and each image of a batch can be regenerated alone.
- ``on_step(done, total)`` is called after every denoising step (``callback_on_step_end``).
- ``stream(prompt, stop, preview_every=N, ...)`` runs the same generation in a worker thread and yields a
  ``DenoisingStep`` after every step (with previews of the images every N steps: the latents mapped to RGB by a
  linear approximation, no VAE decode), then the ``Generation``. A set ``stop`` flag, or a consumer that goes
  away, ends it at the end of the step under way: nothing is decoded and the stream ends without a Generation.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Callable, Iterator

from models.runtime.errors import InputError
from models.families.runners.base import BaseRunner
from models.families.results import DenoisingStep, GeneratedImage, Generation

log = logging.getLogger(__name__)

FITS_MARGIN = 1.5  # free GPU memory needed, as a multiple of the weights, to skip offloading
STREAM_TIMEOUT_S = 600  # no step for this long means the worker died; stop waiting
# Stable Diffusion's four latent channels -> RGB, a linear fit of what the VAE decodes (ComfyUI's SD15 "latent
# preview" factors): a preview costs a 4x3 matrix product instead of a VAE decode
LATENT_RGB = ((0.3512, 0.2297, 0.3227), (0.3250, 0.4974, 0.2350), (-0.2829, 0.1762, 0.2721),
              (-0.2120, -0.2616, -0.7177))


class GenerationStopped(Exception):
    """Raised inside the pipeline's step callback to end a generation that was stopped."""


class DiffusersRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from diffusers import AutoPipelineForText2Image

        kwargs = dict(source.pretrained_kwargs(), dtype=placement.torch_dtype)
        pipe = None
        if placement.dtype in ("float16", "bfloat16") and self.params.get("fp16_variant"):
            try:
                pipe = AutoPipelineForText2Image.from_pretrained(source.path, variant="fp16", **kwargs)
            except (OSError, ValueError) as exc:
                log.info("no fp16 variant for %s (%s); loading the full weights", spec.checkpoint, exc)
        self.pipe = pipe or AutoPipelineForText2Image.from_pretrained(source.path, **kwargs)
        self.pipe.set_progress_bar_config(disable=True)
        self.cpu_offload = False
        if placement.is_cuda and (self.params.get("cpu_offload") == "always" or not self._fits_on_gpu()):
            self._enable_offload()
        else:
            self.pipe.to(placement.device)
        tokenizer = getattr(self.pipe, "tokenizer", None)
        self.window = int(getattr(tokenizer, "model_max_length", 77)) if tokenizer is not None else 77

    def _fits_on_gpu(self) -> bool:
        import torch

        weights = sum(p.numel() * p.element_size() for component in self.pipe.components.values()
                      if isinstance(component, torch.nn.Module) for p in component.parameters())
        free, _total = torch.cuda.mem_get_info(torch.device(self.placement.device))
        return free > FITS_MARGIN * weights

    def _enable_offload(self) -> None:
        log.warning("%s: GPU short of memory, running with model CPU offload", self.spec.key)
        self.pipe.to("cpu")
        self.pipe.enable_model_cpu_offload(device=self.placement.device)
        self.cpu_offload = True

    def prompt_tokens(self, prompt: str) -> tuple[int, str]:
        """(tokens in the prompt with start/end tokens, the text the text encoder cuts off)."""
        tokenizer = getattr(self.pipe, "tokenizer", None)
        if tokenizer is None:
            return 0, ""
        ids = tokenizer(prompt, truncation=False, verbose=False)["input_ids"]
        dropped = tokenizer.decode(ids[self.window - 1:-1], skip_special_tokens=True) if len(ids) > self.window else ""
        return len(ids), dropped

    def __call__(self, prompts: list[str], *, negative_prompt: str = "", steps: int | None = None,
                 guidance: float | None = None, width: int | None = None, height: int | None = None,
                 num_images: int = 1, seed: int = 0,
                 on_step: Callable[[int, int], None] | None = None) -> list[Generation]:
        settings = self._settings(steps, guidance, width, height)
        return [self._generate(prompt, negative_prompt, *settings, int(num_images), int(seed), on_step)
                for prompt in prompts]

    def stream(self, prompt: str, stop: threading.Event | None = None, *, negative_prompt: str = "",
               steps: int | None = None, guidance: float | None = None, width: int | None = None,
               height: int | None = None, num_images: int = 1, seed: int = 0,
               preview_every: int = 0) -> Iterator[DenoisingStep | Generation]:
        """One generation as it goes: a ``DenoisingStep`` per step (previews every ``preview_every`` steps, none
        at the last: the images follow), then the ``Generation``; nothing more once stopped."""
        events: queue.Queue = queue.Queue()
        closed = threading.Event()  # the consumer went away (Stop button, disconnect)
        steps, guidance, width, height = self._settings(steps, guidance, width, height)

        def watch(done: int, total: int, latents) -> None:
            if closed.is_set() or (stop is not None and stop.is_set()):
                raise GenerationStopped
            show = preview_every and done % preview_every == 0 and done < total
            events.put(DenoisingStep(done, total, preview_images(latents, width, height) if show else []))

        def work() -> None:
            try:
                events.put(self._generate(prompt, negative_prompt, steps, guidance, width, height, int(num_images),
                                          int(seed), None, watch))
            except GenerationStopped:
                events.put(None)
            except BaseException as exc:  # reported to the consumer below
                events.put(exc)

        worker = threading.Thread(target=work, name="diffusion", daemon=True)
        worker.start()
        try:
            while True:
                try:
                    item = events.get(timeout=STREAM_TIMEOUT_S)
                except queue.Empty:
                    raise TimeoutError(f"no denoising step for {STREAM_TIMEOUT_S} s") from None
                if item is None:  # stopped
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
                if isinstance(item, Generation):
                    return
        finally:
            closed.set()  # a closed stream stops the worker at its next step
            worker.join()

    def _settings(self, steps, guidance, width, height) -> tuple[int, float, int, int]:
        return (int(steps or self.params.get("steps", 25)),
                float(self.params.get("guidance", 7.5) if guidance is None else guidance),
                int(width or self.params.get("width", 512)), int(height or self.params.get("height", 512)))

    def _generate(self, prompt, negative_prompt, steps, guidance, width, height, num_images, seed, on_step,
                  watch=None):
        import torch

        def step_end(pipe, step, timestep, callback_kwargs):
            total = max(getattr(pipe, "num_timesteps", steps) or steps, step + 1)  # PNDM runs one step more
            if on_step is not None:
                on_step(step + 1, total)
            if watch is not None:
                watch(step + 1, total, callback_kwargs.get("latents"))
            return callback_kwargs

        def run():
            generators = [torch.Generator("cpu").manual_seed(seed + i) for i in range(num_images)]
            return self.pipe(prompt=prompt, negative_prompt=negative_prompt or None, num_inference_steps=steps,
                             guidance_scale=guidance, width=width, height=height,
                             num_images_per_prompt=num_images, generator=generators,
                             callback_on_step_end=step_end)

        try:
            output = run()
        except torch.OutOfMemoryError:
            torch.cuda.empty_cache()
            if self.cpu_offload or not self.placement.is_cuda:
                raise InputError("out of GPU memory: lower the size or the number of images") from None
            self._enable_offload()
            try:
                output = run()
            except torch.OutOfMemoryError:
                torch.cuda.empty_cache()
                raise InputError("out of GPU memory even with CPU offload: lower the size or the number "
                                 "of images") from None
        tokens, dropped = self.prompt_tokens(prompt)
        flagged = getattr(output, "nsfw_content_detected", None) or []
        return Generation([GeneratedImage(image, seed + i) for i, image in enumerate(output.images)],
                          prompt_tokens=tokens, window=self.window, dropped_text=dropped,
                          cpu_offload=self.cpu_offload, filtered=sum(1 for flag in flagged if flag))


def preview_images(latents, width: int, height: int) -> list:
    """Rough previews of Stable Diffusion latents (batch, 4, h/8, w/8) as PIL images of the final size; none for
    latents of another shape."""
    import numpy as np
    import torch
    from PIL import Image

    if latents is None or latents.ndim != 4 or latents.shape[1] != len(LATENT_RGB):
        return []
    factors = torch.tensor(LATENT_RGB, dtype=torch.float32)
    rgb = torch.einsum("bchw,cr->bhwr", latents.detach().to("cpu", torch.float32), factors)
    pixels = ((rgb + 1) / 2).clamp(0, 1).mul(255).round().to(torch.uint8).numpy()
    return [Image.fromarray(np.ascontiguousarray(p)).resize((width, height), Image.BILINEAR) for p in pixels]


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {"models/families/runners/diffusers_t2i.py": "7801ccd4108c9b80"}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import DEVICE_LINES, call, checkpoint_lines, header, literal, merged, text_literal

    params = merged(spec, settings)
    count, seed = int(params.get("num_images", 1)), int(params.get("seed", 0))
    variant = ('\n                                                 variant="fp16" if device == "cuda" else None,'
               if params.get("fp16_variant") else "")
    negative = literal(settings.get("negative_prompt") or None)
    arguments = ["prompt=PROMPT", "negative_prompt=NEGATIVE_PROMPT",
                 f"num_inference_steps={int(params.get('steps', 25))}",
                 f"guidance_scale={float(params.get('guidance', 7.5))!r}", f"width={int(params.get('width', 512))}",
                 f"height={int(params.get('height', 512))}", f"num_images_per_prompt={count}", "generator=generators"]
    return f"""{header("diffusers transformers accelerate torch", spec, "Generate images from a prompt")}
import torch
from diffusers import AutoPipelineForText2Image

{checkpoint_lines(spec)}
PROMPT = {text_literal(settings, "prompt")}
NEGATIVE_PROMPT = {negative}
SEED = {seed}  # image i uses SEED + i, so each image can be made again alone

{DEVICE_LINES}
pipe = AutoPipelineForText2Image.from_pretrained(CHECKPOINT, revision=REVISION,{variant} dtype=dtype)
pipe = pipe.to(device)  # short of GPU memory? pipe.enable_model_cpu_offload() instead

generators = [torch.Generator("cpu").manual_seed(SEED + i) for i in range({count})]
{call("images = pipe", arguments)}.images
for i, image in enumerate(images):
    image.save(f"image-{{SEED + i}}.png")
"""
