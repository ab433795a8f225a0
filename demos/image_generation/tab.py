"""Image generation: a prompt in, images out, each with its seed and downloadable as PNG with its settings.

While it paints, the progress bar follows the denoising steps, the gallery shows rough previews every few steps,
and Stop ends it at the end of the step under way. "Reuse seed" puts the seed of the last images (or of the image
clicked in the gallery) back in the Seed box and turns randomizing off, to vary an image you liked.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Iterator

import gradio as gr
from PIL import PngImagePlugin

from demos.ui.code_panel import code_panel
from demos.ui.common import (DemoContext, check_model, check_number, check_text, model_event, model_picker,
                             status_line)
from demos.ui.generation_common import STOPS, stream_model
from demos.ui.progress import MonotoneProgress, last
from models.registry.spec import ModelSpec
from models.families.results import DenoisingStep
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task

MAX_PROMPT_CHARS = 1000
MIN_SIDE, MAX_SIDE, SIDE_MULTIPLE = 64, 1024, 8
MAX_IMAGES = 4
MAX_GUIDANCE = 20.0
MAX_SEED = 2**32 - 1 - MAX_IMAGES  # seed + i must stay a valid 32-bit seed
KEEP_FILES = 200  # generated PNGs kept on disk for download; older ones are deleted
PREVIEWS = 8      # about this many previews per generation (one every steps // PREVIEWS steps)

EXAMPLES = [
    ["A cinematic photo of a red vintage car on a wet city street at night, neon reflections"],
    ["A watercolor painting of a lighthouse on a cliff at sunrise, soft pastel colors"],
    ["An astronaut riding a horse on the moon, detailed, 4k"],
]


def settings_for(spec: ModelSpec) -> dict:
    """The UI's defaults and limits for an entry (few-step turbo models differ from classic ones)."""
    params = spec.params
    return {"steps": int(params.get("steps", 25)), "max_steps": int(params.get("max_steps", 100)),
            "guidance": float(params.get("guidance", 7.5)), "width": int(params.get("width", 512)),
            "height": int(params.get("height", 512)), "uses_guidance": bool(params.get("uses_guidance", True))}


def _check_int(value, name: str, low: int, high: int, multiple: int = 1) -> int:
    return check_number(value, name, low, high, integer=True, multiple=multiple)


def check_settings(spec: ModelSpec, steps, guidance, width, height, num_images) -> tuple[int, float, int, int, int]:
    limits = settings_for(spec)
    steps = _check_int(steps, "Steps", 1, limits["max_steps"])
    guidance = check_number(guidance, "Guidance", 0.0, MAX_GUIDANCE)
    width = _check_int(width, "Width", MIN_SIDE, MAX_SIDE, SIDE_MULTIPLE)
    height = _check_int(height, "Height", MIN_SIDE, MAX_SIDE, SIDE_MULTIPLE)
    num_images = _check_int(num_images, "Number of images", 1, MAX_IMAGES)
    return steps, guidance, width, height, num_images


def choose_seed(seed, randomize: bool) -> int:
    if randomize:
        return random.randint(0, MAX_SEED)
    return _check_int(seed, "Seed", 0, MAX_SEED)


def output_dir(configured: str | None = None) -> Path:
    """Where generated images go: the configured folder (DEMO_GENERATED_DIR), else one in the temp folder."""
    folder = Path(configured or Path(tempfile.gettempdir()) / "demo-suite-generated")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_png(image, parameters: dict[str, str], folder: Path) -> str:
    """Save as PNG with the generation parameters as text chunks (one per key, plus a summary line)."""
    info = PngImagePlugin.PngInfo()
    for key, value in parameters.items():
        info.add_text(key, str(value))
    info.add_text("parameters", ", ".join(f"{key}: {value}" for key, value in parameters.items()))
    path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-seed{parameters['seed']}-{random.randrange(16**6):06x}.png"
    image.save(path, format="PNG", pnginfo=info)
    return str(path)


def prune(folder: Path, keep: int = KEEP_FILES) -> None:
    files = sorted(folder.glob("*.png"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)


def code_settings(ctx: DemoContext, model: str, prompt: str, negative_prompt: str, steps, guidance, seed, width,
                  height, num_images) -> tuple[str, dict]:
    spec = check_model(ctx, TASK, model)
    steps, guidance, width, height, num_images = check_settings(spec, steps, guidance, width, height, num_images)
    return model, {"prompt": prompt, "negative_prompt": negative_prompt or "", "steps": steps, "guidance": guidance,
                   "width": width, "height": height, "num_images": num_images, "seed": choose_seed(seed, False)}


def preview_every(steps: int) -> int:
    """Steps between two previews: about PREVIEWS per generation, at least one step apart."""
    return max(1, steps // PREVIEWS)


def generate(ctx: DemoContext, prompt: str, negative_prompt: str, model: str, steps: int, guidance: float, seed: int,
             randomize_seed: bool, width: int, height: int, num_images: int, request: gr.Request = None,
             progress=gr.Progress()) -> Iterator[tuple[list[tuple[str, str]], int, str]]:
    """Generate images from a text prompt.

    Args:
        prompt: what to paint, in English (the text encoder reads about 75 tokens).
        negative_prompt: what to avoid; only used when guidance is above 1. May be empty.
        model: registry key of the model, e.g. "text-to-image/sd-turbo".
        steps: denoising steps (1-4 for sd-turbo, 20-50 for Stable Diffusion 1.5).
        guidance: classifier-free guidance scale (0 for sd-turbo, about 7.5 for Stable Diffusion 1.5).
        seed: the seed of the first image; image i uses seed + i.
        randomize_seed: pick a random seed instead of the one given.
        width: image width in pixels, 64-1024, a multiple of 8.
        height: image height in pixels, 64-1024, a multiple of 8.
        num_images: how many images, 1-4.
    Returns:
        the images as PNG files with a "seed N" caption each, the seed used, and a status line
        (rough previews come first while it paints).
    """
    # previews as the steps go, then the PNGs; a stop ends it with the last previews and a status that says at
    # which step it stopped
    prompt = check_text(prompt, "Prompt", MAX_PROMPT_CHARS)
    negative_prompt = check_text(negative_prompt, "Negative prompt", MAX_PROMPT_CHARS) \
        if isinstance(negative_prompt, str) and negative_prompt.strip() else ""
    spec = check_model(ctx, TASK, model)
    steps, guidance, width, height, num_images = check_settings(spec, steps, guidance, width, height, num_images)
    seed = choose_seed(seed, randomize_seed)
    bar = MonotoneProgress(progress)
    settings = dict(negative_prompt=negative_prompt, steps=steps, guidance=guidance, width=width, height=height,
                    num_images=num_images, seed=seed, preview_every=preview_every(steps))
    generation, step, shown, status = None, None, [], ""
    with STOPS.running(request, NAME) as stop:
        for item, status in stream_model(ctx, spec, lambda runner: runner.stream(prompt, stop, **settings), bar):
            if not isinstance(item, DenoisingStep):
                generation = item  # the last item: the stream ends (and lets go of the model gate) after it
                continue
            if step is not None and item.step == step.step and not item.previews:
                continue  # the same step said again: nothing new to show
            step = item
            bar(item.step / item.total, desc=f"Denoising step {item.step}/{item.total}")
            if item.previews:
                shown = [(image, f"preview · step {item.step}/{item.total}") for image in item.previews]
                yield shown, seed, f"{status} · step {item.step} of {item.total}: preview"
    if generation is None:  # stopped
        where = f"after step {step.step} of {step.total}" if step else "before the first step"
        yield shown, seed, f"{status} · stopped {where}"
        return
    folder = output_dir(ctx.settings.generated_dir)
    gallery = []
    for generated in generation.images:
        parameters = {"prompt": prompt, "negative_prompt": negative_prompt, "steps": steps,
                      "guidance_scale": guidance, "seed": generated.seed, "width": width, "height": height,
                      "model": spec.checkpoint, "revision": spec.revision}
        gallery.append((save_png(generated.image, parameters, folder), f"seed {generated.seed}"))
    prune(folder)
    yield gallery, seed, status + notices(generation, negative_prompt, guidance)


def generate_images(ctx: DemoContext, prompt: str, negative_prompt: str, model: str, steps, guidance, seed,
                    randomize_seed: bool, width, height, num_images, progress: gr.Progress | None = None
                    ) -> tuple[list[tuple[str, str]], int, str]:
    """The finished images of ``generate`` (what an API caller gets)."""
    return last(generate(ctx, prompt, negative_prompt, model, steps, guidance, seed, randomize_seed, width, height,
                         num_images, progress=progress))


def seed_of_selected(selected: gr.SelectData):
    """Clicking an image of the gallery makes its seed the one "Reuse seed" puts back (image i: seed + i)."""
    value = selected.value if isinstance(selected.value, dict) else {}
    caption = str(value.get("caption") or "")
    return int(caption[len("seed "):]) if caption.startswith("seed ") and caption[5:].isdigit() else gr.skip()


def reuse_seed(used) -> tuple[int, bool]:
    """The "Reuse seed" button: the seed of the last images into the Seed box, randomizing off."""
    if used is None or used == "":
        raise gr.Error("No seed to reuse yet: generate an image first.")
    return _check_int(used, "Seed used", 0, MAX_SEED), False


def notices(generation, negative_prompt: str, guidance: float) -> str:
    lines = []
    if generation.truncated:
        lines.append(f"⚠️ The prompt is {generation.prompt_tokens} tokens; the text encoder reads "
                     f"{generation.window} (start and end tokens included), so this end was ignored: "
                     f"“{generation.dropped_text[:200]}”.")
    if negative_prompt and guidance <= 1.0:
        lines.append("ℹ️ The negative prompt has no effect with guidance ≤ 1 (guidance is off).")
    if generation.filtered:
        lines.append(f"⚠️ The model's safety checker blacked out {generation.filtered} image(s). "
                     "Try another prompt or seed.")
    if generation.cpu_offload:
        lines.append("ℹ️ The GPU is short of memory: the model runs with CPU offload (slower).")
    return "".join("  \n" + line for line in lines)


def build(ctx: DemoContext) -> None:
    default = settings_for(ctx.specs(TASK)[0])
    gr.Markdown("Describe a picture and the model paints it. The same prompt, settings and seed give the same "
                "image; each image's PNG carries its prompt and settings.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            prompt = gr.Textbox(label="Prompt (English)", lines=3, max_length=MAX_PROMPT_CHARS,
                                placeholder="A photo of a red fox in a snowy forest, golden hour")
            negative_prompt = gr.Textbox(label="Negative prompt (what to avoid; needs guidance > 1)",
                                         max_length=MAX_PROMPT_CHARS, placeholder="blurry, low quality")
            with gr.Row():
                steps = gr.Slider(1, default["max_steps"], value=default["steps"], step=1, label="Steps")
                guidance = gr.Slider(0.0, MAX_GUIDANCE, value=default["guidance"], step=0.5, label="Guidance")
            with gr.Row():
                width = gr.Slider(MIN_SIDE, MAX_SIDE, value=default["width"], step=64, label="Width")
                height = gr.Slider(MIN_SIDE, MAX_SIDE, value=default["height"], step=64, label="Height")
            with gr.Row():
                num_images = gr.Slider(1, MAX_IMAGES, value=1, step=1, label="Images")
                seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="Seed")
                randomize_seed = gr.Checkbox(value=True, label="Randomize seed")
            with gr.Row():
                button = gr.Button("Generate", variant="primary")
                stop = gr.Button("Stop", variant="stop")
        with gr.Column():
            gallery = gr.Gallery(label="Images (click one, then download: PNG with its settings)", columns=2,
                                 format="png", height=520, elem_classes=["generated-images"])
            with gr.Row():
                seed_used = gr.Number(label="Seed used (image i: seed + i)", precision=0, interactive=False,
                                      elem_classes=["seed-used"])
                reuse = gr.Button("♻️ Reuse seed", size="sm", elem_classes=["reuse-seed"])
            status = status_line()
    gr.Examples(EXAMPLES, inputs=[prompt])

    def adapt_to_model(key: str):
        specs = {spec.key: spec for spec in ctx.specs(TASK)}
        if key not in specs:
            return gr.update(), gr.update(), gr.update(), gr.update()
        settings = settings_for(specs[key])
        return (gr.update(value=settings["steps"], maximum=settings["max_steps"]),
                gr.update(value=settings["guidance"]), gr.update(value=settings["width"]),
                gr.update(value=settings["height"]))

    model.change(adapt_to_model, model, [steps, guidance, width, height], api_visibility="private")

    model_event(ctx, [button.click, prompt.submit], generate,
                        [prompt, negative_prompt, model, steps, guidance, seed, randomize_seed, width, height,
                         num_images], [gallery, seed_used, status], api_name="generate_images")

    def stop_generation(request: gr.Request) -> None:
        STOPS.stop(request, NAME)

    # no ``cancels``: a cancelled event shows nothing more, while the stopped generation ends within a step and
    # says so in its status line (as the chat tab's Stop)
    stop.click(stop_generation, None, None, api_visibility="private")
    reuse.click(reuse_seed, seed_used, [seed, randomize_seed], api_visibility="private", queue=False)
    gallery.select(seed_of_selected, None, seed_used, api_visibility="private", queue=False)
    code_panel(ctx, [model, prompt, negative_prompt, steps, guidance, seed, width, height, num_images], code_settings)
