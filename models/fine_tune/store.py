"""Fine-tuned models on disk: ``<data dir>/fine-tuned/<name>/``, in Hugging Face format, with ``training.json``.

Each saved folder becomes a text-classification registry entry of this server (also after a restart), and
can be handed out as a zip archive that ``from_pretrained`` reads once unpacked.

Who made a model is kept in its ``training.json`` (``owner``: the access layer's name for the user, ``user:NAME``
or a hashed client address; ``made_by``: the name shown to everyone). Each owner keeps at most ``max_per_user``
models and can delete them; the server keeps at most ``max_saved`` in all, and makes room by removing the
least recently used ones (the time a model was last used, else the time it was saved).

A model is written into a hidden staging folder (``.<name>.<random>``) and renamed into place once complete;
staging folders are never registered, and those a crash left behind are removed at start.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import tempfile
import threading
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable

from models.registry import Registry, RegistryError
from models.registry.spec import ModelSpec
from models.runtime.temp_dirs import fresh_temp_dir

log = logging.getLogger(__name__)

INFO_FILE = "training.json"
TASK = "text-classification"
STAGING_PREFIX = "."  # staging folders are hidden: ".<name>.<random>"


class StoreFull(RuntimeError):
    """The user already keeps as many fine-tuned models as they may."""


class NotYours(LookupError):
    """No saved model of that name belongs to the user."""


def slug(text: str, fallback: str = "classifier", max_chars: int = 40) -> str:
    """A name safe for a folder and a registry key: lower-case letters, digits and dashes."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:max_chars].strip("-")
    return cleaned or fallback


def display_owner(owner: str) -> str:
    """The name shown for an owner: the login name, or 'guest-xxxx' for an address (never the address)."""
    kind, _, value = owner.partition(":")
    if kind in ("user", "hf") and value:
        return value.removeprefix("hf:")
    return f"guest-{value[:4]}" if value else "unknown"


def read_info(folder: Path) -> dict:
    """A saved model's ``training.json``, checked: ValueError when it is not what this store writes."""
    info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    if not isinstance(info, dict):
        raise ValueError(f"{INFO_FILE} is not a JSON object")
    labels = info.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValueError(f"{INFO_FILE}: labels must be a list of strings")
    if not isinstance(info.get("evaluation", {}), dict):
        raise ValueError(f"{INFO_FILE}: evaluation must be an object")
    languages = info.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        raise ValueError(f"{INFO_FILE}: languages must be a list of strings")
    for name in ("owner", "made_by", "base_model", "base_license", "created"):
        if not isinstance(info.get(name, ""), str):
            raise ValueError(f"{INFO_FILE}: {name} must be a string")
    return info


class FineTunedStore:
    def __init__(self, data_dir: str | Path, max_saved: int = 20, max_per_user: int = 5):
        self.root = Path(data_dir).expanduser().resolve() / "fine-tuned"
        self.max_saved = max_saved
        self.max_per_user = max_per_user
        self._changing = threading.Lock()  # one save, delete or eviction at a time

    # --- what is saved -------------------------------------------------------------------------------

    def saved(self) -> list[Path]:
        """The saved models' folders, oldest first (staging folders are never among them)."""
        if not self.root.is_dir():
            return []
        return sorted((p for p in self.root.iterdir()
                       if not p.name.startswith(STAGING_PREFIX) and (p / INFO_FILE).is_file()),
                      key=lambda p: (p / INFO_FILE).stat().st_mtime)

    def owned_by(self, owner: str) -> list[Path]:
        """The folders of the models ``owner`` made, oldest first (unreadable ones left out)."""
        mine = []
        for folder in self.saved():
            try:
                if read_info(folder).get("owner") == owner:
                    mine.append(folder)
            except (OSError, ValueError):
                continue
        return mine

    def quota_message(self, owner: str) -> str | None:
        """Why ``owner`` may not save another model, or None."""
        count = len(self.owned_by(owner))
        if count >= self.max_per_user:
            return (f"You already keep {count} fine-tuned models, the most one user may keep on this server. "
                    "Delete one under 'Your models' below, then train again.")
        return None

    def new_name(self, wanted: str, labels: Iterable[str], base_name: str) -> str:
        """A folder name from the user's wish, else from the labels and the base model, plus a short random
        suffix (so two runs never collide and names say what the model does)."""
        if slug(wanted, ""):
            stem = slug(wanted)
        else:
            stem = f"{slug('-'.join(islice(labels, 4)), 'labels', 30)}-{slug(base_name, 'model', 24)}"
        while True:
            name = f"{stem}-{secrets.token_hex(2)}"
            if not (self.root / name).exists():
                return name

    # --- start -------------------------------------------------------------------------------------

    def clean_staging(self) -> list[Path]:
        """Remove staging folders a crash left behind (at start, before anything is saved)."""
        if not self.root.is_dir():
            return []
        removed = []
        for folder in self.root.iterdir():
            if folder.name.startswith(STAGING_PREFIX) and folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
                log.warning("removed %s, a fine-tuned model whose save did not finish", folder)
                removed.append(folder)
        return removed

    def restore(self, registry: Registry) -> list[ModelSpec]:
        """At start: remove unfinished saves, then register every saved model not registered yet; a folder that
        cannot be read is skipped with a warning."""
        self.clean_staging()
        added = []
        for folder in self.saved():
            if f"{TASK}/{folder.name}" in registry:
                continue
            try:
                added.append(self.register(folder, registry))
            except (OSError, ValueError, RegistryError) as exc:  # ValueError: also a corrupt training.json
                log.warning("skipping saved model %s: %s", folder, exc)
        return added

    # --- save, register, remove ------------------------------------------------------------------

    def save(self, trained, name: str, info: dict) -> Path:
        """Write the model, its tokenizer, a short model card and ``training.json`` (atomically: a half-written
        folder never shows)."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / name
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{name}.", dir=self.root))
        try:
            trained.model.save_pretrained(staging)
            trained.tokenizer.save_pretrained(staging)
            (staging / "README.md").write_text(model_card(name, info), encoding="utf-8")
            (staging / INFO_FILE).write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def spec_for(self, folder: Path) -> ModelSpec:
        info = read_info(folder)
        accuracy = info.get("evaluation", {}).get("accuracy")
        scored = f"; validation accuracy {accuracy:.0%}" if isinstance(accuracy, (int, float)) else ""
        made_by = f"by {info['made_by']} " if info.get("made_by") else ""
        return ModelSpec(
            key=f"{TASK}/{folder.name}", task=TASK, checkpoint=str(folder), runner="pipeline",
            params={"top_k": None}, license=info.get("base_license", "unknown"),
            languages=tuple(info.get("languages", ())),
            description=(f"Fine-tuned {made_by}on this server from {info.get('base_model', '?')} on "
                         f"{info.get('train_rows', '?')} rows, labels {', '.join(info.get('labels', []))}{scored}."))

    def register(self, folder: Path, registry: Registry) -> ModelSpec:
        spec = self.spec_for(folder)
        registry.add_local_entry(spec, self.root)
        return spec

    def remove(self, folder: Path, registry: Registry, forget: Callable[[str], None] = lambda key: None) -> str:
        """Take a saved model out of the registry (``forget(key)`` unloads it), then off the disk."""
        key = f"{TASK}/{folder.name}"
        registry.remove_local_entry(key, self.root)
        forget(key)
        shutil.rmtree(folder, ignore_errors=True)
        log.info("removed fine-tuned model %s", key)
        return key

    def delete(self, name: str, owner: str, registry: Registry,
               forget: Callable[[str], None] = lambda key: None) -> str:
        """Delete the model ``name`` if ``owner`` made it; NotYours otherwise (also for names that do not exist)."""
        with self._changing:
            folder = next((f for f in self.owned_by(owner) if f.name == name), None)
            if folder is None:
                raise NotYours(name)
            return self.remove(folder, registry, forget)

    def make_room(self, registry: Registry, last_used: Callable[[str], float | None],
                  forget: Callable[[str], None] = lambda key: None) -> list[str]:
        """Below ``max_saved``: remove the least recently used saved models (last use, else save time) until one
        more fits. Returns the keys removed."""
        with self._changing:
            saved = self.saved()
            excess = len(saved) - self.max_saved + 1
            if excess <= 0:
                return []

            def idle_since(folder: Path) -> float:
                used = last_used(f"{TASK}/{folder.name}")
                saved_at = (folder / INFO_FILE).stat().st_mtime
                return max(saved_at, used) if used is not None else saved_at

            return [self.remove(folder, registry, forget) for folder in sorted(saved, key=idle_since)[:excess]]

    @staticmethod
    def archive(folder: Path, out_dir: Path) -> Path:
        """``<name>.zip`` in ``out_dir``, holding the folder ``<name>/`` (unzip, then from_pretrained it)."""
        base = out_dir / folder.name
        return Path(shutil.make_archive(str(base), "zip", root_dir=folder.parent, base_dir=folder.name))


def model_card(name: str, info: dict) -> str:
    evaluation = info.get("evaluation") or {}
    lines = [f"# {name}", "",
             f"A text classifier fine-tuned from `{info.get('base_checkpoint', '?')}` with the Transformer demo "
             f"suite, saved {info.get('created', '')}.", "",
             f"- Labels: {', '.join(info.get('labels', []))}",
             f"- Training rows: {info.get('train_rows')}, validation rows: {info.get('validation_rows')}",
             f"- Settings: {json.dumps(info.get('settings', {}))}"]
    if evaluation:
        lines.append(f"- Validation accuracy {evaluation.get('accuracy', 0):.3f}, "
                     f"macro-F1 {evaluation.get('macro_f1', 0):.3f}")
    lines += ["", "```python", "from transformers import pipeline", "",
              f'classify = pipeline("text-classification", model="{name}")  # the unzipped folder',
              'print(classify("your text here", top_k=None))', "```", "",
              f"License: that of the base model ({info.get('base_license', 'unknown')}) and of the training data.",
              ""]
    return "\n".join(lines)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fresh_dir(prefix: str = "demo-fine-tune-", max_age_s: float = 3600) -> Path:
    """A new folder under the system temp dir for one download; those older than ``max_age_s`` are removed."""
    return fresh_temp_dir(prefix, max_age_s)
