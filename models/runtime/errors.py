"""Errors that the app shows to users. Model code raises them; demos turn them into messages."""

from __future__ import annotations

import re

# an absolute path: /a/b..., C:\a\b... (two parts at least), not part of a URL or of a longer word
_PATH = re.compile(r"(?<![\w:/.~-])(?:[A-Za-z]:)?(?:[\\/][^\s'\"\\/:,;()\[\]<>]+){2,}[\\/]?")


def hide_paths(text: str) -> str:
    """``text`` with every absolute server path cut to its last part (``…/name``): messages go to users, who
    have no business with the server's folders."""
    return _PATH.sub(lambda m: "…/" + re.split(r"[\\/]", m.group().rstrip("\\/"))[-1], text)


class ModelLoadError(RuntimeError):
    """A model could not be loaded; only its own tab is affected, and the load can be retried."""

    def __init__(self, key: str, checkpoint: str, reason: str, hint: str = ""):
        self.key, self.checkpoint, self.reason, self.hint = key, checkpoint, reason, hint
        message = f"Could not load {checkpoint} ({key}): {reason}."
        if hint:
            message += f" {hint[0].upper()}{hint[1:]}{'' if hint.endswith('.') else '.'}"
        super().__init__(hide_paths(message))


class InputError(ValueError):
    """The input cannot be processed by the model (too long, wrong shape, ...)."""


def explain_load_failure(exc: BaseException, checkpoint: str) -> tuple[str, str]:
    """A short reason and a hint for a failed load, recognised by the exception's class names."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    download = (f"run `python app.py --profile tiny` to try the app offline, or pre-download it "
                f"on a machine with network: `hf download {checkpoint}`")
    if names & {"OfflineModeIsEnabled", "LocalEntryNotFoundError"} or "offline" in str(exc).lower():
        return "offline, and the checkpoint is not in the local Hugging Face cache", download
    if "RepositoryNotFoundError" in names:
        return "no such repository on the Hugging Face Hub (or it is private)", "check the model id"
    if "RevisionNotFoundError" in names:
        return "the pinned revision does not exist", "check the revision in the registry entry"
    if names & {"OutOfMemoryError"} or "out of memory" in str(exc).lower():
        return "out of memory", "lower --max-models, pick a smaller model, or run on CPU with --device cpu"
    if names & {"ConnectionError", "Timeout", "HfHubHTTPError"}:
        return "the Hugging Face Hub could not be reached", download
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"{type(exc).__name__}: {first_line[:300]}", "the files may be missing or corrupt"
