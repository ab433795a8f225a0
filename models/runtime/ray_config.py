"""How each registry entry becomes a Ray Serve application: names, replicas, resources, batch size.

Plain data and no Ray import, so the config writer (``python -m models ray-config``) and the tests run
without Ray. One application per model (named after its key, no HTTP route), holding one deployment
(``Model``) built by ``models.runtime.ray_serving:app_builder``: the front end can deploy, find or delete one
model without touching the others.

Where a setting comes from, first match wins: the command line (``--ray-replicas``, ``--ray-gpus``,
``--ray-cpus``), the entry's ``scaling`` (``models.registry.spec.Scaling``, also settable per model in the models
file), then its runner kind's default (``models.families``: every kind has one).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Iterable

from models.families import kind
from models.registry.spec import ModelSpec

DEPLOYMENT_NAME = "Model"
IMPORT_PATH = "models.runtime.ray_serving:app_builder"

# Requests reach a replica one by one through Serve's router: with 5 ms, 16 concurrent clients on a busy 2-core
# machine made batches of 3 (64 inputs in 20 batches); 20 ms made batches of 8-9, 50 ms full batches of 16 at
# 50 ms more for a lone request. 20 ms is the middle; a model's scaling.batch_wait_ms overrides it.
BATCH_WAIT_MS = 20
HEALTH_CHECK_S = 2
TINY_CPUS = 0.05  # a tiny twin needs no core of its own: many fit on a laptop's local Ray


@dataclass(frozen=True)
class ScalingOverride:
    """Settings from the command line that apply to every model (None: not given)."""

    min_replicas: int | None = None
    max_replicas: int | None = None
    num_gpus: float | None = None
    num_cpus: float | None = None

    @classmethod
    def parse(cls, replicas: str | None = None, gpus: str | float | None = None,
              cpus: str | float | None = None) -> "ScalingOverride":
        """``replicas`` is "N" (fixed) or "MIN-MAX" (autoscaling); raises ValueError with what is allowed."""
        low = high = None
        if replicas not in (None, ""):
            match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", str(replicas))
            if not match:
                raise ValueError(f"replicas {replicas!r}: give N or MIN-MAX, e.g. 2 or 1-4")
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) else low
            if high < 1 or low > high:
                raise ValueError(f"replicas {replicas!r}: need 0 <= MIN <= MAX and MAX >= 1")
        return cls(low, high, _non_negative(gpus, "gpus"), _non_negative(cpus, "cpus"))


def _non_negative(value, name: str) -> float | None:
    if value in (None, ""):
        return None
    number = float(value)
    if not number >= 0:
        raise ValueError(f"{name} per replica must be 0 or more, not {value}")
    return number


@dataclass(frozen=True)
class DeploymentPlan:
    """Everything Serve needs to run one model."""

    key: str
    app_name: str
    min_replicas: int
    max_replicas: int
    num_gpus: float
    num_cpus: float
    max_batch_size: int
    batch_wait_ms: float = BATCH_WAIT_MS

    @property
    def autoscaling(self) -> bool:
        return self.max_replicas > self.min_replicas

    @property
    def max_ongoing_requests(self) -> int:
        # @serve.batch needs room for a whole batch per replica; twice that lets the next batch gather
        return max(8, 2 * self.max_batch_size)

    def deployment_options(self) -> dict[str, Any]:
        """Keyword arguments for ``Deployment.options`` (and the ``deployments`` entry of a config file)."""
        options: dict[str, Any] = {
            "max_ongoing_requests": self.max_ongoing_requests,
            # a dead replica is noticed within this many seconds (Serve's default, 10 s, left the model
            # unserved ~10 s longer after a replica's process was killed)
            "health_check_period_s": HEALTH_CHECK_S,
            "ray_actor_options": {"num_cpus": self.num_cpus, "num_gpus": self.num_gpus},
        }
        if self.autoscaling:
            options["autoscaling_config"] = {"min_replicas": self.min_replicas, "max_replicas": self.max_replicas,
                                             "initial_replicas": max(1, self.min_replicas),
                                             "target_ongoing_requests": max(2, self.max_batch_size // 2)}
        else:
            options["num_replicas"] = self.max_replicas
        return options


def app_name(key: str) -> str:
    """The Serve application of a registry key ("text-classification/distilbert-sst2" ->
    "text-classification--distilbert-sst2")."""
    return key.replace("/", "--")


def plan(spec: ModelSpec, profile: str = "default", override: ScalingOverride | None = None,
         gpus_available: bool = True) -> DeploymentPlan:
    """The deployment of one entry: the command line over the entry's scaling over its runner's default."""
    base = kind(spec.runner).scaling
    own = {name: value for name, value in dataclasses.asdict(spec.scaling).items() if value is not None}
    merged = dataclasses.replace(base, **own)
    override = override or ScalingOverride()
    low = merged.replicas if override.min_replicas is None else override.min_replicas
    high = max(low, merged.max_replicas or low) if override.max_replicas is None else override.max_replicas
    gpus = merged.num_gpus if override.num_gpus is None else override.num_gpus
    cpus = merged.num_cpus if override.num_cpus is None else override.num_cpus
    if profile == "tiny":  # twins run on CPU and need next to nothing, unless the command line says otherwise
        cpus = TINY_CPUS if override.num_cpus is None else cpus
        gpus = 0 if override.num_gpus is None else gpus
    if not gpus_available:  # a replica that asks for a GPU on a cluster without one would never start
        gpus = 0
    return DeploymentPlan(spec.key, app_name(spec.key), int(low), max(1, int(high)), float(gpus), float(cpus),
                          int(merged.max_batch_size), float(merged.batch_wait_ms or BATCH_WAIT_MS))


def app_args(spec_key: str, profile: str, device: str, plan_: DeploymentPlan,
             models_file: str | None = None) -> dict[str, Any]:
    """The ``args`` that ``models.runtime.ray_serving:app_builder`` takes (plain data, for a config file)."""
    args = {"model": spec_key, "profile": profile, "device": device, "max_batch_size": plan_.max_batch_size,
            "batch_wait_ms": plan_.batch_wait_ms}
    if models_file:
        args["models_file"] = models_file
    return args


def serve_config(specs: Iterable[ModelSpec], profile: str = "default", device: str = "auto",
                 override: ScalingOverride | None = None, models_file: str | None = None) -> dict[str, Any]:
    """A Ray Serve config (``serve deploy`` / KubeRay's ``serveConfigV2``) with one application per model."""
    applications = []
    for spec in specs:
        deployment = plan(spec, profile, override)
        applications.append({
            "name": deployment.app_name,
            "route_prefix": None,  # reached through deployment handles from the front end, not over HTTP
            "import_path": IMPORT_PATH,
            "args": app_args(spec.key, profile, device, deployment, models_file),
            "deployments": [{"name": DEPLOYMENT_NAME, **deployment.deployment_options()}],
        })
    return {"proxy_location": "Disabled", "applications": applications}


def serve_config_yaml(config: dict[str, Any]) -> str:
    import yaml  # a gradio dependency, so always installed

    header = ("# Ray Serve config for the demo suite's models, written by `python -m models ray-config`.\n"
              "# Deploy with `serve deploy serve.yaml` (or as KubeRay's serveConfigV2), then start the front end\n"
              "# with `python app.py --backend ray --ray-address <head>:6379`. Every node needs this project\n"
              "# importable (the same container image), and the models' weights reachable.\n")
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
