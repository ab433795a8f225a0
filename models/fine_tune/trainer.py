"""The base encoder of a fine-tune entry, and the training loop that turns it into a classifier.

The manager loads a ``FineTuneBase`` like any model (the tokenizer, on first use, with the app's loading
progress and error messages); each training run then reads fresh weights from its folder with a new
classification head, so no run starts from another's weights.

A plain torch loop rather than ``transformers.Trainer``: it reports every step, checks the stop flag
between steps, and writes nothing but the final model, without the Trainer's output folder, logging
integrations and checkpoint machinery to switch off.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from models.fine_tune.dataset import LabeledData
from models.fine_tune.metrics import Evaluation, evaluate
from models.runtime.manager import LOAD_LOCK
from models.families.runners.base import BaseRunner


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 3
    learning_rate: float = 5e-5
    batch_size: int = 16
    validation_share: float = 0.2
    max_length: int = 128          # tokens read of each text
    seed: int = 0
    warmup_share: float = 0.1      # of all steps, learning rate rising linearly from 0
    weight_decay: float = 0.01
    max_seconds: float | None = None  # a training still running after this stops as if Stop was pressed


@dataclass(frozen=True)
class StepDone:
    epoch: int        # 1-based
    step: int         # 1-based, counted over all epochs
    total_steps: int
    loss: float       # training loss of this batch


@dataclass(frozen=True)
class EpochDone:
    epoch: int
    step: int
    total_steps: int
    validation_loss: float
    validation_accuracy: float


@dataclass
class Trained:
    model: Any                     # the fine-tuned transformers model, on CPU
    tokenizer: Any
    labels: list[str]
    steps: int
    total_steps: int
    seconds: float
    stopped: str = ""              # why it stopped early ("stopped", "time limit"); "" when it finished
    evaluation: Evaluation | None = None
    history: list = field(default_factory=list)  # the StepDone and EpochDone reports, in order


Report = Callable[[Any], None]


class FineTuneBase(BaseRunner):
    """A base encoder to fine-tune (the ``fine-tune`` runner kind)."""

    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(source.path, **source.pretrained_kwargs())

    def train(self, train: LabeledData, validation: LabeledData, settings: TrainSettings, report: Report,
              stop: threading.Event) -> Trained:
        import torch
        from transformers import AutoModelForSequenceClassification, get_linear_schedule_with_warmup

        started = time.monotonic()
        labels = sorted(set(train.labels) | set(validation.labels))
        label_ids = {label: i for i, label in enumerate(labels)}
        torch.manual_seed(settings.seed)
        # weights load under the process-wide load lock: transformers' loading is not thread-safe
        with LOAD_LOCK:
            model = AutoModelForSequenceClassification.from_pretrained(
                self.source.path, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label_ids,
                dtype=torch.float32, **self.source.pretrained_kwargs())
        device = self.placement.device
        model.to(device)
        max_length = min(settings.max_length, self.window(model))
        x_train = self.tokenizer(train.texts, truncation=True, max_length=max_length)
        y_train = [label_ids[label] for label in train.labels]
        x_val = self.tokenizer(validation.texts, truncation=True, max_length=max_length)
        y_val = [label_ids[label] for label in validation.labels]

        steps_per_epoch = math.ceil(len(y_train) / settings.batch_size)
        total = steps_per_epoch * settings.epochs
        optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate,
                                      weight_decay=settings.weight_decay)
        schedule = get_linear_schedule_with_warmup(optimizer, int(total * settings.warmup_share), total)
        order_rng = torch.Generator().manual_seed(settings.seed)
        result = Trained(model, self.tokenizer, labels, 0, total, 0.0)

        def stop_reason() -> str:
            if stop.is_set():
                return "stopped"
            if settings.max_seconds is not None and time.monotonic() - started > settings.max_seconds:
                return "time limit"
            return ""

        for epoch in range(1, settings.epochs + 1):
            model.train()
            order = torch.randperm(len(y_train), generator=order_rng).tolist()
            for start in range(0, len(order), settings.batch_size):
                result.stopped = stop_reason()
                if result.stopped:
                    return self._finish(result, model, started)
                batch = self._batch(x_train, y_train, order[start:start + settings.batch_size], device)
                loss = model(**batch).loss
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad(set_to_none=True)
                result.steps += 1
                self._report(result, report, StepDone(epoch, result.steps, total, float(loss.detach())))
            val_loss, predicted = self._predict(model, x_val, y_val, settings.batch_size, device)
            accuracy = sum(p == t for p, t in zip(predicted, y_val)) / len(y_val)
            self._report(result, report, EpochDone(epoch, result.steps, total, val_loss, accuracy))
        result.evaluation = evaluate(y_val, predicted, labels)
        return self._finish(result, model, started)

    # --- pieces ----------------------------------------------------------------------------------------
    def window(self, model) -> int:
        """The most tokens the model reads."""
        return min(self.tokenizer.model_max_length, getattr(model.config, "max_position_embeddings", 10**9))

    def _batch(self, encoded, targets: list[int], rows: list[int], device) -> dict:
        import torch

        features = self.tokenizer.pad({name: [values[i] for i in rows] for name, values in encoded.items()},
                                      return_tensors="pt")
        features["labels"] = torch.tensor([targets[i] for i in rows])
        return {name: tensor.to(device) for name, tensor in features.items()}

    def _predict(self, model, encoded, targets: list[int], batch_size: int, device) -> tuple[float, list[int]]:
        import torch

        model.eval()
        predicted, total_loss = [], 0.0
        with torch.no_grad():
            for start in range(0, len(targets), batch_size):
                rows = list(range(start, min(start + batch_size, len(targets))))
                out = model(**self._batch(encoded, targets, rows, device))
                total_loss += float(out.loss) * len(rows)
                predicted += out.logits.argmax(-1).tolist()
        model.train()
        return total_loss / len(targets), predicted

    @staticmethod
    def _report(result: Trained, report: Report, item) -> None:
        result.history.append(item)
        report(item)

    @staticmethod
    def _finish(result: Trained, model, started: float) -> Trained:
        model.eval()
        result.model = model.to("cpu")
        result.seconds = time.monotonic() - started
        return result
