"""A training run in a background thread: one at a time per server, progress through a queue, a stop flag.

The thread, not the request that started it, holds the server's training slot, and lets it go when the
run has ended (finished, stopped, failed): a closed browser tab cannot leave the slot taken.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from models.fine_tune.dataset import LabeledData
from models.fine_tune.store import FineTunedStore, display_owner, fresh_dir, utc_now
from models.fine_tune.trainer import EpochDone, StepDone, Trained, TrainSettings
from models.registry.spec import ModelSpec


class TrainingBusy(RuntimeError):
    """Another training holds the server's slot."""


class Saving:
    """Reported once training has finished and the model is being written."""


_DONE = object()


class Job:
    """``work(report, stop)`` run in a thread; ``updates()`` yields what it reports, batched."""

    def __init__(self, work: Callable[[Callable[[Any], None], threading.Event], Any],
                 stop: threading.Event | None = None, description: str = "a training"):
        self.work, self.stop = work, stop or threading.Event()
        self.description = description
        self.started = time.monotonic()
        self.last: Any = None          # the latest report, for the busy message
        self.result: Any = None
        self.error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()

    def start(self, on_end: Callable[[], None] = lambda: None) -> None:
        def run():
            try:
                self.result = self.work(self._report, self.stop)
            except BaseException as exc:  # handed to the request that waits on the job
                self.error = exc
            finally:
                on_end()
                self.finished.set()
                self._queue.put(_DONE)

        self._thread = threading.Thread(target=run, name="fine-tune", daemon=True)
        self._thread.start()

    def _report(self, item: Any) -> None:
        self.last = item
        self._queue.put(item)

    def updates(self, interval: float = 0.5) -> Iterator[list]:
        """Lists of reports, at most one list per ``interval`` seconds, until the job ends."""
        while True:
            items, deadline = [], time.monotonic() + interval
            while True:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is _DONE:
                    yield items
                    return
                items.append(item)
            yield items

    def outcome(self) -> Any:
        self.finished.wait()
        if self.error is not None:
            raise self.error
        return self.result

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)

    def progress_text(self) -> str:
        last = self.last
        ago = f"started {time.monotonic() - self.started:.0f} s ago"
        if isinstance(last, (StepDone, EpochDone)):
            return f"{ago}, step {last.step:,} of {last.total_steps:,}"
        return ago


class TrainingSlot:
    """One training at a time per server; a second one is refused at once, with what is running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: Job | None = None

    def busy_message(self) -> str | None:
        job = self.current
        if job is None:
            return None
        return (f"Another training is running on this server ({job.description}, {job.progress_text()}). "
                "One training runs at a time; try again when it has finished.")

    def start(self, job: Job) -> None:
        if not self._lock.acquire(blocking=False):
            raise TrainingBusy(self.busy_message() or "Another training is running on this server.")
        self.current = job

        def release():
            self.current = None
            self._lock.release()

        try:
            job.start(on_end=release)
        except BaseException:
            release()
            raise


# --- the whole run: train, save, register, archive ---------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    trained: Trained
    spec: ModelSpec | None = None     # the new text-classification entry; None when stopped
    archive: Path | None = None       # the zip to download


def fine_tune_and_save(runner, train: LabeledData, validation: LabeledData, settings: TrainSettings,
                       store: FineTunedStore, manager, name: str, report: Callable[[Any], None],
                       stop: threading.Event, owner: str = "",
                       on_saved: Callable[[ModelSpec], None] = lambda spec: None) -> Outcome:
    """Train ``runner``'s base encoder; unless stopped, make room in the store (the least recently used models of
    ``manager`` go first), save the result as ``owner``'s, add it to the registry (then call ``on_saved``) and
    pack a zip of it. A stopped run saves nothing."""
    trained = runner.train(train, validation, settings, report, stop)
    if trained.stopped:
        return Outcome(trained)
    report(Saving())
    base = runner.spec
    evaluation = trained.evaluation
    info = {
        "created": utc_now(), "owner": owner, "made_by": display_owner(owner) if owner else "",
        "base_model": base.key, "base_checkpoint": base.checkpoint,
        "base_license": base.license, "languages": list(base.languages), "labels": trained.labels,
        "train_rows": len(train.texts), "validation_rows": len(validation.texts),
        "settings": {"epochs": settings.epochs, "learning_rate": settings.learning_rate,
                     "batch_size": settings.batch_size, "validation_share": settings.validation_share,
                     "max_length": settings.max_length, "seed": settings.seed},
        "evaluation": {"accuracy": evaluation.accuracy, "macro_f1": evaluation.macro_f1,
                       "confusion": evaluation.confusion},
        "seconds": round(trained.seconds, 1),
    }
    store.make_room(manager.registry, manager.last_used, forget=manager.evict)
    folder = store.save(trained, name, info)
    spec = store.register(folder, manager.registry)
    on_saved(spec)
    return Outcome(trained, spec, store.archive(folder, fresh_dir()))
