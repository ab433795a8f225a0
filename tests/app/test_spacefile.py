"""The Spacefile (a Spacefile-based host's manifest, v0) is valid YAML and starts this app truthfully."""

from __future__ import annotations

import re
import shlex
from unittest import mock

import yaml

import app
from models.registry.tasks import NAMES
from tests.conftest import ROOT

SPACEFILE = ROOT / "Spacefile"
PYTHON_ENGINES = {"python3.8", "python3.9"}  # the manifest's built-in Python engines


def spacefile() -> dict:
    return yaml.safe_load(SPACEFILE.read_text(encoding="utf-8"))


def test_spacefile_is_a_v0_manifest_with_one_primary_micro():
    config = spacefile()
    assert config["v"] == 0
    assert len(config["app_name"]) <= 12
    (micro,) = config["micros"]
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", micro["name"])
    assert micro["src"] == "./" and micro["primary"] is True


def test_the_micro_runs_app_py_with_python_311_or_newer_on_the_hosts_port():
    (micro,) = spacefile()["micros"]
    # the built-in Python engines are too old for this app (3.11+): a custom engine builds its own venv
    assert micro["engine"] not in PYTHON_ENGINES
    assert micro["engine"] == "custom"
    commands = " ; ".join(micro["commands"])
    assert "(3, 11)" in commands and "python3 -m venv .venv" in commands
    assert "pip install -r requirements.txt" in commands
    run = shlex.split(micro["run"])
    assert run[:2] == ["sh", "-c"]
    started = shlex.split(run[2])
    assert started[:3] == ["exec", ".venv/bin/python", "app.py"]
    assert started[started.index("--port") + 1] == "$PORT" and "0.0.0.0" in started
    for path in micro["include"]:
        assert path == ".venv/" or (ROOT / path).exists(), path


def test_every_preset_default_is_accepted_by_the_app():
    (micro,) = spacefile()["micros"]
    env = {item["name"]: item["default"] for item in micro["presets"]["env"]}
    assert "DEMO_PROFILE" in env
    with mock.patch.dict("os.environ", env):
        args = app.parse_args(["--port", "8080"])
    assert args.profile == env["DEMO_PROFILE"]
    assert env["DEMO_DEMOS"] == "" and args.demos == NAMES  # every tab, in the task table's order
