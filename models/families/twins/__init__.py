"""Tiny twins: random-weight models of each entry's architecture, built locally, for offline runs.

A twin has the same config class (model_type) and tokenizer/processor class as the real checkpoint
and is saved with ``save_pretrained``, so the app loads it through the very code path the real
model takes. Outputs are meaningless; every code path is real. Builders are registered with the runner kind
that uses them (``models.families``); an entry names one in ``tiny.builder``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
import threading
from pathlib import Path

from models.families import twin_builder
from models.registry.spec import ModelSpec

FORMAT_VERSION = 1  # bump when builders change what they write
_build_lock = threading.Lock()


def real_size(spec: ModelSpec) -> ModelSpec:
    """The same entry with a twin of the real checkpoint's size (random weights): for benchmarks and GPU
    checks, where speed and memory matter. Builders that know the option honour it."""
    return dataclasses.replace(spec, tiny=dataclasses.replace(spec.tiny, options={**spec.tiny.options,
                                                                                  "scale": "real"}))


def cache_root() -> Path:
    """Where twins are built unless told otherwise: DEMO_TINY_CACHE (read by ``models.settings``)."""
    from models.settings import tiny_cache

    return tiny_cache()


def twin_dir(spec: ModelSpec, root: Path | None = None) -> Path:
    recipe = json.dumps([FORMAT_VERSION, spec.task, spec.tiny.builder, dict(spec.tiny.options)],
                        sort_keys=True, default=list)
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:12]
    return (root or cache_root()) / f"{spec.key.replace('/', '--')}-{digest}"


def ensure_twin(spec: ModelSpec, root: Path | None = None) -> Path:
    """The twin's folder, built first if it is not cached yet (atomically: a half-built twin never shows)."""
    from models.registry.tasks import runner_spec

    if spec.tiny is None:
        raise ValueError(f"{spec.key} has no tiny recipe")
    target = twin_dir(spec, root)
    if (target / "config.json").exists() or (target / "model_index.json").exists():
        return target
    with _build_lock:
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
        try:
            # a builder is given the entry as its runner is (its task's mode among the parameters)
            twin_builder(spec.tiny.builder)(runner_spec(spec), dict(spec.tiny.options), staging)
            try:
                staging.rename(target)
            except OSError:  # another process finished the same twin first
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target
