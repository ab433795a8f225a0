"""The Ray backend's plain parts, which need no Ray: deployment plans, the config writer, the command line."""

import dataclasses
import subprocess
import sys

import pytest
import yaml

import app
from models.runtime import ray_config
from models.runtime.ray_config import ScalingOverride, plan
from models.registry.spec import Scaling
from tests.conftest import ROOT


def test_plan_takes_the_runner_default_then_the_entry_then_the_command_line(registry):
    spec = registry.default_for("text-classification")
    default = plan(spec)
    assert (default.min_replicas, default.max_replicas, default.num_gpus, default.max_batch_size) == (1, 1, 0.25, 32)
    assert default.app_name == "text-classification--distilbert-sst2" and not default.autoscaling
    own = dataclasses.replace(spec, scaling=Scaling(replicas=2, max_replicas=6, num_gpus=0.5))
    assert (plan(own).min_replicas, plan(own).max_replicas, plan(own).num_gpus) == (2, 6, 0.5)
    flags = ScalingOverride.parse("3", "1", "2")
    chosen = plan(own, override=flags)
    assert (chosen.min_replicas, chosen.max_replicas, chosen.num_gpus, chosen.num_cpus) == (3, 3, 1.0, 2.0)


def test_tiny_twins_and_gpu_less_clusters_ask_for_no_gpu(registry):
    chat = registry.default_for("chat")
    assert plan(chat).num_gpus == 1
    assert plan(chat, "tiny").num_gpus == 0 and plan(chat, "tiny").num_cpus == ray_config.TINY_CPUS
    assert plan(chat, gpus_available=False).num_gpus == 0
    assert plan(chat, override=ScalingOverride.parse(gpus="0.5"), gpus_available=False).num_gpus == 0


def test_deployment_options_keep_room_for_a_batch(registry):
    options = plan(registry.default_for("text-classification"), override=ScalingOverride.parse("1-4")
                   ).deployment_options()
    assert options["autoscaling_config"]["min_replicas"] == 1 and options["autoscaling_config"]["max_replicas"] == 4
    assert "num_replicas" not in options
    assert options["max_ongoing_requests"] >= 32  # @serve.batch needs max_ongoing_requests >= max_batch_size
    fixed = plan(registry.default_for("chat")).deployment_options()
    assert fixed["num_replicas"] == 1 and fixed["ray_actor_options"] == {"num_cpus": 1.0, "num_gpus": 1.0}


@pytest.mark.parametrize("bad", ["two", "3-1", "0", "1-"])
def test_bad_replica_counts_are_refused(bad):
    with pytest.raises(ValueError, match="N or MIN-MAX|MIN <= MAX"):
        ScalingOverride.parse(bad)


def test_models_file_sets_the_scaling_of_one_entry(registry, tmp_path):
    models = tmp_path / "models.toml"
    models.write_text('[[model]]\nkey = "text-classification/distilbert-sst2"\n'
                      'scaling = {replicas = 2, max_replicas = 8}\n')
    spec = registry.with_models_file(models).get("text-classification/distilbert-sst2")
    assert spec.scaling == Scaling(replicas=2, max_replicas=8)
    assert plan(spec).max_replicas == 8
    models.write_text('[[model]]\nkey = "text-classification/distilbert-sst2"\nscaling = {gpu = 1}\n')
    from models.registry import RegistryError

    with pytest.raises(RegistryError, match="scaling takes only"):
        registry.with_models_file(models)


def test_ray_config_command_writes_one_application_per_tab_default():
    result = subprocess.run([sys.executable, "-m", "models", "ray-config", "--demos", "text-classification,chat",
                             "--replicas", "1-3"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert config["proxy_location"] == "Disabled"
    names = [application["name"] for application in config["applications"]]
    assert names == ["text-classification--distilbert-sst2", "chat--qwen2.5-0.5b-instruct"]
    first = config["applications"][0]
    assert first["import_path"] == "models.runtime.ray_serving:app_builder" and first["route_prefix"] is None
    assert first["args"]["model"] == "text-classification/distilbert-sst2"
    assert first["deployments"][0]["autoscaling_config"]["max_replicas"] == 3
    every = subprocess.run([sys.executable, "-m", "models", "ray-config", "--all"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert len(yaml.safe_load(every.stdout)["applications"]) > len(names)


def test_backend_options_and_their_environment_variables(monkeypatch):
    assert app.parse_args([]).backend == "local"
    monkeypatch.setenv("DEMO_BACKEND", "ray")
    monkeypatch.setenv("DEMO_RAY_ADDRESS", "10.0.0.5:6379")
    monkeypatch.setenv("DEMO_RAY_REPLICAS", "2-4")
    args = app.parse_args(["--ray-gpus", "0.5"])
    assert (args.backend, args.ray_address) == ("ray", "10.0.0.5:6379")
    assert args.ray_scaling == ScalingOverride(2, 4, 0.5, None)
    with pytest.raises(SystemExit):
        app.parse_args(["--ray-replicas", "many"])
    with pytest.raises(SystemExit):
        app.parse_args(["--backend", "spark"])


def test_ray_front_end_starts_without_importing_ray_or_models():
    """The Ray backend connects when the first model is needed: building the UI imports neither Ray nor torch."""
    code = ("import sys, app; blocks = app.build_app(app.parse_args(['--profile', 'tiny', '--backend', 'ray'])); "
            "print(type(blocks.manager).__name__, [m for m in ('ray', 'torch', 'transformers') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RayModelManager", "[]"]
