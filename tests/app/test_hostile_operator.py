"""Operator mistakes stop the start with one clear line and exit status 2 (never a traceback, never a failure found
only when a user's request runs); and DEMO_GENERATED_DIR outside the temp folder is served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import app
from tests.conftest import ROOT
from tests.server import running_app

READ_ONLY = "/sys"  # writable by nobody, root included (tests here run as root, where chmod does not stop writes)


def start(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Start the app as an operator would; a check that does not fire lets it serve, and the timeout fails it. The
    timeout is an upper bound only: on a machine under heavy load (two CPU burners and three test runs at once) the
    imports alone took over a minute, and a 60 s bound failed a start that was right."""
    return subprocess.run([sys.executable, "app.py", "--profile", "tiny", "--demos", "qa,fine-tune", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DEMO_LOG_LEVEL": "WARNING", **(env or {})})


def assert_one_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr[-2000:]
    for text in expected:
        assert text in lines[0], lines[0]


def problem_at_start(argv: list[str]) -> str:
    """In this process, the checks ``app.main`` makes before anything loads (a subprocess per case would take
    ~7 s each for gradio's import; one case per kind of mistake goes through ``python app.py`` above)."""
    from models.registry import RegistryError

    args = app.parse_args(["--profile", "tiny", "--demos", "qa,fine-tune", *argv])
    try:
        return app.startup_problem(args) or app.make_manager(args) and ""
    except RegistryError as exc:
        return str(exc)


def test_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = start("--port", str(port), "--data-dir", str(tmp_path))
    assert_one_line(result, f"port {port} on 127.0.0.1 is already in use", "--port")


def test_a_bad_number_in_the_environment_is_one_line(tmp_path):
    assert_one_line(start("--data-dir", str(tmp_path), env={"DEMO_MAX_MODELS": "four"}),
                    "DEMO_MAX_MODELS='four' is not a whole number; use a whole number 1 or more")


@pytest.mark.parametrize("name, value, expected", [
    ("DEMO_PORT", "eighty", "DEMO_PORT='eighty' is not a whole number; use a whole number from 1 to 65535"),
    ("DEMO_PORT", "70000", "DEMO_PORT='70000' is out of range"),
    ("GRADIO_SERVER_PORT", "x", "GRADIO_SERVER_PORT='x' is not a whole number"),
    ("DEMO_MAX_MODELS", "0", "DEMO_MAX_MODELS='0' is out of range"),
    ("DEMO_MAX_TEXT_CHARS", "10k", "DEMO_MAX_TEXT_CHARS='10k' is not a whole number"),
    ("DEMO_FINETUNE_MAX_SAVED", "-1", "DEMO_FINETUNE_MAX_SAVED='-1' is out of range"),
    ("DEMO_RAY_DEPLOY_TIMEOUT", "soon", "DEMO_RAY_DEPLOY_TIMEOUT='soon' is not a number"),
    ("DEMO_LOG_LEVEL", "loud", "'LOUD' is not one of DEBUG, INFO"),
])
def test_bad_numbers_in_the_environment_are_refused_at_start(monkeypatch, capsys, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as info:
        app.parse_args([])
    lines = capsys.readouterr().err.strip().splitlines()
    assert info.value.code == 2 and len(lines) == 1 and expected in lines[0]


def test_bad_audit_log_is_one_line(tmp_path):
    assert_one_line(start("--data-dir", str(tmp_path / "data"), "--audit-log", str(tmp_path)),
                    f"--audit-log [DEMO_AUDIT_LOG] {tmp_path} is a folder; give a file name")


@pytest.mark.parametrize("where", [READ_ONLY + "/demo-audit.log", "{tmp}/a-file/audit.log"])
def test_an_audit_log_that_cannot_be_written_is_refused_at_start(tmp_path, where):
    (tmp_path / "a-file").write_text("not a folder")
    problem = problem_at_start(["--data-dir", str(tmp_path / "data"), "--audit-log", where.format(tmp=tmp_path)])
    assert problem.startswith("--audit-log") and "cannot be written to" in problem


def test_bad_data_dir_is_one_line_at_start(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    assert_one_line(start("--data-dir", str(tmp_path / "a-file")), "--data-dir", "is not a folder")


def test_a_read_only_data_dir_is_refused_at_start():
    problem = problem_at_start(["--data-dir", READ_ONLY + "/demo-data"])
    assert problem.startswith("--data-dir") and "cannot be written to" in problem


MODEL = 'key = "text-classification/mine"\ntask = "text-classification"\nrunner = "pipeline"\n'


def test_a_models_file_that_is_a_folder_is_one_line(tmp_path):
    assert_one_line(start("--data-dir", str(tmp_path / "data"), "--models-file", str(tmp_path)),
                    f"models file {tmp_path} is a folder; give the path of a TOML file")


@pytest.mark.parametrize("content, expected", [
    ('[[model]]\nkey = "text-classification/caf\xe9"\n'.encode("latin-1"), "is not UTF-8 text"),
    ("[[model]]\nkey = 5\n", "key must be a string, not int"),
    (f'[[model]]\n{MODEL}checkpoint = "a/b"\ntiny = {{builder = "bert", layers = 2}}\n', "tiny must be a table with"),
    (f'[[model]]\n{MODEL}checkpoint = "a/b"\n[[model]]\n{MODEL}checkpoint = "c/d"\n', "the key appears twice"),
    (f'[[model]]\n{MODEL}checkpoint = "a/b"\nparams = "top_k=3"\n', "params must be a table"),
    (f'[[model]]\n{MODEL}checkpoint = "/srv/no-such-folder"\n', "'/srv/no-such-folder' is a path but not an existing"),
    (f'[[model]]\n{MODEL}checkpoint = "a/b"\nscaling = {{replicas = "two"}}\n', "scaling replicas must be numbers"),
])
def test_bad_models_files_are_refused_at_start(tmp_path, content, expected):
    path = tmp_path / "models.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    problem = problem_at_start(["--data-dir", str(tmp_path / "data"), "--models-file", str(path)])
    assert problem.startswith(f"models file {path}") and expected in problem and "\n" not in problem


def test_generated_dir_outside_the_temp_folder_is_served():
    """gradio serves files only from the temp folder, the working folder and launch's allowed_paths: images saved to
    a DEMO_GENERATED_DIR elsewhere failed after the model ran."""
    from gradio_client import Client
    from PIL import Image

    folder = Path("/var/tmp") / f"demo-generated-{uuid.uuid4().hex[:8]}"
    assert not folder.resolve().is_relative_to(Path(ROOT).resolve())
    try:
        with running_app("--demos", "image-generation", "--device", "cpu",
                         env={"DEMO_GENERATED_DIR": str(folder), "OMP_NUM_THREADS": "1"}) as url:
            gallery, seed, status = Client(url, verbose=False).predict(
                "a fox", "", "text-to-image/sd-turbo", 1, 0.0, 7, False, 64, 64, 1, api_name="/generate_images")
        image = gallery[0]["image"]
        with Image.open(image["path"] if isinstance(image, dict) else image) as png:
            assert png.size == (64, 64)
        assert [p.suffix for p in folder.iterdir()] == [".png"]
    finally:
        for leftover in folder.glob("*"):
            leftover.unlink()
        if folder.exists():
            folder.rmdir()


def test_generated_dir_that_would_serve_everything_is_one_line(tmp_path):
    assert_one_line(start("--data-dir", str(tmp_path), env={"DEMO_GENERATED_DIR": "/"}),
                    "DEMO_GENERATED_DIR /", "would let browsers download every file in it")


@pytest.mark.parametrize("where", ["~", ROOT, "{tmp}/a-file"])
def test_generated_dir_must_be_a_writable_folder_of_its_own(tmp_path, monkeypatch, where):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("DEMO_GENERATED_DIR", str(where).format(tmp=tmp_path))
    problem = problem_at_start(["--data-dir", str(tmp_path)])
    assert problem.startswith("DEMO_GENERATED_DIR") and ("download every file" in problem or "not a folder" in problem)
