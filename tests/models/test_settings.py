"""One settings object: made from the command line and the environment in one place (``models.settings`` reads every
DEMO_ variable, ``app.parse_args`` puts the flags on top) and handed down; no other module reads a DEMO_ variable."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import gradio as gr
import pytest

import app
from models.registry.tasks import NAMES
from models import settings as settings_module
from models.settings import Settings, environment_problem, tiny_cache
from tests.conftest import ROOT

SETTINGS_FILE = ROOT / "models" / "settings.py"


def sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "demos").rglob("*.py")), *sorted((ROOT / "models").rglob("*.py"))]


def environment_reads(tree: ast.AST):
    """(line, key) of every ``os.environ.get(key)``, ``os.environ[key]``, ``os.getenv(key)`` and ``environ.get(key)``
    in a module; key is the string read, or None when it is computed."""
    def is_environ(node) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or \
            (isinstance(node, ast.Name) and node.id == "environ")

    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and (
                (node.func.attr in ("get", "setdefault", "pop") and is_environ(node.func.value))
                or node.func.attr == "getenv"):
            key = node.args[0]
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            key = node.slice
        else:
            continue
        yield node.lineno, key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def test_no_module_but_the_settings_reads_a_demo_variable():
    offences = []
    for path in sources():
        if path == SETTINGS_FILE:
            continue
        for line, key in environment_reads(ast.parse(path.read_text(encoding="utf-8"))):
            if key is None or key.startswith("DEMO_"):  # a computed name could be a DEMO_ one
                offences.append(f"{path.relative_to(ROOT)}:{line} reads {key or 'a computed name'}")
    assert offences == []


def test_the_scan_finds_what_it_looks_for():
    tree = ast.parse('import os\nfrom os import environ\nos.environ.get("DEMO_A", 1)\nos.environ["DEMO_B"]\n'
                     'os.getenv("DEMO_C")\nenviron.get(PREFIX + name)\nos.environ.get("HOME")\n')
    assert [key for _, key in environment_reads(tree)] == ["DEMO_A", "DEMO_B", "DEMO_C", None, "HOME"]
    assert len(list(environment_reads(ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))))) >= 3


def test_every_numeric_variable_is_checked_at_start_and_every_check_is_read():
    """A DEMO_ number read without a check would be a traceback (or a failure on first use) on a typo."""
    text = SETTINGS_FILE.read_text(encoding="utf-8")
    read = set(re.findall(r"""\.(?:whole|number)\(\s*["']([A-Z0-9_]+)["']""", text))
    assert {"MAX_TEXT_CHARS", "FINETUNE_MAX_SAVED", "PORT", "RAY_DEPLOY_TIMEOUT", "MEMORY_BUDGET_GB"} <= read
    assert read == set(settings_module.NUMERIC)


def test_the_flags_defaults_are_the_settings_defaults():
    """One set of defaults: the command line with no flag and no variable gives ``Settings()`` (its tabs named)."""
    from models.runtime.ray_config import ScalingOverride

    assert app.parse_args([], environ={}) == dataclasses.replace(Settings(), demos=tuple(NAMES),
                                                                  ray_scaling=ScalingOverride())
    assert Settings.from_environment({}) == Settings()


def test_every_variable_reaches_its_setting_and_flags_win():
    environ = {"DEMO_MAX_TEXT_CHARS": "50", "DEMO_MAX_CONTEXT_CHARS": "60", "DEMO_MAX_QUESTION_CHARS": "7",
               "DEMO_MAX_IMAGE_PIXELS": "1000", "DEMO_MAX_IMAGE_SIDE": "64", "DEMO_MAX_IMAGE_MB": "2",
               "DEMO_MAX_AUDIO_SECONDS": "9", "DEMO_MAX_TTS_CHARS": "11", "DEMO_FINETUNE_MAX_SAVED": "3",
               "DEMO_FINETUNE_MAX_PER_USER": "2", "DEMO_FINETUNE_MAX_MINUTES": "4", "DEMO_FINETUNE_MAX_MB": "5",
               "DEMO_FINETUNE_MAX_ROWS": "600", "DEMO_GENERATED_DIR": "/srv/images", "DEMO_AUDIT_SALT": "pepper",
               "DEMO_RAY_DEPLOY_TIMEOUT": "30.5", "DEMO_CPU_INT8": "off", "DEMO_MAX_QUEUE": "12",
               "GRADIO_SERVER_PORT": "9000", "DEMO_DATA_DIR": "/srv/data"}
    settings = app.parse_args(["--max-queue", "13"], environ=environ)
    assert (settings.text.max_text_chars, settings.text.max_context_chars, settings.text.max_question_chars) == \
        (50, 60, 7)
    assert (settings.image.max_pixels, settings.image.max_side, settings.image.max_bytes) == (1000, 64, 2 * 1024**2)
    assert (settings.speech.max_audio_seconds, settings.speech.max_tts_chars) == (9, 11)
    limits = settings.fine_tune
    assert (limits.max_saved, limits.max_per_user, limits.max_minutes, limits.data.max_mb, limits.data.max_rows) == \
        (3, 2, 4, 5, 600)
    assert (settings.generated_dir, settings.audit_salt, settings.ray_deploy_timeout) == ("/srv/images", "pepper", 30.5)
    assert (settings.cpu_int8, settings.port, settings.data_dir, settings.max_queue) == (False, 9000, "/srv/data", 13)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # handed down, never changed on the way


def test_a_bad_variable_without_a_flag_is_refused_with_its_name():
    assert environment_problem({"DEMO_MAX_IMAGE_SIDE": "big"}) == \
        "DEMO_MAX_IMAGE_SIDE='big' is not a whole number; use a whole number 1 or more"
    assert environment_problem({"DEMO_RAY_DEPLOY_TIMEOUT": "inf"}).endswith("is out of range; use a number 1 or more")
    with pytest.raises(SystemExit):
        app.parse_args([], environ={"DEMO_FINETUNE_MAX_ROWS": "0"})


def test_a_limit_from_the_environment_reaches_the_tab(tiny_manager, monkeypatch):
    """DEMO_MAX_TEXT_CHARS=50: the text tab of the app built from it refuses 60 characters (and takes 40)."""
    monkeypatch.setenv("DEMO_MAX_TEXT_CHARS", "50")
    blocks = app.build_app(app.parse_args(["--profile", "tiny", "--demos", "text-classification"]), tiny_manager)
    classify = next(fn.fn for fn in blocks.fns.values() if fn.api_name == "classify_text")
    with pytest.raises(gr.Error, match="60 characters long; the limit is 50"):
        classify("a" * 59 + "!", "text-classification/distilbert-sst2")
    labels, status = classify("good " * 8, "text-classification/distilbert-sst2")
    assert labels and "distilbert" in status
    boxes = [b for b in blocks.blocks.values() if isinstance(b, gr.Textbox) and b.max_length]
    assert [box.max_length for box in boxes] == [50]  # the browser stops typing there too


def test_the_ray_deploy_timeout_reaches_the_manager(tmp_path):
    settings = app.parse_args(["--backend", "ray", "--data-dir", str(tmp_path)],
                              environ={"DEMO_RAY_DEPLOY_TIMEOUT": "30"})
    manager = app.make_manager(settings)
    assert type(manager).__name__ == "RayModelManager" and manager.deploy_timeout == 30.0


def test_the_tiny_cache_is_read_in_the_settings_module(monkeypatch, tmp_path):
    from models.families.twins import cache_root

    assert tiny_cache({"DEMO_TINY_CACHE": "~/twins"}) == Path.home() / "twins"
    assert tiny_cache({}) == Path.home() / ".cache" / "demo-suite" / "tiny"
    monkeypatch.setenv("DEMO_TINY_CACHE", str(tmp_path))  # as tests/conftest.py and the benchmarks set it
    assert cache_root() == tmp_path
