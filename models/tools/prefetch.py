"""Download checkpoints into the Hugging Face cache ahead of time (containers, offline machines).

After ``python -m models download``, ``HF_HUB_OFFLINE=1 python app.py`` starts and loads the
downloaded models without network. huggingface_hub's ``snapshot_download`` does the work (resumable,
a progress bar per file, the normal cache layout that ``from_pretrained`` reads).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from models.registry import Registry
from models.registry.spec import ModelSpec
from models.registry.tasks import NAMES, task_named, unknown_names


@dataclass(frozen=True)
class Download:
    checkpoint: str
    revision: str
    path: str | None = None   # where it landed in the cache
    error: str | None = None  # what went wrong, in words


def select(registry: Registry, tabs: Iterable[str] | None = None, everything: bool = False) -> list[ModelSpec]:
    """The entries to fetch: every entry with ``everything``, else each selected tab's default; one per
    (checkpoint, revision), local folders (an operator's models file) left out."""
    if everything:
        specs = list(registry)
    else:
        unknown = unknown_names(tabs or [])
        if unknown:
            raise ValueError(f"unknown tab(s) {unknown}; choose from {', '.join(NAMES)}")
        rows = [task_named(tab) for tab in (tabs or NAMES)]
        specs = [registry.default_for(row.task) for row in rows if registry.for_task(row.task)]
    unique = {}
    for spec in specs:
        if not Path(spec.checkpoint).expanduser().is_dir():
            unique.setdefault((spec.checkpoint, spec.revision), spec)
    return list(unique.values())


def _hub_snapshot(repo_id: str, revision: str) -> str:
    from huggingface_hub import snapshot_download

    return snapshot_download(repo_id=repo_id, revision=revision)


def explain(exc: Exception) -> str:
    """A download failure in words a user can act on."""
    name = type(exc).__name__
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "HF_HUB_OFFLINE is set: unset it to download (and set it again afterwards to run offline)"
    if name in ("RepositoryNotFoundError", "GatedRepoError"):
        return f"the hub refused it ({name}): check the id, or log in (`hf auth login`) if the model is gated"
    if name == "RevisionNotFoundError":
        return "the pinned revision does not exist on the hub"
    if isinstance(exc, (OSError, ConnectionError)) or name in ("LocalEntryNotFoundError", "HfHubHTTPError",
                                                              "OfflineModeIsEnabled"):
        return f"no connection to the Hugging Face Hub ({name}: {str(exc)[:200]}); check the network or " \
               "HF_ENDPOINT and try again"
    return f"{name}: {str(exc)[:300]}"


def download_all(specs: list[ModelSpec], downloader: Callable[[str, str], str] | None = None,
                 echo: Callable[[str], None] = print) -> list[Download]:
    """Fetches each entry's checkpoint (huggingface_hub shows a progress bar per file); one failure does not
    stop the others."""
    downloader = downloader or _hub_snapshot
    results = []
    for number, spec in enumerate(specs, 1):
        echo(f"[{number}/{len(specs)}] {spec.checkpoint} ({spec.revision})")
        try:
            results.append(Download(spec.checkpoint, spec.revision, path=str(downloader(spec.checkpoint,
                                                                                         spec.revision))))
        except Exception as exc:  # noqa: BLE001 - reported per checkpoint, then summarised
            results.append(Download(spec.checkpoint, spec.revision, error=explain(exc)))
            echo(f"    failed: {results[-1].error}")
    failed = [r for r in results if r.error]
    echo(f"{len(results) - len(failed)} of {len(results)} checkpoints are in the Hugging Face cache"
         + (f"; failed: {', '.join(r.checkpoint for r in failed)}" if failed else "."))
    return results
