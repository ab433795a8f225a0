""""Show the code": the short, plain-library script that reproduces what a tab just did.

Each runner kind writes its own script (``code_snippet(spec, settings, use)`` at the end of its module in
``models/families/runners/``), so a runner and its snippet change together. ``render`` picks the runner's template and
gives it how the task runs on that kind (``models.registry.tasks.Use``: its mode, its prompt), so a template, like
its runner, names no task.
The scripts use transformers / diffusers / timm (and soundfile / soxr for audio) only, never this project's
packages, and begin with the one ``pip install`` line they need.

``settings`` holds the tab's current inputs, by task:
- text-classification, token-classification: ``text``
- question-answering: ``context``, ``question``
- summarization: ``text`` and the generation settings (``max_new_tokens``, ``min_new_tokens``, ``num_beams``,
  ``temperature``)
- translation: ``text``, ``source`` (None: detect), ``target``
- chat: ``messages`` (system prompt first), ``temperature``, ``top_p``, ``max_new_tokens``
- image-classification: ``image`` (a file name), ``top_k``; object-detection: ``image``, ``threshold``, ``labels``
- text-to-image: ``prompt``, ``negative_prompt``, ``steps``, ``guidance``, ``width``, ``height``, ``num_images``,
  ``seed``
- automatic-speech-recognition: ``audio`` (a file name), ``language`` (None: detect), ``task``, ``timestamps``
- text-to-speech: ``text``, ``speed``, ``seed``, ``voice``

User text only ever enters a script through ``repr()`` (``literal``), so nothing a user types can become code.

A template mirrors its runner's behaviour, so each runner module records the fingerprint of the code it
mirrors (``SNIPPET_REVIEWED``: path -> ``behaviour_fingerprint``); tests/models/test_code_snippets.py fails when a
runner changes and its snippet was not reviewed again.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
from pathlib import Path
from typing import Any

from models.families import kind
from models.registry.spec import ModelSpec
from models.registry.tasks import TASKS_WITHOUT_SNIPPETS, use_of  # noqa: F401 (tabs without a script)

ROOT = Path(__file__).resolve().parents[1]
SNIPPET_NAMES = ("code_snippet", "SNIPPET_REVIEWED")  # left out of a runner's fingerprint

DEVICE_LINES = '''\
device = "cuda" if torch.cuda.is_available() else "cpu"
dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if device == "cuda" else torch.float32'''



def cpu_int8_lines(model: str) -> str:
    """What the app does to text encoders on CPU (--cpu-int8, its default), as an opt-in for the reader: the
    script itself stays fp32 so that it gives the library's reference result."""
    return (f"# On CPU the app runs this encoder with int8 weights (2-3x faster; probabilities within a few\n"
            f"# hundredths of fp32). To do the same, uncomment:\n"
            f"# if device == \"cpu\":\n"
            f"#     torch.ao.quantization.quantize_dynamic({model}, {{torch.nn.Linear}}, dtype=torch.qint8, "
            f"inplace=True)")


MAX_IMAGE_SIDE = 2048  # demos.ui.vision_common.ImageLimits' default: larger photos are shrunk before the model


def image_lines(settings: dict[str, Any]) -> str:
    """Open the user's image as the vision tabs do: upright (EXIF), RGB, at most MAX_IMAGE_SIDE pixels."""
    return (f"IMAGE = {literal(settings.get('image') or 'photo.jpg')}  # your image file\n"
            "image = ImageOps.exif_transpose(Image.open(IMAGE)).convert(\"RGB\")\n"
            f"image.thumbnail(({MAX_IMAGE_SIDE}, {MAX_IMAGE_SIDE}), Image.Resampling.LANCZOS)  "
            "# the demo shrinks larger photos first")


def render(spec: ModelSpec, settings: dict[str, Any]) -> str:
    """The script for an entry and the tab's current settings."""
    use = use_of(spec)
    if not use.snippet:
        raise ValueError(f"{spec.key}: its tab has no script (models.registry.tasks.TASKS_WITHOUT_SNIPPETS)")
    # the task's own template ("module:function", in its folder) where its script is not its kind's
    target = use.snippet if isinstance(use.snippet, str) else kind(spec.runner).runner.partition(":")[0] + ":"
    module_name, _, function = target.partition(":")
    template = getattr(importlib.import_module(module_name), function or "code_snippet")
    return template(spec, settings, use).strip() + "\n"


def literal(value: Any) -> str:
    """A Python literal for a value (strings, numbers, lists, dicts, None): ``repr``, so user text stays data."""
    return repr(value)


def text_literal(settings: dict[str, Any], name: str) -> str:
    """The literal of a text setting; a missing or empty field becomes ``''``."""
    value = settings.get(name)
    return literal(value if isinstance(value, str) else "")


def call(head: str, args: list[str], indent: str = "", width: int = 110) -> str:
    """``head(arg, arg, ...)`` as source, wrapped at ``width`` with continuation lines under the first argument."""
    first = current = f"{indent}{head}("
    lines = []
    for i, arg in enumerate(args):
        piece = arg + (", " if i < len(args) - 1 else ")")
        if current != first and len(current) + len(piece.rstrip()) > width:
            lines.append(current.rstrip())
            current = " " * len(first)
        current += piece
    return "\n".join(lines + [current])


def sentence_lines(language: str) -> str:
    """A script's sentence splitter, ``sentences_of(line)``: sentencex in the language the demo splits in (the
    demo also glues back the few continuations sentencex cuts, ``models.text.text_split._continues``)."""
    return f'''def sentences_of(line):  # sentencex knows each language's abbreviations ("Dr.", "z. B.", "3.5", ...)
    return [s.strip() for s in segment({literal(language)}, line) if s.strip()]
'''


def header(pip: str, spec: ModelSpec, what: str) -> str:
    """The first lines every snippet shares: the pip line, what it does, and the checkpoint."""
    pip += " gguf" if spec.gguf_file else ""  # transformers reads GGUF files through it
    lines = [f"# pip install {pip}",
             f"# {what} with {spec.checkpoint} (license: {spec.license}), as in the demo."]
    return "\n".join(lines)


def checkpoint_lines(spec: ModelSpec) -> str:
    lines = f"CHECKPOINT = {literal(spec.checkpoint)}\nREVISION = {literal(spec.revision)}"
    if spec.gguf_file:
        lines += f"\nGGUF_FILE = {literal(spec.gguf_file)}  # a llama.cpp file in CHECKPOINT, dequantized on load"
    return lines


def load_kwargs(spec: ModelSpec) -> str:
    """The keyword arguments a script passes to from_pretrained: the revision, and the GGUF file if any."""
    return "revision=REVISION" + (", gguf_file=GGUF_FILE" if spec.gguf_file else "")


def merged(spec: ModelSpec, settings: dict[str, Any]) -> dict[str, Any]:
    """The entry's defaults overridden by the tab's settings (settings that are None are left out)."""
    return {**spec.params, **{k: v for k, v in settings.items() if v is not None}}


# --- keeping snippets in step with runners -----------------------------------------------------------

def behaviour_fingerprint(path: str | Path) -> str:
    """A short hash of a module's code: its syntax tree without docstrings, comments, formatting and the
    snippet itself (``code_snippet`` and ``SNIPPET_REVIEWED``), so only a change of what the code does counts."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    tree.body = [node for node in tree.body if not _is_snippet_part(node)]
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()[:16]


def _is_snippet_part(node: ast.stmt) -> bool:
    if isinstance(node, ast.FunctionDef):
        return node.name in SNIPPET_NAMES or node.name.startswith("_snippet")
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id in SNIPPET_NAMES for t in node.targets)
    if isinstance(node, ast.ImportFrom):
        return node.module == "models.code_snippets"
    return False
