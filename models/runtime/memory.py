"""How much memory models take, and how much they may take together (the manager's budget).

- ``model_bytes(runner)``: a loaded model's size, measured: the bytes of its parameters and buffers (each tensor
  counted once, tied weights too), over every torch module the runner holds directly or inside a transformers
  pipeline (``.model``) or a diffusers pipeline (``.components``). A runner may say its size itself with a
  ``memory_bytes`` attribute (test fakes do).
- ``machine_budget(placement)``: the default budget: a share of the GPU's memory when models run on CUDA, else a
  share of the machine's RAM (the app, its requests' inputs and the activations need the rest).

Nothing here imports torch unless a model already did.
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any, Iterator

GPU_SHARE = 0.8   # of the GPU's total memory: weights; the rest for activations and the CUDA context
RAM_SHARE = 0.5   # of the machine's RAM: weights; the rest for the app, gradio, inputs and activations
GB = 1e9


def model_bytes(runner: Any) -> int:
    """The measured size of a loaded model (parameter and buffer bytes), or its declared ``memory_bytes``."""
    declared = getattr(runner, "memory_bytes", None)
    if declared is not None:
        return int(declared() if callable(declared) else declared)
    torch = sys.modules.get("torch")
    if torch is None:  # nothing has imported torch: no weights in this process
        return 0
    seen: set[tuple[str, int]] = set()
    total = 0
    for module in _modules(runner, torch.nn.Module):
        for tensor in itertools.chain(module.parameters(), module.buffers(), _packed_weights(module)):
            key = (str(tensor.device), tensor.data_ptr())
            if key in seen and key[1]:
                continue
            seen.add(key)
            total += tensor.numel() * tensor.element_size()
    return total


def _packed_weights(module) -> Iterator[Any]:
    """The int8 weights of dynamically quantized Linear layers (``--cpu-int8``), which are no parameters."""
    for layer in module.modules():
        packed = getattr(layer, "_packed_params", None)
        unpack = getattr(packed, "_weight_bias", None)
        if unpack is None:
            continue
        try:
            yield from (tensor for tensor in unpack() if tensor is not None)
        except (RuntimeError, TypeError):  # a packing this torch cannot unpack: not counted
            continue


def _modules(runner: Any, module_type: type) -> Iterator[Any]:
    try:
        values = list(vars(runner).values())
    except TypeError:  # no __dict__ (a remote runner's proxy, a builtin)
        return
    for value in values:
        if isinstance(value, module_type):
            yield value
            continue
        inner = getattr(value, "model", None)  # a transformers pipeline
        if isinstance(inner, module_type):
            yield inner
        components = getattr(value, "components", None)  # a diffusers pipeline
        if isinstance(components, dict):
            yield from (part for part in components.values() if isinstance(part, module_type))


def machine_budget(placement) -> int:
    """The default budget in bytes: GPU_SHARE of the GPU's memory on CUDA, else RAM_SHARE of the machine's RAM."""
    if getattr(placement, "is_cuda", False):
        import torch

        try:
            _free, total = torch.cuda.mem_get_info(torch.device(placement.device))
            return int(GPU_SHARE * total)
        except (RuntimeError, AssertionError):  # no CUDA context here yet (ZeroGPU's main process): the RAM's
            pass
    return int(RAM_SHARE * machine_ram())


def machine_ram() -> int:
    """The machine's physical memory in bytes."""
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:  # psutil comes with accelerate; without it, POSIX says the same
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def format_gb(size: int | float) -> str:
    return f"{size / GB:.2f} GB" if size < 10 * GB else f"{size / GB:.0f} GB"
