"""What every runner shares: where it runs, and releasing its model."""

from __future__ import annotations

import logging

from models.runtime.device import Placement
from models.families import kind
from models.registry.sources import ModelSource
from models.registry.spec import ModelSpec

log = logging.getLogger(__name__)


def quantize_linear_layers(model) -> None:
    """Replace the model's Linear layers by int8 dynamic-quantized ones, in place (weights int8, activations
    quantized per batch). On CPU this makes a BERT-sized encoder 2-3x faster at a small cost in precision.

    PyTorch's own eager-mode API: torch 2.10+ marks it deprecated in favour of torchao, whose int8 CPU path
    needs torch.compile to be fast. If a future torch drops it, the model simply stays fp32."""
    import warnings

    import torch

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the deprecation notices, once per layer
            torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    except (AttributeError, RuntimeError, NotImplementedError) as exc:
        log.warning("int8 quantization unavailable (%s); the model runs in fp32", exc)


def given_mode(runner, modes: tuple[str, ...]) -> str:
    """Which of its ``modes`` a pipeline-built runner runs in, as the task gave it (the ``mode`` and
    ``pipeline_task`` parameters: ``models.registry.tasks.runner_spec``)."""
    mode = runner.params.get("mode")
    if mode not in modes or not runner.params.get("pipeline_task"):
        raise ValueError(f"{runner.spec.key}: the {runner.kind} runner needs a pipeline_task and a mode, one of "
                         f"{', '.join(modes)} (models.registry.tasks gives them), not {mode!r}")
    return mode


class BaseRunner:
    # one small input, run once after loading when models are compiled (the first call compiles)
    warm_up_input: object = None

    def __init__(self, spec: ModelSpec, source: ModelSource, placement: Placement):
        self.spec, self.source, self.placement = spec, source, placement
        self.params = dict(spec.params)

    @property
    def kind(self) -> str:
        """The runner kind (``models.families``) the entry names."""
        return self.spec.runner

    @property
    def conversation(self) -> bool:
        """Whether it takes a conversation (its chat template) rather than the source text: a task then writes
        its request as an instruction."""
        return kind(self.spec.runner).conversation

    def prepare(self, model, quantizable: bool = False):
        """Inference mode for a freshly loaded model; int8 on CPU for the runners that allow it
        (``quantizable``) when the placement asks for it; compiled in place when asked for."""
        model.eval()
        if quantizable and self.placement.cpu_int8:
            quantize_linear_layers(model)
        if self.placement.compile:
            model.compile()
        return model

    def warm_up(self) -> None:
        if self.placement.compile and self.warm_up_input is not None:
            self([self.warm_up_input])

    def close(self) -> None:
        """Drop every reference to model weights; the manager then frees the memory."""
        for name in list(vars(self)):
            if name not in ("spec", "source", "placement", "params"):
                setattr(self, name, None)
