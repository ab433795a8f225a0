"""Where an entry's files come from in each profile: the hub, a local folder, or its tiny twin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.registry.spec import ModelSpec


@dataclass(frozen=True)
class ModelSource:
    path: str                 # hub id or local folder, as from_pretrained takes it
    revision: str | None      # None for local folders
    gguf_file: str | None = None  # a GGUF file in that folder or repository, loaded instead of safetensors

    def pretrained_kwargs(self) -> dict:
        kwargs = {"revision": self.revision} if self.revision else {}
        if self.gguf_file:
            kwargs["gguf_file"] = self.gguf_file
        return kwargs


def is_local(checkpoint: str) -> bool:
    return Path(checkpoint).expanduser().is_dir()


def resolve_source(spec: ModelSpec, profile: str) -> ModelSource:
    if is_local(spec.checkpoint):
        return ModelSource(str(Path(spec.checkpoint).expanduser()), None, spec.gguf_file or None)
    if profile == "tiny":
        if spec.tiny is None:
            raise FileNotFoundError(f"{spec.key} has no tiny twin recipe, so the tiny profile cannot run it")
        from models.families.twins import ensure_twin

        return ModelSource(str(ensure_twin(spec)), None)
    return ModelSource(spec.checkpoint, spec.revision, spec.gguf_file or None)
