"""Object detection: a photo in, boxes around the objects found (label and score each), plus a table."""

from __future__ import annotations

import gradio as gr

from demos.ui.code_panel import code_panel, file_name
from demos.ui.common import DemoContext, check_model, check_number, model_event, model_picker, run_model, status_line
from demos.examples import example_path
from demos.ui.vision_common import ImageLimits, describe_notes, image_input, read_image
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
TABLE_HEADERS = ["label", "score", "xmin", "ymin", "xmax", "ymax"]
MAX_FILTER_CHARS = 500

EXAMPLES = [
    [example_path("road_scene.png"), 0.5, ""],
    [example_path("china.jpg"), 0.5, ""],
    [example_path("flower.jpg"), 0.5, ""],
]


def check_threshold(threshold) -> float:
    return check_number(threshold, "The score threshold", 0.0, 1.0)


def parse_label_filter(text) -> list[str]:
    """'car, Truck ,  person' -> ['car', 'truck', 'person']; empty keeps every label."""
    if text is None:
        return []
    if not isinstance(text, str) or len(text) > MAX_FILTER_CHARS:
        raise gr.Error(f"The label filter must be a comma-separated list of labels under {MAX_FILTER_CHARS} "
                       "characters, e.g. 'car, truck, person'.")
    return list(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))


def check_labels_known(wanted: list[str], known: list[str]) -> None:
    known_lower = {label.lower() for label in known}
    unknown = [label for label in wanted if label not in known_lower]
    if unknown:
        shown = ", ".join(known[:40]) + (", …" if len(known) > 40 else "")
        raise gr.Error(f"This model does not know the label(s) {', '.join(repr(u) for u in unknown)}. "
                       f"It knows: {shown}.")


def detect(ctx: DemoContext, image: str, model: str, threshold: float | None = None, labels: str = "",
           progress=gr.Progress(), *, limits: ImageLimits | None = None) -> tuple[tuple, list[list], str]:
    """Detect objects in an image and draw a labelled box around each.

    Args:
        image: the image (JPEG, PNG, WebP, GIF, BMP or TIFF), any color mode.
        model: registry key of the model, e.g. "object-detection/detr-resnet-50".
        threshold: keep boxes scoring at least this (0-1).
        labels: comma-separated labels to keep, e.g. "car, truck"; empty keeps all.
    Returns:
        the image with boxes, a table of label/score/xmin/ymin/xmax/ymax, and a status line.
    """
    prepared = read_image(image, limits or ctx.settings.image)
    spec = check_model(ctx, TASK, model)
    threshold = check_threshold(spec.params.get("threshold", 0.5) if threshold is None else threshold)
    wanted = parse_label_filter(labels)
    timed = run_model(ctx, spec, lambda runner: (runner([prepared.image], threshold=threshold)[0], runner.labels),
                      progress)
    detections, known = timed.result
    check_labels_known(wanted, known)
    if wanted:
        detections = [d for d in detections if d.label.lower() in wanted]
    boxes = [(d.box, f"{d.label} {d.score:.2f}") for d in detections]
    table = [[d.label, round(d.score, 4), *d.box] for d in detections]
    count = f" · {len(detections)} object{'' if len(detections) == 1 else 's'} at score ≥ {threshold:.2f}"
    return (prepared.image, boxes), table, timed.status + count + describe_notes(prepared)


def code_settings(ctx: DemoContext, model: str, image, threshold: float, labels: str) -> tuple[str, dict]:
    return model, {"image": file_name(image), "threshold": check_threshold(threshold),
                   "labels": parse_label_filter(labels)}


def build(ctx: DemoContext) -> None:
    gr.Markdown("Find objects (people, vehicles, traffic lights, animals… COCO's 80 classes) and draw a box "
                "around each. Lower the threshold to see less certain boxes; list labels to keep only those.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            image = image_input()
            threshold = gr.Slider(0.0, 1.0, value=ctx.specs(TASK)[0].params.get("threshold", 0.5), step=0.01,
                                  label="Score threshold")
            labels = gr.Textbox(label="Only these labels (comma-separated; empty: all)",
                                placeholder="e.g. car, truck, traffic light", max_length=MAX_FILTER_CHARS)
            button = gr.Button("Run", variant="primary")
        with gr.Column():
            annotated = gr.AnnotatedImage(label="Objects", height=420)
            status = status_line()
    table = gr.Dataframe(headers=TABLE_HEADERS, label="Objects (box corners in pixels of the shown image)",
                         interactive=False)
    gr.Examples(EXAMPLES, inputs=[image, threshold, labels])

    def default_threshold(key: str) -> float:
        specs = {spec.key: spec for spec in ctx.specs(TASK)}
        return specs[key].params.get("threshold", 0.5) if key in specs else 0.5

    model.change(default_threshold, model, threshold, api_visibility="private")

    model_event(ctx, [button.click, labels.submit], detect, [image, model, threshold, labels],
                [annotated, table, status], api_name="detect_objects")
    code_panel(ctx, [model, image, threshold, labels], code_settings)
