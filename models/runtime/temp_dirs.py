"""Per-request folders under the system temp dir (which gradio serves files from), cleaned as they age."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path


def fresh_temp_dir(prefix: str, max_age_s: float) -> Path:
    """A new folder named ``prefix*`` under the system temp dir; folders of the same prefix older than
    ``max_age_s`` are removed on the way."""
    root = Path(tempfile.gettempdir())
    cutoff = time.time() - max_age_s
    for old in root.glob(prefix + "*"):
        try:
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass  # another worker removed it first
    return Path(tempfile.mkdtemp(prefix=prefix))
