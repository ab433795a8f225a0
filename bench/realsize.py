"""Real-size random-weight models built locally (no download), for benchmarks and GPU checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from models.registry import builtin_registry
from models.registry.spec import ModelSpec, TinyRecipe
from models.families.twins import ensure_twin


def bert_base_classifier() -> tuple[ModelSpec, Path]:
    """The default sentiment entry, with a bert-base-sized (110M) random-weight twin."""
    spec = builtin_registry().default_for("text-classification")
    spec = dataclasses.replace(spec, tiny=TinyRecipe("encoder", {**spec.tiny.options, "model_type": "bert",
                                                                  "scale": "real"}))
    return spec, ensure_twin(spec)


def models_file_pointing(spec: ModelSpec, folder: Path, path: Path) -> Path:
    """A models file that points a registry entry at a local folder."""
    path.write_text(f'[[model]]\nkey = "{spec.key}"\ncheckpoint = "{folder}"\n')
    return path
