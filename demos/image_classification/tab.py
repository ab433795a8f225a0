"""Image classification: a photo in, the most likely of the model's classes out (ImageNet's 1000 for the defaults)."""

from __future__ import annotations

import gradio as gr

from demos.ui.code_panel import code_panel, file_name
from demos.ui.common import DemoContext, check_model, check_number, model_event, model_picker, run_batched, status_line
from demos.examples import example_path
from demos.ui.vision_common import ImageLimits, describe_notes, image_input, read_image
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
MAX_TOP_K = 20

EXAMPLES = [
    [example_path("flower.jpg")],
    [example_path("china.jpg")],
    [example_path("road_scene.png")],
]


def check_top_k(top_k) -> int:
    return check_number(top_k, "Top-k", 1, MAX_TOP_K, integer=True)


def classify(ctx: DemoContext, image: str, model: str, top_k: int = 5, progress=gr.Progress(), *,
             limits: ImageLimits | None = None) -> tuple[dict[str, float], str]:
    """Classify an image into the model's classes (ImageNet-1k for the built-in models).

    Args:
        image: the image (JPEG, PNG, WebP, GIF, BMP or TIFF), any color mode.
        model: registry key of the model, e.g. "image-classification/vit-base".
        top_k: how many of the most likely classes to return (1-20).
    Returns:
        the probability of the top-k classes, and a status line (model, device, timings).
    """
    prepared = read_image(image, limits or ctx.settings.image)
    spec = check_model(ctx, TASK, model)
    top_k = check_top_k(top_k)
    timed = run_batched(ctx, spec, prepared.image, progress)
    scores = timed.result.scores[:top_k]
    return {s.label: s.score for s in scores}, timed.status + describe_notes(prepared)


def code_settings(ctx: DemoContext, model: str, image, top_k: int) -> tuple[str, dict]:
    return model, {"image": file_name(image), "top_k": check_top_k(top_k)}


def build(ctx: DemoContext) -> None:
    gr.Markdown("What is in the picture? The model picks among the classes it was trained on "
                "(ImageNet's 1000: animals, objects, vehicles, foods, places…).")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            image = image_input()
            top_k = gr.Slider(1, MAX_TOP_K, value=5, step=1, label="Top-k classes")
            button = gr.Button("Run", variant="primary")
        with gr.Column():
            label = gr.Label(label="Classes", num_top_classes=MAX_TOP_K)
            status = status_line()
    gr.Examples(EXAMPLES, inputs=[image])

    model_event(ctx, [button.click], classify, [image, model, top_k], [label, status], api_name="classify_image")
    code_panel(ctx, [model, image, top_k], code_settings)
