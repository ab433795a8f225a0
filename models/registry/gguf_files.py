"""GGUF checkpoints (llama.cpp files) as registry entries: what transformers can load, checked up front.

transformers reads a ``.gguf`` file with ``from_pretrained(folder_or_repo, gguf_file=name)`` (the ``gguf``
package parses it) and dequantizes the weights to float on load: the model then runs as any transformers
model, at float size in memory. It supports a fixed list of architectures and the quantizations that
``gguf`` can dequantize; ``check_gguf`` refuses anything else with a message that names both lists, before
a load starts. Only the operator's registry names a GGUF file (``ModelSpec.gguf_file``), never a request.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from models.families import KINDS

# runner kinds that load a causal LM through from_pretrained(gguf_file=...)
GGUF_RUNNERS = frozenset(name for name, kind in KINDS.items() if kind.gguf)
# llama.cpp names a few architectures differently from transformers (transformers' own loader renames them)
ARCHITECTURE_ALIASES = {"qwen2moe": "qwen2_moe", "qwen3moe": "qwen3_moe", "gpt-oss": "gpt_oss",
                        "minimax-m2": "minimax_m2", "t5encoder": "t5"}


class GGUFError(ValueError):
    """A GGUF file that this app cannot serve."""


def supported_architectures() -> list[str]:
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    return sorted(a for a in GGUF_SUPPORTED_ARCHITECTURES if a not in ("general", "tokenizer"))


def supported_quantizations() -> list[str]:
    """The tensor types ``gguf`` dequantizes (F32 and F16 plain, the rest through its quantization classes)."""
    import gguf
    from gguf import GGMLQuantizationType as Q

    traits = getattr(gguf.quants, "_type_traits", None)
    if traits is None:  # a future gguf that hides the table: name every type rather than refuse good files
        return [q.name for q in Q]
    return [q.name for q in Q if q in (Q.F32, Q.F16) or q in traits]


def check_name(name: str) -> None:
    """A GGUF file is named by its file name inside the checkpoint folder or repository, nothing else."""
    if not name.endswith(".gguf") or "/" in name or "\\" in name or name.startswith("."):
        raise GGUFError(f"gguf_file must be a file name ending in .gguf inside the checkpoint folder, not {name!r}")


# GGUF metadata value types -> struct format of one value (8 is a string, 9 an array)
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


def read_header(path: str | Path) -> tuple[str, list[str]]:
    """(general.architecture, the tensor types) from a GGUF file's header, without reading the weights.

    A small reader of the GGUF layout (magic, version, counts, key/value metadata, tensor infos), because
    gguf's GGUFReader parses every metadata array into Python objects (~40 s for a 49k-token vocabulary on
    two cores) and the registry checks files as it starts."""
    from gguf import GGMLQuantizationType

    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise ValueError("no GGUF magic number")
        version, tensors, fields = struct.unpack("<IQQ", f.read(20))
        if version not in (2, 3):
            raise ValueError(f"GGUF version {version} (2 and 3 are read)")
        architecture = None
        for _ in range(fields):
            key = _string(f)
            (kind,) = struct.unpack("<I", f.read(4))
            if key == "general.architecture" and kind == _STRING:
                architecture = _string(f)
            else:
                _skip(f, kind)
        types = set()
        for _ in range(tensors):
            _string(f)
            (dims,) = struct.unpack("<I", f.read(4))
            f.seek(8 * dims, 1)
            kind, _offset = struct.unpack("<IQ", f.read(12))
            types.add(GGMLQuantizationType(kind).name)
    if architecture is None:
        raise ValueError("no general.architecture")
    return architecture, sorted(types)


def _string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", f.read(8))
    return f.read(length).decode("utf-8", "replace")


def _skip(f: BinaryIO, kind: int) -> None:
    if kind in _SCALARS:
        f.seek(struct.calcsize(_SCALARS[kind]), 1)
    elif kind == _STRING:
        (length,) = struct.unpack("<Q", f.read(8))
        f.seek(length, 1)
    elif kind == _ARRAY:
        item, count = struct.unpack("<IQ", f.read(12))
        if item in _SCALARS:
            f.seek(struct.calcsize(_SCALARS[item]) * count, 1)
        else:
            for _ in range(count):
                _skip(f, item)
    else:
        raise ValueError(f"unknown GGUF value type {kind}")


def check_gguf(path: str | Path) -> tuple[str, list[str]]:
    """(architecture, tensor types) of the GGUF file at ``path``, or a GGUFError naming what is supported."""
    path = Path(path)
    try:
        import gguf  # noqa: F401  (transformers loads GGUF files through it)
    except ImportError:
        raise GGUFError("GGUF checkpoints need the gguf package: pip install gguf") from None
    if not path.is_file():
        raise GGUFError(f"GGUF file {path.name} is not in the checkpoint folder")
    try:
        architecture, types = read_header(path)
    except (ValueError, OSError, struct.error, UnicodeDecodeError) as exc:
        raise GGUFError(f"{path.name} is not a readable GGUF file ({exc})") from None
    architectures = supported_architectures()
    if ARCHITECTURE_ALIASES.get(architecture, architecture) not in architectures:
        raise GGUFError(f"{path.name}: transformers cannot load GGUF architecture {architecture!r}; "
                        f"supported: {', '.join(architectures)}")
    quantizations = supported_quantizations()
    unsupported = [t for t in types if t not in quantizations]
    if unsupported:
        raise GGUFError(f"{path.name}: transformers cannot dequantize {', '.join(unsupported)}; "
                        f"supported quantizations: {', '.join(quantizations)}")
    return architecture, types
