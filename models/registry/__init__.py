"""The registry: every model the app may load, as data.

Built from the built-in catalog plus, optionally, an operator's models file (TOML). Nothing a
request sends can add to it: the app only ever loads keys that are listed here.
"""

from __future__ import annotations

import dataclasses
import threading
import tomllib
from pathlib import Path
from typing import Any, Iterable, Iterator

from models.registry.catalog import builtin_entries
from models.registry.spec import KEY_PATTERN, ModelSpec, Scaling, TinyRecipe


class RegistryError(ValueError):
    """A registry entry or models file is malformed."""


class UnknownModelError(KeyError):
    """A key that is not in the registry was asked for."""

    def __str__(self) -> str:  # KeyError quotes its argument; say it plainly instead
        return str(self.args[0]) if self.args else "unknown model"


class Registry:
    """An ordered collection of ``ModelSpec``; the first entry of a task is its default. Fixed once built,
    except for ``add_local_entry``: models made on this server (fine-tuned) join it while it serves."""

    def __init__(self, specs: Iterable[ModelSpec]):
        self._specs: dict[str, ModelSpec] = {}
        self._adding = threading.Lock()
        for spec in specs:
            validate_spec(spec)
            if spec.key in self._specs:
                raise RegistryError(f"duplicate registry key {spec.key!r}")
            self._specs[spec.key] = spec

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, key: object) -> bool:
        return key in self._specs

    def get(self, key: str) -> ModelSpec:
        try:
            return self._specs[key]
        except KeyError:
            raise UnknownModelError(f"unknown model {key!r}") from None

    def keys(self) -> list[str]:
        return list(self._specs)

    def tasks(self) -> list[str]:
        return list(dict.fromkeys(spec.task for spec in self))

    def for_task(self, task: str) -> list[ModelSpec]:
        return [spec for spec in self if spec.task == task]

    def default_for(self, task: str) -> ModelSpec:
        specs = self.for_task(task)
        if not specs:
            raise UnknownModelError(f"no model registered for task {task!r}")
        return specs[0]

    def add_local_entry(self, spec: ModelSpec, root: str | Path) -> None:
        """Add an entry while the app serves, for a model this server made (a fine-tuned classifier).

        Its checkpoint must be an existing folder inside ``root``, a folder the server owns: no request can
        name another path. Readers never see a half-added entry (the table is replaced, not changed)."""
        validate_spec(spec)
        folder, owned = Path(spec.checkpoint).resolve(), Path(root).resolve()
        if not folder.is_dir() or not folder.is_relative_to(owned) or folder == owned:
            raise RegistryError(f"run-time entry {spec.key!r}: its checkpoint must be a folder inside {owned}")
        with self._adding:
            if spec.key in self._specs:
                raise RegistryError(f"duplicate registry key {spec.key!r}")
            self._specs = {**self._specs, spec.key: spec}

    def remove_local_entry(self, key: str, root: str | Path) -> None:
        """Take out an entry ``add_local_entry`` added (a deleted fine-tuned model); other entries stay."""
        with self._adding:
            spec = self._specs.get(key)
            if spec is None or not Path(spec.checkpoint).resolve().is_relative_to(Path(root).resolve()):
                raise RegistryError(f"{key!r} is not a run-time entry inside {Path(root).resolve()}")
            self._specs = {k: v for k, v in self._specs.items() if k != key}

    def with_models_file(self, path: str | Path) -> "Registry":
        """A new registry with the entries of an operator's TOML models file added or overridden."""
        return Registry(merge_entries(list(self), read_models_file(path)))


def validate_spec(spec: ModelSpec) -> None:
    from models.families import KINDS  # plain data; importing it loads no model code
    from models.registry.tasks import use_problem

    problems = []
    if not KEY_PATTERN.match(spec.key):
        problems.append("key must look like '<task>/<short-name>' (letters, digits, '.', '_', '-')")
    elif spec.key.split("/", 1)[0] != spec.task:
        problems.append(f"key must start with its task {spec.task!r}")
    if not spec.checkpoint.strip():
        problems.append("checkpoint is empty")
    if spec.runner not in KINDS:
        problems.append(f"runner {spec.runner!r} is not one of {sorted(KINDS)}")
    else:
        unserved = use_problem(spec.task, spec.runner)
        if unserved:
            problems.append(unserved)
        twins = KINDS[spec.runner].twins
        if isinstance(spec.tiny, TinyRecipe) and spec.tiny.builder not in twins:
            problems.append(f"tiny builder {spec.tiny.builder!r} is not one the {spec.runner} runner uses: "
                            f"{', '.join(sorted(twins))}")
    if not spec.revision:
        problems.append("revision is empty (use 'main' when no commit is confirmed)")
    if spec.tiny is not None and not isinstance(spec.tiny, TinyRecipe):
        problems.append("tiny must be a TinyRecipe")
    if spec.gguf_file:
        problems += gguf_problems(spec)
    if problems:
        raise RegistryError(f"registry entry {spec.key!r}: " + "; ".join(problems))


def gguf_problems(spec: ModelSpec) -> list[str]:
    """What stops an entry's GGUF file from loading; a local file is read (its header only) right away."""
    from models.registry.gguf_files import GGUF_RUNNERS, GGUFError, check_gguf, check_name
    from models.registry.sources import is_local

    if spec.runner not in GGUF_RUNNERS:
        return [f"gguf_file works with the {', '.join(sorted(GGUF_RUNNERS))} runner(s), not {spec.runner!r}"]
    try:
        check_name(spec.gguf_file)
        if is_local(spec.checkpoint):
            check_gguf(Path(spec.checkpoint).expanduser() / spec.gguf_file)
    except GGUFError as exc:
        return [str(exc)]
    return []


# --- the operator's models file --------------------------------------------------------------

_SPEC_FIELDS = {f.name for f in dataclasses.fields(ModelSpec)}


def read_models_file(path: str | Path) -> list[dict[str, Any]]:
    """Read ``[[model]]`` tables from a TOML file.

    Example::

        [[model]]                       # add an entry
        key = "text-classification/my-reviews"
        task = "text-classification"
        checkpoint = "/srv/models/my-reviews"     # a local folder or a hub id
        runner = "pipeline"
        license = "proprietary"

        [[model]]                       # override fields of a built-in entry
        key = "question-answering/distilbert-squad"
        revision = "564e9b582944a57a3e586bbb98fd6f0a4118db7f"

        [[model]]                       # a llama.cpp GGUF file (dequantized on load by transformers)
        key = "chat/smollm2-135m-q4"
        task = "chat"
        checkpoint = "/srv/models/smollm2"        # the folder that holds the file (or a hub repo id)
        gguf_file = "SmolLM2-135M-Instruct.Q4_1.gguf"
        runner = "chat"

        [[model]]                       # on a Ray cluster: 2-8 replicas, half a GPU each
        key = "text-classification/distilbert-sst2"
        scaling = {replicas = 2, max_replicas = 8, num_gpus = 0.5}
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"models file {path} does not exist") from None
    except IsADirectoryError:
        raise RegistryError(f"models file {path} is a folder; give the path of a TOML file") from None
    except UnicodeDecodeError:
        raise RegistryError(f"models file {path} is not UTF-8 text; save it as UTF-8 TOML") from None
    except OSError as exc:
        raise RegistryError(f"models file {path} cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"models file {path} is not valid TOML: {exc}") from None
    tables = data.get("model", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise RegistryError(f"models file {path}: expected [[model]] tables")
    seen = set()
    for table in tables:
        where = f"models file {path}, entry {str(table.get('key', '?'))[:80]!r}"
        unknown = set(table) - _SPEC_FIELDS
        if unknown:
            raise RegistryError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_SPEC_FIELDS)}")
        if "key" not in table:
            raise RegistryError(f"models file {path}: every [[model]] needs a key")
        problem = _table_problem(table)
        if problem:
            raise RegistryError(f"{where}: {problem}")
        if table["key"] in seen:
            raise RegistryError(f"{where}: the key appears twice; give each entry once")
        seen.add(table["key"])
    return tables


_TEXT_FIELDS = ("key", "task", "checkpoint", "runner", "revision", "license", "size", "description")
_TINY_FIELDS = {f.name for f in dataclasses.fields(TinyRecipe)}
_SCALING_FIELDS = {f.name for f in dataclasses.fields(Scaling)}


def _table_problem(table: dict[str, Any]) -> str | None:
    """What is wrong with one [[model]] table's values, or None: each field must have its type, and a
    checkpoint that is a path must be an existing folder (found now, not on first use)."""
    for name in _TEXT_FIELDS:
        if name in table and not isinstance(table[name], str):
            return f"{name} must be a string, not {type(table[name]).__name__}"
    if "params" in table and not isinstance(table["params"], dict):
        return "params must be a table, e.g. params = {top_k = 3}"
    languages = table.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        return 'languages must be a list of strings, e.g. ["en", "zh"]'
    tiny = table.get("tiny")
    if tiny is not None:
        if not isinstance(tiny, dict) or "builder" not in tiny or set(tiny) - _TINY_FIELDS:
            return f"tiny must be a table with builder (and options); allowed fields: {sorted(_TINY_FIELDS)}"
        if not isinstance(tiny["builder"], str) or not isinstance(tiny.get("options", {}), dict):
            return "tiny.builder must be a string and tiny.options a table"
    scaling = table.get("scaling")
    if scaling is not None:
        if not isinstance(scaling, dict):
            return f"scaling must be a table; allowed fields: {sorted(_SCALING_FIELDS)}"
        if set(scaling) - _SCALING_FIELDS:
            return (f"scaling takes only {', '.join(sorted(_SCALING_FIELDS))}; "
                    f"not {', '.join(sorted(set(scaling) - _SCALING_FIELDS))}")
        wrong = [name for name, value in scaling.items()
                 if isinstance(value, bool) or not isinstance(value, (int, float))]
        if wrong:
            return f"scaling {', '.join(wrong)} must be numbers"
    checkpoint = table.get("checkpoint")
    if checkpoint is not None and looks_like_path(checkpoint) and not Path(checkpoint).expanduser().is_dir():
        return f"checkpoint {checkpoint!r} is a path but not an existing folder"
    return None


def looks_like_path(checkpoint: str) -> bool:
    """A local folder rather than a hub id ('name' or 'owner/name'): absolute, relative with ./ or ../, ~, or
    with more than one '/'."""
    return (checkpoint.startswith(("/", "./", "../", "~", "\\")) or checkpoint.count("/") > 1
            or "\\" in checkpoint or checkpoint in (".", ".."))


def merge_entries(specs: list[ModelSpec], tables: list[dict[str, Any]]) -> list[ModelSpec]:
    by_key = {spec.key: spec for spec in specs}
    for table in tables:
        fields = dict(table)
        if isinstance(fields.get("languages"), list):
            fields["languages"] = tuple(fields["languages"])
        if isinstance(fields.get("tiny"), dict):
            fields["tiny"] = TinyRecipe(**fields["tiny"])
        key = fields["key"]
        if isinstance(fields.get("scaling"), dict):  # [model.scaling]: over the entry's own settings
            base = by_key[key].scaling if key in by_key else Scaling()
            try:
                fields["scaling"] = dataclasses.replace(base, **fields["scaling"])
            except TypeError:
                allowed = [f.name for f in dataclasses.fields(Scaling)]
                raise RegistryError(f"{key!r}: scaling takes only {allowed}") from None
        if key in by_key:
            by_key[key] = dataclasses.replace(by_key[key], **fields)
        else:
            missing = {"task", "checkpoint", "runner"} - set(fields)
            if missing:
                raise RegistryError(f"new entry {key!r} needs {sorted(missing)}")
            by_key[key] = ModelSpec(**fields)
    return list(by_key.values())


def builtin_registry() -> Registry:
    return Registry(builtin_entries())
