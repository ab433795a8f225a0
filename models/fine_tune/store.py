"""Fine-tuned models on disk: ``<data dir>/fine-tuned/<name>/``, in Hugging Face format, with ``training.json``.

Each saved folder becomes a text-classification registry entry of this server (also after a restart), and
can be handed out as a zip archive that ``from_pretrained`` reads once unpacked.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from models.registry import Registry, RegistryError
from models.spec import ModelSpec
from models.temp_dirs import fresh_temp_dir

log = logging.getLogger(__name__)

INFO_FILE = "training.json"
TASK = "text-classification"


def slug(text: str, fallback: str = "classifier", max_chars: int = 40) -> str:
    """A name safe for a folder and a registry key: lower-case letters, digits and dashes."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:max_chars].strip("-")
    return cleaned or fallback


class FineTunedStore:
    def __init__(self, data_dir: str | Path, max_saved: int = 20):
        self.root = Path(data_dir).expanduser().resolve() / "fine-tuned"
        self.max_saved = max_saved

    def saved(self) -> list[Path]:
        """The saved models' folders, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted((p for p in self.root.iterdir() if (p / INFO_FILE).is_file()),
                      key=lambda p: (p / INFO_FILE).stat().st_mtime)

    def is_full(self) -> bool:
        return len(self.saved()) >= self.max_saved

    def new_name(self, wanted: str, fallback: str) -> str:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        name = f"{slug(wanted, slug(fallback))}-ft-{stamp}"
        while (self.root / name).exists():
            name += "x"
        return name

    def save(self, trained, name: str, info: dict) -> Path:
        """Write the model, its tokenizer, a short model card and ``training.json`` (atomically: a half-written
        folder never shows)."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / name
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=self.root))
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
        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
        accuracy = info.get("evaluation", {}).get("accuracy")
        scored = f"; validation accuracy {accuracy:.0%}" if isinstance(accuracy, (int, float)) else ""
        return ModelSpec(
            key=f"{TASK}/{folder.name}", task=TASK, checkpoint=str(folder), runner="pipeline",
            params={"top_k": None}, license=info.get("base_license", "unknown"),
            languages=tuple(info.get("languages", ())),
            description=(f"Fine-tuned on this server from {info.get('base_model', '?')} on "
                         f"{info.get('train_rows', '?')} rows, labels {', '.join(info.get('labels', []))}{scored}."))

    def register(self, folder: Path, registry: Registry) -> ModelSpec:
        spec = self.spec_for(folder)
        registry.add_local_entry(spec, self.root)
        return spec

    def restore(self, registry: Registry) -> list[ModelSpec]:
        """Register every saved model not registered yet (at start); unreadable folders are logged, skipped."""
        added = []
        for folder in self.saved():
            if f"{TASK}/{folder.name}" in registry:
                continue
            try:
                added.append(self.register(folder, registry))
            except (OSError, ValueError, RegistryError) as exc:
                log.warning("skipping saved model %s: %s", folder, exc)
        return added

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
