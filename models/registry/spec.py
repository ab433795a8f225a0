"""What a registry entry is: plain, frozen data that names a checkpoint and how to run it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

KEY_PATTERN = re.compile(r"^[a-z0-9-]+/[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class TinyRecipe:
    """How to build an entry's tiny offline twin.

    builder: a twin builder its runner kind lists (``models.families``: ``Kind.twins``).
    options: family-specific settings (model_type, labels, casing, ...).
    """

    builder: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scaling:
    """How an entry scales out when a Ray cluster serves it (``--backend ray``); the local backend ignores it.

    A field left None takes the default of the entry's runner kind (``models.families``: ``Kind.scaling``).
    replicas:       replicas of the model (the lower bound when ``max_replicas`` is larger).
    max_replicas:   above ``replicas``, Serve autoscales between the two on the requests in flight.
    num_gpus:       GPUs (or a fraction of one) per replica, on a cluster that has GPUs.
    num_cpus:       CPUs per replica (a fraction is fine for small models).
    max_batch_size: the most requests one replica runs as one batch (``@serve.batch``).
    batch_wait_ms:  how long a replica waits for a batch to fill before it runs what it has.
    """

    replicas: int | None = None
    max_replicas: int | None = None
    num_gpus: float | None = None
    num_cpus: float | None = None
    max_batch_size: int | None = None
    batch_wait_ms: float | None = None


@dataclass(frozen=True)
class ModelSpec:
    """One model the app can serve.

    key:        "<task>/<short-name>", unique; shown in the tab's model dropdown.
    task:       which demo uses it (a transformers task name where one exists).
    checkpoint: a Hugging Face Hub id, or a local folder (operator's models file only).
    revision:   a commit hash where it was confirmed, else "main".
    runner:     a runner kind, a name in ``models.families.KINDS``: how it loads and runs (it must serve the
                task: ``models.registry.tasks``).
    params:     the runner's defaults (thresholds, window sizes, ...).
    tiny:       recipe for the offline twin used by the ``tiny`` profile and the tests.
    scaling:    replicas, GPUs and batch size on a Ray cluster (``Scaling``; defaults by runner kind).
    gguf_file:  a llama.cpp GGUF file inside the checkpoint folder or repository, loaded (dequantized) by
                transformers instead of its safetensors; chat-family runners only (``models.registry.gguf_files``).
    """

    key: str
    task: str
    checkpoint: str
    runner: str
    revision: str = "main"
    params: Mapping[str, Any] = field(default_factory=dict)
    tiny: TinyRecipe | None = None
    license: str = "unknown"
    languages: tuple[str, ...] = ()
    size: str = ""
    description: str = ""
    scaling: Scaling = field(default_factory=Scaling)
    gguf_file: str = ""

    @property
    def name(self) -> str:
        return self.key.split("/", 1)[1]

    def card(self) -> str:
        """A one-line model card for the UI."""
        parts = [f"`{self.checkpoint}`" + (f" ({self.gguf_file})" if self.gguf_file else "")]
        if self.size:
            parts.append(self.size)
        parts.append(f"license {self.license}")
        if self.languages:
            parts.append("languages " + ", ".join(self.languages))
        line = " · ".join(parts)
        return f"{line} — {self.description}" if self.description else line
