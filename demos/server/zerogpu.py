"""Hugging Face ZeroGPU support: a GPU is attached only while a decorated function runs.

On a ZeroGPU Space (the ``spaces`` package importable and ``SPACES_ZERO_GPU`` set), each model-bound
handler runs inside ``@spaces.GPU(duration=...)``, with more time for the tabs whose work is long (image
generation, long recordings), and the default models load onto ``cuda`` at start (ZeroGPU keeps them
ready and moves them onto the GPU it attaches). Everywhere else this module does nothing and ``spaces``
is not needed.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from typing import Any, Callable

DEFAULT_DURATION = 60  # seconds of GPU a request may hold; ZeroGPU's own default
DURATIONS = {          # by API name: the tabs whose requests may take longer
    "generate_images": 120,   # up to 4 images x 50 steps of a 512x512 diffusion model
    "transcribe_audio": 120,  # recordings of many minutes, read in 30 s windows
    "summarize": 90,          # long documents, summarized in parts then combined
}


def _spaces():
    if os.environ.get("SPACES_ZERO_GPU", "").strip().lower() in ("", "0", "false", "no", "off"):
        return None
    try:
        import spaces
    except ImportError:
        return None
    return spaces


def active() -> bool:
    """Whether the app runs on ZeroGPU hardware."""
    return _spaces() is not None


def duration_for(api_name: str) -> int:
    return DURATIONS.get(api_name, DEFAULT_DURATION)


def gpu(fn: Callable, api_name: str) -> Callable:
    """``fn`` inside ``@spaces.GPU(duration=...)`` on ZeroGPU; ``fn`` itself elsewhere. The result keeps
    ``fn``'s name, docstring and signature, which gradio reads for the API and MCP descriptions."""
    spaces = _spaces()
    if spaces is None:
        return fn
    decorated = spaces.GPU(duration=duration_for(api_name))(fn)
    if decorated is not fn:
        functools.update_wrapper(decorated, fn)
    return decorated


# tabs whose work does not fit ZeroGPU's model: fine-tuning trains for minutes in a background thread, while
# ZeroGPU lends the GPU only inside one decorated call of bounded duration
NOT_ON_ZEROGPU = ("fine-tune",)


def configure(args: Any) -> Any:
    """The app's settings (``models.settings.Settings``), changed on ZeroGPU: models go to ``cuda``, each tab's
    default loads at start, before the first visitor, and the tabs that cannot run there are left out."""
    if active():
        return dataclasses.replace(args, device="cuda", preload=True,
                                   demos=tuple(name for name in args.demos if name not in NOT_ON_ZEROGPU))
    return args
