"""Fine-tune a classifier: labelled texts in (a CSV/TSV upload or the built-in sample), a text classifier out.

Training runs on the server in a background thread (``models.fine_tune``), one at a time; this tab streams its
loss curve and progress, then shows accuracy, macro-F1 and a confusion matrix on the validation split. The
result is saved under the app's data folder, joins the Text classification tab's model list, and can be
downloaded as a zip in Hugging Face format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape
from typing import Any, Iterator

import gradio as gr

from demos.ui.common import (TINY_NOTE, DemoContext, acquire_model, bind, check_model, error_text, model_picker,
                             registry_changed, reported_failures, status_line)
from demos.examples import example_path
from demos.ui.failures import remembering, show_failures
from demos.ui.generation_common import STOPS, check_number
from models.fine_tune.dataset import (DatasetError, DatasetLimits, LabeledData, clean, guess_columns, labeled_rows,
                                      read_table, split)
from models.fine_tune.job import Job, Saving, TrainingBusy, TrainingSlot, fine_tune_and_save
from models.fine_tune.sample import sample_rows
from models.fine_tune.store import FineTunedStore
from models.fine_tune.trainer import EpochDone, StepDone, TrainSettings
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
SAMPLE_FILE = "topics_en_zh.csv"  # the built-in sample set as a file (tests check that the two agree)
EXAMPLES = [[example_path(SAMPLE_FILE)]]

# allowed hyper-parameters: (low, high)
EPOCHS = (1, 20)
LEARNING_RATE = (1e-6, 1e-2)
BATCH_SIZE = (1, 128)
VALIDATION_SHARE = (0.05, 0.5)
MAX_NAME_CHARS = 60
TRAIN_CURVE, VALIDATION_CURVE = "training loss (per batch)", "validation loss (per epoch)"
CURVE_COLORS = {TRAIN_CURVE: "#f97316", VALIDATION_CURVE: "#2563eb"}


@dataclass
class Training:
    """What the tab keeps per server: the training slot, the data limits, the store of saved models."""

    slot: TrainingSlot
    limits: DatasetLimits
    store: FineTunedStore
    max_seconds: int


def _state(ctx: DemoContext) -> Training:
    return ctx.links.kept(Training, lambda: Training(
        slot=TrainingSlot(),
        limits=ctx.settings.fine_tune.data,
        store=FineTunedStore(ctx.settings.data_dir, max_saved=ctx.settings.fine_tune.max_saved,
                             max_per_user=ctx.settings.fine_tune.max_per_user),
        max_seconds=60 * ctx.settings.fine_tune.max_minutes,
    ))


# --- inputs --------------------------------------------------------------------------------------------

def check_settings(ctx: DemoContext, epochs: Any, learning_rate: Any, batch_size: Any,
                   validation_share: Any) -> TrainSettings:
    return TrainSettings(
        epochs=check_number(epochs, "Epochs", *EPOCHS, integer=True),
        learning_rate=check_number(learning_rate, "Learning rate", *LEARNING_RATE),
        batch_size=check_number(batch_size, "Batch size", *BATCH_SIZE, integer=True),
        validation_share=check_number(validation_share, "Validation share", *VALIDATION_SHARE),
        max_seconds=_state(ctx).max_seconds)


def _file_path(file: Any) -> str | None:
    if file is None or file == "":
        return None
    path = file if isinstance(file, str) else getattr(file, "path", None) or (
        file.get("path") if isinstance(file, dict) else None)
    try:
        found = isinstance(path, str) and os.path.isfile(path)
    except (ValueError, OSError):  # a NUL byte or an over-long name in a path sent through the API
        found = False
    if not found:
        raise gr.Error("The uploaded file could not be read; upload it again (a .csv or .tsv file).")
    return path


def read_file_columns(ctx: DemoContext, file: str | None) -> tuple[dict, dict, Any, bool, str]:
    """Read the header of an uploaded CSV/TSV file.

    Args:
        file: the uploaded file.
    Returns:
        the column choices for the text and label dropdowns (best guesses selected), the first rows,
        whether to use the sample set (False once a file is given), and a status line.
    """
    import pandas as pd

    path = _file_path(file)
    if path is None:
        return gr.update(choices=[], value=None), gr.update(choices=[], value=None), None, True, ""
    try:
        table = read_table(path, _state(ctx).limits)
    except DatasetError as exc:
        raise gr.Error(error_text(exc)) from exc
    text, label = guess_columns(table.columns)
    width = len(table.columns)
    preview = pd.DataFrame([[cell[:200] for cell in (row + [""] * width)[:width]] for row in table.rows[:5]],
                           columns=table.columns)
    status = (f"{len(table.rows):,} rows, {width} columns: {', '.join(table.columns[:20])}. "
              "Check the text and label columns, then select Train.")
    return (gr.update(choices=table.columns, value=text), gr.update(choices=table.columns, value=label),
            preview, False, status)


def training_data(ctx: DemoContext, file: Any, text_column: Any, label_column: Any, use_sample: bool
                  ) -> LabeledData:
    limits = _state(ctx).limits
    try:
        if use_sample:
            return clean(sample_rows(), limits)
        path = _file_path(file)
        if path is None:
            raise gr.Error("No training data: upload a CSV or TSV file (a header row, then one example per row "
                           "with a text and a label column), or tick 'Use the built-in sample set'.")
        if not text_column or not label_column:
            raise gr.Error("Choose the text column and the label column of your file.")
        return labeled_rows(read_table(path, limits), str(text_column), str(label_column), limits)
    except DatasetError as exc:
        raise gr.Error(error_text(exc)) from exc


# --- the run -------------------------------------------------------------------------------------------

def train_classifier(ctx: DemoContext, file: str | None, text_column: str, label_column: str, use_sample: bool,
                     base_model: str, epochs: float, learning_rate: float, batch_size: float, validation_share: float,
                     model_name: str, request: gr.Request = None) -> Iterator[tuple]:
    """Fine-tune a base encoder into a text classifier, streaming the loss as it trains.

    Args:
        file: a CSV or TSV file (UTF-8, header row); ignored when use_sample is true.
        text_column: the file's column holding the texts.
        label_column: the file's column holding the labels (at least two different ones).
        use_sample: train on the built-in sample set (English and Chinese, three topics) instead of a file.
        base_model: registry key of the base encoder, e.g. "fine-tune/distilbert-multilingual".
        epochs: passes over the training rows, 1-20.
        learning_rate: the optimizer's peak learning rate, 1e-6 to 1e-2.
        batch_size: rows per step, 1-128.
        validation_share: share of rows kept aside to measure the result, 0.05-0.5.
        model_name: a name for the new model ("" for one from the base model).
    Returns:
        a progress bar, the loss curve, the validation metrics, the confusion matrix, the zip of the model in
        Hugging Face format, and a status line.
    """
    settings = check_settings(ctx, epochs, learning_rate, batch_size, validation_share)
    spec = check_model(ctx, TASK, base_model)
    name = str(model_name or "").strip()
    if len(name) > MAX_NAME_CHARS:
        raise gr.Error(f"The model name is {len(name)} characters long; the limit is {MAX_NAME_CHARS}.")
    data = training_data(ctx, file, text_column, label_column, use_sample)
    train, validation = split(data, settings.validation_share, settings.seed)
    state = _state(ctx)
    slot, store = state.slot, state.store
    owner = ctx.access.who(request)
    over_quota = store.quota_message(owner)
    if over_quota:
        raise gr.Error(over_quota)
    busy = slot.busy_message()
    if busy:
        raise gr.Error(busy)

    curve = Curve()
    base = f"**{spec.name}**" + (f" · **{TINY_NOTE}**" if ctx.manager.profile == "tiny" else "")
    head = (f"{base} · {len(train.texts):,} training rows, {len(validation.texts):,} validation rows, "
            f"{len(data.label_names)} labels · {data.report()}")
    yield progress_html(0, 1, "Loading the base model…"), curve.plot(), None, None, None, head
    with reported_failures(spec):
        runner = acquire_model(ctx, spec).runner
    folder_name = store.new_name(name, data.label_names, spec.name)
    with STOPS.running(request, NAME) as stop:
        job = Job(lambda report, flag: fine_tune_and_save(
                      runner, train, validation, settings, store, ctx.manager, folder_name, report, flag, owner,
                      on_saved=lambda saved: registry_changed(ctx, saved.task)),
                  stop, description=f"{spec.name}, {settings.epochs} epoch(s) on {len(train.texts):,} rows")
        try:
            slot.start(job)
        except TrainingBusy as exc:
            raise gr.Error(error_text(exc)) from None
        try:
            for reports in job.updates(interval=0.5):
                if reports:
                    curve.add(reports)
                    yield (progress_html(curve.step, curve.total, curve.describe()), curve.plot(), gr.skip(),
                           gr.skip(), gr.skip(), head)
        finally:
            if not job.finished.is_set():  # the request ended early (browser closed, cancelled): stop the run
                stop.set()
        with reported_failures(spec):
            outcome = job.outcome()
    trained = outcome.trained
    took = (f"{trained.steps:,} of {trained.total_steps:,} steps in {trained.seconds:.1f} s on "
            f"{ctx.manager.placement.device} (float32)")
    if trained.stopped:
        why = "reached the time limit" if trained.stopped == "time limit" else "was stopped"
        yield (progress_html(curve.step, curve.total, f"Stopped at step {trained.steps:,}"), curve.frame(), None,
               None, None, f"{head}  \nTraining {why} after {took}; nothing was saved.")
        return
    evaluation = trained.evaluation
    metrics = {"model": outcome.spec.key, "accuracy": round(evaluation.accuracy, 4),
               "macro_f1": round(evaluation.macro_f1, 4), "validation_rows": evaluation.rows,
               "per_label": {label: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                     "f1": round(s.f1, 4), "support": s.support}
                             for label, s in evaluation.per_label.items()}}
    yield (progress_html(1, 1, "Done"), curve.frame(), metrics, confusion_table(evaluation), str(outcome.archive),
           f"{head}  \nTrained {took}: validation accuracy **{evaluation.accuracy:.1%}**, macro-F1 "
           f"**{evaluation.macro_f1:.3f}**. Saved as **{outcome.spec.name}**: pick it in the Text classification "
           "tab, or download the zip below.")


class Curve:
    """The loss curve so far, as the rows of a line plot. Training loss is kept to about ``max_points`` points:
    when it grows past that, neighbouring points are averaged in pairs (each point then stands for twice as many
    steps), so a long run never streams an ever larger table to the browser."""

    def __init__(self, max_points: int = 500) -> None:
        self.max_points = max_points
        self.train: list[tuple[float, float]] = []      # (step, mean loss of the steps this point stands for)
        self.stride, self._pending = 1, []               # steps per point; steps not yet averaged into one
        self.validation: list[tuple[int, float]] = []
        self.step, self.total, self.epoch, self.saving = 0, 1, 0, False
        self.val_accuracy: float | None = None

    def add(self, reports: list) -> None:
        for item in reports:
            if isinstance(item, StepDone):
                self.step, self.total, self.epoch = item.step, item.total_steps, item.epoch
                self._pending.append(item.loss)
                if len(self._pending) == self.stride:
                    self.train.append((item.step, sum(self._pending) / self.stride))
                    self._pending = []
                    if len(self.train) > self.max_points and len(self.train) % 2 == 0:
                        self.train = [(b[0], (a[1] + b[1]) / 2) for a, b in zip(self.train[::2], self.train[1::2])]
                        self.stride *= 2
            elif isinstance(item, EpochDone):
                self.validation.append((item.step, item.validation_loss))
                self.val_accuracy = item.validation_accuracy
            elif isinstance(item, Saving):
                self.saving = True

    def describe(self) -> str:
        if self.saving:
            return "Saving the model…"
        text = f"Epoch {self.epoch} · step {self.step:,} of {self.total:,}"
        if self.val_accuracy is not None:
            text += f" · validation accuracy {self.val_accuracy:.1%} after the last epoch"
        return text

    def plot(self):
        """The frame for the browser's plot: with a row without a loss for each curve that has no point yet.
        gradio's line plot takes its colour scale from the curves in the first frame it draws and never widens it
        (a later curve gets no stroke and no legend entry); the empty rows put both curves in it from the start,
        and draw nothing."""
        import pandas as pd

        frame = self.frame()
        missing = [name for name in CURVE_COLORS if name not in set(frame.curve)]
        if not missing:
            return frame
        empty = pd.DataFrame({"step": [self.step] * len(missing), "loss": [float("nan")] * len(missing),
                              "curve": missing})
        return pd.concat([frame, empty], ignore_index=True).astype({"step": "int64", "loss": "float64"})

    def frame(self):
        import pandas as pd

        rows = [(step, loss, TRAIN_CURVE) for step, loss in self.train]
        if self._pending:  # the latest steps, not yet a full point
            rows.append((self.step, sum(self._pending) / len(self._pending), TRAIN_CURVE))
        rows += [(step, loss, VALIDATION_CURVE) for step, loss in self.validation]
        # typed even when empty: the plot reads the columns' types (numbers draw lines, text draws categories)
        return pd.DataFrame(rows, columns=["step", "loss", "curve"]).astype({"step": "int64", "loss": "float64"})


def progress_html(done: int, total: int, text: str) -> str:
    share = 0 if total <= 0 else min(1.0, done / total)
    return (f'<div class="fine-tune-progress"><progress value="{share:.3f}" max="1" style="width:100%"></progress>'
            f"<div><small>{escape(text)} ({share:.0%})</small></div></div>")


def confusion_table(evaluation):
    """One row per true label: how many of its validation rows were predicted as each label."""
    import pandas as pd

    return pd.DataFrame([[label, *row] for label, row in zip(evaluation.labels, evaluation.confusion)],
                        columns=["true \\ predicted", *evaluation.labels])


def stop_fine_tune(request: gr.Request = None) -> str:
    """Stop your running training (the one started from this browser session); nothing is saved.

    Returns:
        what happened.
    """
    stopped = STOPS.stop(request, NAME)
    return "Stopping after the current step…" if stopped else "No training of yours is running."


# --- the tab -------------------------------------------------------------------------------------------

def build(ctx: DemoContext) -> None:
    tiny = ctx.manager.profile == "tiny"
    gr.Markdown("Teach an encoder your own labels. Upload a CSV or TSV file with a text column and a label "
                "column (or use the built-in sample: short English and Chinese sentences about sports, food and "
                "technology), pick a base model, and train. The result joins the **Text classification** tab. "
                "One training runs at a time on this server.")
    with gr.Row():
        with gr.Column():
            use_sample = gr.Checkbox(value=True, label="Use the built-in sample set (300 rows, 3 labels)")
            file = gr.File(label="Training data (CSV or TSV, UTF-8, with a header row)",
                           file_types=[".csv", ".tsv", ".txt"], type="filepath")
            with gr.Row():
                text_column = gr.Dropdown(choices=[], label="Text column", allow_custom_value=True)
                label_column = gr.Dropdown(choices=[], label="Label column", allow_custom_value=True)
            # headers while empty (else gradio shows "1 2 3"): the sample set's columns
            preview = gr.Dataframe(headers=["text", "label"], label="First rows", interactive=False, max_height=200)
            base_model = model_picker(ctx, TASK)
            # no minimum/maximum on the numbers: the handler's checks name the field and its range
            with gr.Row():
                epochs = gr.Number(value=3, label=f"Epochs ({EPOCHS[0]}-{EPOCHS[1]})", precision=0)
                learning_rate = gr.Number(value=1e-2 if tiny else 5e-5,
                                          label=f"Learning rate ({LEARNING_RATE[0]:g} to {LEARNING_RATE[1]:g})",
                                          info="5e-5 suits base-size encoders" + (
                                              "; the tiny twins need about 1e-2" if tiny else ""))
            with gr.Row():
                batch_size = gr.Number(value=16, label=f"Batch size ({BATCH_SIZE[0]}-{BATCH_SIZE[1]})", precision=0)
                validation_share = gr.Slider(*VALIDATION_SHARE, value=0.2, step=0.05, label="Validation share")
            gr.Examples(EXAMPLES, inputs=[file], label="Example file (the sample set as a CSV)")
            model_name = gr.Textbox(label="Name for the new model (optional)", max_length=MAX_NAME_CHARS,
                                    placeholder="e.g. my-topics")
            with gr.Row():
                train_button = gr.Button("Train", variant="primary")
                stop_button = gr.Button("Stop", variant="stop")
        with gr.Column():
            progress = gr.HTML(progress_html(0, 1, "Not started"))
            # no fixed height: with one, the plot cuts off its own legend
            curve = gr.LinePlot(x="step", y="loss", color="curve", color_map=CURVE_COLORS, label="Loss",
                                x_title="step", y_title="loss")
            status = status_line()
            metrics = gr.JSON(label="Validation metrics")
            confusion = gr.Dataframe(headers=["true \\ predicted"], interactive=False,
                                     label="Confusion matrix (rows: true label, columns: predicted)")
            download = gr.File(label="Fine-tuned model (zip, Hugging Face format)", interactive=False)

    # change, not upload: picking the example file sets the file too
    read = file.change(remembering(bind(ctx, read_file_columns), "read_columns"), file,
                       [text_column, label_column, preview, use_sample, status], api_name="read_columns")
    show_failures(read, "read_columns", [status])  # the reason stays in the status line

    train = remembering(ctx.access.guard(bind(ctx, train_classifier), "fine_tune"), "fine_tune")
    trained = train_button.click(
        train, [file, text_column, label_column, use_sample, base_model, epochs, learning_rate, batch_size,
                validation_share, model_name],
        [progress, curve, metrics, confusion, download, status], api_name="fine_tune",
        # its own queue, wide enough that a second user reaches the handler and hears it is busy
        concurrency_id="fine-tune", concurrency_limit=8, show_progress="minimal")
    show_failures(trained, "fine_tune", [status])

    # callable by API clients (their own session's run), not offered as an MCP tool: an assistant has no run to stop
    stop_button.click(stop_fine_tune, None, status, api_name="stop_training", api_visibility="undocumented")
    your_models_panel(ctx, trained)


# --- the user's saved models ---------------------------------------------------------------------------

def your_models(ctx: DemoContext, request: gr.Request | None) -> list[tuple[str, str]]:
    """The dropdown choices for the models the requesting user made: (label, folder name), newest first."""
    from models.fine_tune.store import read_info

    choices = []
    for folder in reversed(_state(ctx).store.owned_by(ctx.access.who(request))):
        try:
            info = read_info(folder)
        except (OSError, ValueError):
            continue
        labels = ", ".join(info.get("labels", [])[:4])
        choices.append((f"{folder.name} · {labels} · saved {info.get('created', '?')[:16].replace('T', ' ')}",
                        folder.name))
    return choices


def delete_my_model(ctx: DemoContext, name: str, request: gr.Request = None) -> tuple[dict, str]:
    """Delete one of your fine-tuned models (it leaves the Text classification tab too).

    Args:
        name: the model's name, as listed under "Your models".
    Returns:
        your remaining models, and what happened.
    """
    from models.fine_tune.store import NotYours

    if not isinstance(name, str) or not name:
        raise gr.Error("Choose one of your models to delete.")
    try:
        key = _state(ctx).store.delete(name, ctx.access.who(request), ctx.manager.registry,
                                          forget=ctx.manager.evict)
    except NotYours:
        raise gr.Error(f"You have no fine-tuned model called {name[:80]!r} on this server (only the user who "
                       "made a model can delete it).") from None
    registry_changed(ctx, "text-classification")
    return gr.update(choices=your_models(ctx, request), value=None), f"Deleted **{key.split('/', 1)[1]}**."


def your_models_panel(ctx: DemoContext, training) -> None:
    store = _state(ctx).store
    with gr.Accordion("Your models", open=False):
        gr.Markdown(f"The models you fine-tuned here (as this server knows you: your login, else your address). "
                    f"Each user keeps up to {store.max_per_user}; the server keeps {store.max_saved} in all, and "
                    "when it is full the models used least recently (anyone's) are removed first to make room.")
        with gr.Row():
            # any value reaches the handler, which deletes only the requesting user's own models
            mine = gr.Dropdown(choices=[], value=None, label="Your models", interactive=True,
                               allow_custom_value=True)
            delete = gr.Button("Delete", variant="stop")
        result = status_line()

    def list_my_models(request: gr.Request) -> dict:
        return gr.update(choices=your_models(ctx, request))

    # the list is read when opened and after each training; API clients may delete, assistants are not offered it
    mine.focus(list_my_models, None, mine, api_visibility="private", show_progress="hidden")
    training.then(list_my_models, None, mine, api_visibility="private", show_progress="hidden")
    delete.click(bind(ctx, delete_my_model), mine, [mine, result], api_name="delete_fine_tuned",
                 api_visibility="undocumented")
