import os
import subprocess
import sys

import pytest

import app
from models.registry.tasks import NAMES
from tests.conftest import ROOT


def test_help_documents_every_option():
    result = subprocess.run([sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0
    for option in ("--profile", "--demos", "--host", "--port", "--share", "--preload", "--device",
                   "--max-models", "--models-file", "--gpu-concurrency", "--max-batch-size", "--max-queue",
                   "--compile", "--max-sessions", "--cpu-int8", "DEMO_PROFILE", "DEMO_MAX_MODELS"):
        assert option in result.stdout


def test_defaults():
    args = app.parse_args([])
    assert args.max_sessions == 500  # gradio's 10,000 sessions x ~0.4 MB each grew memory by gigabytes
    assert (args.profile, args.port, args.device, args.share, args.preload) == ("default", 7860, "auto", False, False)
    assert args.demos == NAMES  # every row of the task table, in its order


def test_environment_variables_set_the_same_options(monkeypatch):
    for name, value in {"PROFILE": "tiny", "DEMOS": "qa, ner", "PORT": "9000", "SHARE": "true",
                        "PRELOAD": "1", "DEVICE": "cpu", "MAX_MODELS": "2", "HOST": "0.0.0.0"}.items():
        monkeypatch.setenv("DEMO_" + name, value)
    args = app.parse_args([])
    assert (args.profile, args.demos, args.port, args.share, args.preload, args.device, args.max_models, args.host) == \
        ("tiny", ("qa", "ner"), 9000, True, True, "cpu", 2, "0.0.0.0")
    assert app.parse_args(["--port", "9001"]).port == 9001  # flags win over the environment


@pytest.mark.parametrize("argv", [["--profile", "huge"], ["--demos", "chess"], ["--device", "gpu"],
                                  ["--max-models", "0"], ["--demos", ","]])
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as info:
        app.parse_args(argv)
    assert info.value.code == 2


def test_serving_options_reach_the_manager_and_the_queue(monkeypatch):
    monkeypatch.setenv("DEMO_GPU_CONCURRENCY", "2")
    args = app.parse_args(["--profile", "tiny", "--max-batch-size", "8", "--max-queue", "50"])
    blocks = app.build_app(args)
    assert blocks.manager.gate.slots == 2 and blocks.manager.max_batch_size == 8
    assert blocks._queue.max_size == 50
    assert blocks.manager._cpu_int8  # on by default; only a CPU placement acts on it
    model_fns = [fn for fn in blocks.fns.values() if fn.api_name in ("classify_text", "answer_question")]
    # two batches per gate slot: 2 x 2 x 8
    assert model_fns and all(fn.concurrency_id == "models" and fn.concurrency_limit == 32 for fn in model_fns)


def test_cpu_int8_is_on_by_default_and_can_be_turned_off(monkeypatch):
    assert app.parse_args([]).cpu_int8 is True
    assert app.parse_args(["--no-cpu-int8"]).cpu_int8 is False
    monkeypatch.setenv("DEMO_CPU_INT8", "off")
    assert app.parse_args([]).cpu_int8 is False


def test_bad_models_file_stops_the_start_with_a_message(tmp_path):
    bad = tmp_path / "models.toml"
    bad.write_text("[[model]]\nkey='text-classification/x'\n")
    result = subprocess.run([sys.executable, "app.py", "--models-file", str(bad)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2 and "needs" in result.stderr


def test_building_the_app_imports_no_model_library():
    """Fast start: torch, transformers and friends load with the first model, not with the UI."""
    code = ("import sys, app; blocks = app.build_app(app.parse_args(['--profile', 'tiny'])); "
            "heavy = [m for m in ('torch', 'transformers', 'diffusers', 'timm') if m in sys.modules]; "
            "print(len(blocks.fns), heavy)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ})
    assert result.returncode == 0, result.stderr
    count, heavy = result.stdout.strip().split(" ", 1)
    assert heavy == "[]" and int(count) >= 3


def test_subset_of_tabs(tiny_manager):
    blocks = app.build_app(app.parse_args(["--profile", "tiny", "--demos", "qa"]), tiny_manager)
    names = {fn.api_name for fn in blocks.fns.values()}
    assert "answer_question" in names and "classify_text" not in names


def test_the_memory_budget_is_a_size_with_a_default_from_the_machine(monkeypatch):
    from models.runtime.memory import RAM_SHARE, machine_ram

    args = app.parse_args(["--device", "cpu"])
    assert args.memory_budget_gb is None and args.max_models is None  # no count limit unless asked for
    manager = app.make_manager(args)
    assert manager.max_models is None and manager.memory_budget == int(RAM_SHARE * machine_ram())
    assert app.make_manager(app.parse_args(["--memory-budget-gb", "2.5"])).memory_budget == 2_500_000_000
    monkeypatch.setenv("DEMO_MEMORY_BUDGET_GB", "0.5")
    monkeypatch.setenv("DEMO_MAX_MODELS", "3")
    args = app.parse_args([])
    assert (args.memory_budget_gb, args.max_models) == (0.5, 3)


@pytest.mark.parametrize("argv, env", [(["--memory-budget-gb", "0"], {}), (["--memory-budget-gb", "lots"], {}),
                                       (["--memory-budget-gb", "nan"], {}), ([], {"DEMO_MEMORY_BUDGET_GB": "-1"}),
                                       ([], {"DEMO_MEMORY_BUDGET_GB": "8GB"})])
def test_bad_memory_budgets_are_refused_in_one_line(argv, env, monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as info:
        app.parse_args(argv)
    lines = capsys.readouterr().err.strip().splitlines()
    assert info.value.code == 2 and len(lines) == 1 and "memory-budget-gb" in lines[0].lower().replace("_", "-")
