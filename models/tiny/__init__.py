"""Tiny twins: random-weight models of each entry's architecture, built locally, for offline runs.

A twin has the same config class (model_type) and tokenizer/processor class as the real checkpoint
and is saved with ``save_pretrained``, so the app loads it through the very code path the real
model takes. Outputs are meaningless; every code path is real.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import shutil
import tempfile
import threading
from pathlib import Path

from models.spec import ModelSpec

# builder name -> "module:function"; a function takes (spec, options, out_dir) and saves a model there
BUILDERS = {
    "encoder": "models.tiny.encoders:build_encoder",
    "bart": "models.tiny.generation:build_bart",
    "marian": "models.tiny.generation:build_marian",
    "m2m100": "models.tiny.generation:build_m2m100",
    "chat": "models.tiny.generation:build_chat",
    "vit": "models.tiny.vision:build_vit",
    "timm": "models.tiny.vision:build_timm",
    "detr": "models.tiny.vision:build_detr",
    "rt-detr-v2": "models.tiny.vision:build_rt_detr_v2",
    "stable-diffusion": "models.tiny.vision:build_stable_diffusion",
    "whisper": "models.tiny.speech:build_whisper",
    "moonshine": "models.tiny.speech:build_moonshine",
    "vits": "models.tiny.speech:build_vits",
    "bark": "models.tiny.speech:build_bark",
    "attention-encoder": "models.tiny.explain:build_attention_encoder",
    "rebel": "models.tiny.explain:build_rebel",
}

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
            module_name, _, func_name = BUILDERS[spec.tiny.builder].partition(":")
            build = getattr(importlib.import_module(module_name), func_name)
            build(spec, dict(spec.tiny.options), staging)
            try:
                staging.rename(target)
            except OSError:  # another process finished the same twin first
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target
