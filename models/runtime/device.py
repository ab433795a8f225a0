"""Where models run: CUDA, then Apple MPS, then CPU; half precision on accelerators."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


@dataclass(frozen=True)
class Placement:
    device: str  # "cpu", "cuda", "cuda:1", "mps"
    dtype: str   # "float32", "float16", "bfloat16"
    compile: bool = False  # torch.compile models when they load
    cpu_int8: bool = False  # int8 dynamic quantization of the text encoders (CPU only)

    @property
    def torch_dtype(self):
        import torch

        return getattr(torch, self.dtype)

    @property
    def is_cuda(self) -> bool:
        return self.device.startswith("cuda")

    def describe(self) -> str:
        return f"{self.device} ({self.dtype})"


def check_device_name(name: str) -> str:
    """Validate a --device value without importing torch."""
    if not DEVICE_PATTERN.match(name):
        raise ValueError(f"device {name!r} is not one of auto, cpu, mps, cuda, cuda:N")
    return name


def choose_placement(requested: str = "auto", compile_models: bool = False, cpu_int8: bool = False) -> Placement:
    """Resolve "auto" to the best available device and pick its dtype.

    bf16 on CUDA GPUs that support it (Ampere and newer), fp16 on older GPUs and on MPS,
    fp32 on CPU (half precision on CPU is slow and some kernels lack it), where ``cpu_int8`` lets the
    text encoders run with int8 weights instead.
    """
    import torch

    check_device_name(requested)
    if requested == "auto":
        if torch.cuda.is_available():
            requested = "cuda"
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            requested = "mps"
        else:
            requested = "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise RuntimeError("CUDA was asked for but torch sees no CUDA device")
        dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    elif requested == "mps":
        dtype = "float16"
    else:
        dtype = "float32"
    return Placement(requested, dtype, compile_models, cpu_int8=cpu_int8 and requested == "cpu")


def release_memory(placement: Placement) -> None:
    """Give freed tensors back: Python's garbage, the C heap's free pages, then the accelerator's cache."""
    import gc

    gc.collect()
    trim_c_heap()
    if placement.is_cuda:
        import torch

        torch.cuda.empty_cache()
    elif placement.device == "mps":
        import torch

        torch.mps.empty_cache()


M_ARENA_MAX = -8  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 8 * 2**20


def _glibc():
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:  # no loadable libc (not Linux/glibc)
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def limit_c_heap_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (the effect of MALLOC_ARENA_MAX) and fix its mmap threshold. By default glibc gives busy threads arenas of
    their own, up to 8 per core, and memory freed in one arena is not reused by threads of another, so a server
    whose request threads take turns loading and freeing models keeps growing. Called once at start, before the
    server's threads exist. Returns whether it took effect (False off glibc)."""
    libc = _glibc()
    if libc is None:
        return False
    # a fixed mmap threshold: blocks of 8 MB and more (tensors, decoded audio and images) always get pages of
    # their own, returned to the system when freed. glibc otherwise raises the threshold after each such free,
    # up to 32 MB, and serves the next ones from the heap, where they fragment it.
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def trim_c_heap() -> None:
    """Return the C heap's free pages to the system (glibc ``malloc_trim``). Loading and evicting models
    churns hundreds of megabytes through malloc, and glibc keeps freed pages in its arenas, so without this the
    process RSS only ever grows under eviction although nothing leaks. A no-op where glibc is not the libc."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def trim_c_heap_every(seconds: float):
    """Trim the C heap every ``seconds`` in a daemon thread, until the returned event is set. Concurrent requests
    each take their buffers from the heap (decoded audio, features, images), so its high-water mark follows the
    busiest moment; trimming gives those pages back once the moment has passed. Live memory (a leak) cannot be
    trimmed, so this hides none."""
    import threading

    stop = threading.Event()

    def trim_until_stopped() -> None:
        while not stop.wait(seconds):
            trim_c_heap()

    threading.Thread(target=trim_until_stopped, name="trim-c-heap", daemon=True).start()
    return stop


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether an exception is an accelerator (or host) running out of memory, without importing torch."""
    if type(exc).__name__ == "OutOfMemoryError" or isinstance(exc, MemoryError):  # torch.cuda.OutOfMemoryError
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()  # MPS and older CUDA messages


def free_cached_memory() -> None:
    """After an out-of-memory error: collect garbage and return CUDA's cached blocks, so the next (smaller)
    request can run. torch is only touched when a model already imported it."""
    import gc
    import sys

    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
