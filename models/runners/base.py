"""What every runner shares: where it runs, and releasing its model."""

from __future__ import annotations

from models.device import Placement
from models.sources import ModelSource
from models.spec import ModelSpec


class BaseRunner:
    def __init__(self, spec: ModelSpec, source: ModelSource, placement: Placement):
        self.spec, self.source, self.placement = spec, source, placement
        self.params = dict(spec.params)

    def close(self) -> None:
        """Drop every reference to model weights; the manager then frees the memory."""
        for name in list(vars(self)):
            if name not in ("spec", "source", "placement", "params"):
                setattr(self, name, None)
