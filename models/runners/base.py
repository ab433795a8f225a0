"""What every runner shares: where it runs, and releasing its model."""

from __future__ import annotations

from models.device import Placement
from models.sources import ModelSource
from models.spec import ModelSpec


class BaseRunner:
    # one small input, run once after loading when models are compiled (the first call compiles)
    warm_up_input: object = None

    def __init__(self, spec: ModelSpec, source: ModelSource, placement: Placement):
        self.spec, self.source, self.placement = spec, source, placement
        self.params = dict(spec.params)

    def prepare(self, model):
        """Inference mode for a freshly loaded model; compiled in place when asked for."""
        model.eval()
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
