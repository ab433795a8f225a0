"""Runner kinds are registered once (models/families/__init__.py), and a kind knows no task: which kinds serve a task, and
how, is the task's table (models/registry/tasks.py). Plain data and source scans: no model is loaded here."""

import ast
import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest

from models.families import BUILDERS, KINDS, runner_class, twin_builder
from models.runtime.ray_config import plan
from models.registry import Registry, RegistryError
from models.registry.spec import ModelSpec, TinyRecipe
from models.registry.tasks import TASK_KINDS, TASKS_WITHOUT_SNIPPETS, runner_spec, use_of

from tests.conftest import ROOT  # noqa: E402
TASKS = set(TASK_KINDS)


def test_every_kind_has_a_runner_twin_builders_and_a_whole_ray_default():
    for name, kind in KINDS.items():
        assert callable(runner_class(name)), name
        assert kind.twins, f"{name} lists no tiny-twin builder"
        for builder in kind.twins:
            assert callable(twin_builder(builder)), (name, builder)
        missing = [field for field in ("replicas", "num_gpus", "num_cpus", "max_batch_size")
                   if getattr(kind.scaling, field) is None]
        assert not missing, f"{name}'s Ray default leaves {missing} open"


def test_a_twin_builder_name_is_one_function_in_every_kind():
    for kind in KINDS.values():
        for builder, target in kind.twins.items():
            assert BUILDERS[builder] == target, builder


def test_every_entry_resolves_through_the_one_table(registry):
    for spec in registry:
        kind = KINDS[spec.runner]
        assert spec.tiny.builder in kind.twins, spec.key
        assert use_of(spec) is TASK_KINDS[spec.task][spec.runner]
        entry_own = {name: value for name, value in dataclasses.asdict(spec.scaling).items() if value is not None}
        deployment = plan(spec)
        assert deployment.max_batch_size == entry_own.get("max_batch_size", kind.scaling.max_batch_size), spec.key
        assert deployment.num_gpus == entry_own.get("num_gpus", kind.scaling.num_gpus), spec.key


def test_the_task_table_names_only_registered_kinds_and_every_registry_task(registry):
    for task, uses in TASK_KINDS.items():
        assert uses and set(uses) <= set(KINDS), task
    assert set(registry.tasks()) <= TASKS
    assert TASKS_WITHOUT_SNIPPETS == {"knowledge-graph", "fine-tune"}


@pytest.mark.parametrize("runner, builder, message", [
    ("chat", "chat", "runner 'chat' does not serve task 'text-classification'; it runs on pipeline"),
    ("pipeline", "chat", "tiny builder 'chat' is not one the pipeline runner uses: encoder"),
])
def test_an_entry_on_a_kind_that_does_not_serve_its_task_is_refused(runner, builder, message):
    spec = ModelSpec(key="text-classification/x", task="text-classification", checkpoint="a/b", runner=runner,
                     tiny=TinyRecipe(builder, {}))
    with pytest.raises(RegistryError, match=message):
        Registry([spec])


def test_an_operators_entry_gets_its_tasks_settings_under_its_own(tmp_path, registry):
    models = tmp_path / "models.toml"
    models.write_text('[[model]]\nkey = "token-classification/mine"\ntask = "token-classification"\n'
                      'checkpoint = "org/mine"\nrunner = "pipeline"\nparams = {stride = 16}\n', encoding="utf-8")
    spec = registry.with_models_file(models).get("token-classification/mine")
    assert "mode" not in spec.params  # the registry keeps the operator's data as written
    given = runner_spec(spec).params
    assert given == {"mode": "entities", "pipeline_task": "token-classification", "stride": 16}
    own = dataclasses.replace(spec, params={"mode": "labels"})
    assert runner_spec(own).params["mode"] == "labels"  # an entry's own parameter wins


def test_a_pipeline_runner_not_told_its_mode_says_so_before_loading(registry):
    from models.runtime.device import Placement
    from models.families.runners.pipeline import PipelineRunner
    from models.registry.sources import ModelSource

    spec = registry.get("text-classification/distilbert-sst2")
    with pytest.raises(ValueError, match="needs a pipeline_task and a mode, one of labels, entities"):
        PipelineRunner(spec, ModelSource("/nowhere", None), Placement("cpu", "float32"))


def test_a_fresh_encoder_twin_has_the_head_its_kind_and_mode_load(registry, tmp_path):
    """The encoder builder serves three kinds; it is given the entry as the runner is, and picks the head by
    (kind, mode). Built here into an empty folder: the shared twin cache would hide the builder."""
    from models.families.twins import ensure_twin

    heads = {"text-classification/distilbert-sst2": "ForSequenceClassification",
             "token-classification/bert-base-ner": "ForTokenClassification",
             "question-answering/distilbert-squad": "ForQuestionAnswering",
             "fine-tune/distilbert-base-uncased": "ForMaskedLM"}
    for key, head in heads.items():
        config = json.loads((ensure_twin(registry.get(key), tmp_path) / "config.json").read_text())
        assert config["architectures"][0].endswith(head), key


# --- a family knows no task; a task asks a capability, not a kind ---------------------------------------------

def family_modules() -> list[Path]:
    runners = {importlib.util.find_spec(kind.runner.partition(":")[0]).origin for kind in KINDS.values()}
    twins = {importlib.util.find_spec(target.partition(":")[0]).origin for target in BUILDERS.values()}
    return sorted({Path(path) for path in runners | twins} | set((ROOT / "models" / "families" / "runners").glob("*.py")))


def task_checks(path: Path) -> list[str]:
    """Where a module's code tests a task: reads ``.task`` (runners), compares with a task name, or imports the
    task layer."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr == "task" and path.parent.name == "runners":
            found.append(f"line {node.lineno}: reads .task")
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            named = [o.value for o in operands if isinstance(o, ast.Constant) and o.value in TASKS]
            if named:
                found.append(f"line {node.lineno}: compares with {named}")
        if isinstance(node, ast.Dict):
            named = [k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in TASKS - set(KINDS)]
            if named:
                found.append(f"line {node.lineno}: a table keyed by {named}")
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module.startswith("demos") or node.module in ("models.text.generation_tasks",
                                                                    "demos.knowledge_graph.logic", "models.registry.tasks")):
            found.append(f"line {node.lineno}: imports {node.module}")
    return found


def test_no_runner_or_twin_builder_tests_a_task():
    modules = family_modules()
    assert ROOT / "models" / "families" / "runners" / "chat.py" in modules and ROOT / "models" / "families" / "twins" / "encoders.py" in modules
    found = {str(path.relative_to(ROOT)): task_checks(path) for path in modules}
    assert not {path: lines for path, lines in found.items() if lines}


def kind_checks(path: Path) -> list[str]:
    """Where task code compares a ``.kind`` or ``.runner`` with a kind's name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Constant) and o.value in KINDS for o in operands) and any(
                    isinstance(o, ast.Attribute) and o.attr in ("kind", "runner") for o in operands):
                found.append(f"line {node.lineno}")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr" and any(
                isinstance(a, ast.Constant) and a.value == "kind" for a in node.args):
            found.append(f"line {node.lineno}: getattr(..., 'kind')")
    return found


def test_task_code_asks_a_capability_not_a_kind():
    modules = [ROOT / "models" / "text" / "generation_tasks.py", ROOT / "demos" / "knowledge_graph" / "logic.py",
               *sorted((ROOT / "demos").glob("*.py"))]
    found = {str(path.relative_to(ROOT)): kind_checks(path) for path in modules}
    assert not {path: lines for path, lines in found.items() if lines}
