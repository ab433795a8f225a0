"""The app's settings: one frozen record, made once from the command line and the environment, handed down.

``Settings.from_environment`` is the one reader of the ``DEMO_*`` variables: every option of ``python app.py``
falls back to its variable here (``app.parse_args`` puts the command line on top), and the variables without a
flag (input limits, fine-tuning quotas, the generated-images folder, the audit salt, the Ray deploy timeout) are
read here too. ``environment_problem`` checks every numeric one before anything reads it, so a typo is one clear
line at start. Nothing else in the app reads a ``DEMO_`` variable: tabs take ``ctx.settings``, the model side
takes what it needs as arguments. No gradio, no torch.

Two readers serve processes that have no command line: ``cpu_int8`` (Ray Serve replicas) and ``tiny_cache``
(where tiny twins are built, for tests and benchmarks as much as for the app).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.fine_tune.dataset import DatasetLimits

PREFIX = "DEMO_"
FALSE_WORDS = ("0", "false", "no", "off")

# every numeric DEMO_ variable: (smallest allowed, largest allowed or None, whole number?); checked at start so
# that a typo is one clear line, not a traceback (tests/models/test_settings.py checks that every number read below is
# listed here)
NUMERIC = {
    "PORT": (1, 65535, True), "MAX_MODELS": (1, None, True), "GPU_CONCURRENCY": (1, None, True),
    "MAX_BATCH_SIZE": (1, None, True), "MAX_QUEUE": (1, None, True), "MAX_UPLOAD_MB": (1, None, True),
    "MAX_SESSIONS": (1, None, True), "MAX_DECODED_MB": (1, None, True), "RATE_LIMIT": (1, None, True),
    "PROXY_HOPS": (0, None, True),
    "MAX_TEXT_CHARS": (1, None, True), "MAX_CONTEXT_CHARS": (1, None, True), "MAX_QUESTION_CHARS": (1, None, True),
    "MAX_IMAGE_PIXELS": (1, None, True), "MAX_IMAGE_SIDE": (1, None, True), "MAX_IMAGE_MB": (1, None, True),
    "MAX_AUDIO_SECONDS": (1, None, True), "MAX_TTS_CHARS": (1, None, True),
    "FINETUNE_MAX_SAVED": (1, None, True), "FINETUNE_MAX_PER_USER": (1, None, True),
    "FINETUNE_MAX_MINUTES": (1, None, True), "FINETUNE_MAX_MB": (1, None, True), "FINETUNE_MAX_ROWS": (1, None, True),
    "RAY_DEPLOY_TIMEOUT": (1, None, False), "MEMORY_BUDGET_GB": (0.01, None, False),
}


def environment_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """The first numeric DEMO_ variable (or GRADIO_SERVER_PORT) that is not a number in its range, said plainly."""
    environ = os.environ if environ is None else environ
    named = {PREFIX + name: rule for name, rule in NUMERIC.items()}
    named["GRADIO_SERVER_PORT"] = NUMERIC["PORT"]
    for name, (low, high, whole) in named.items():
        value = environ.get(name, "").strip()
        if not value:
            continue
        kind = "a whole number" if whole else "a number"
        allowed = f"from {low} to {high}" if high is not None else f"{low} or more"
        try:
            number = int(value) if whole else float(value)
        except ValueError:
            return f"{name}={value[:40]!r} is not {kind}; use {kind} {allowed}"
        if not math.isfinite(number) or number < low or (high is not None and number > high):
            return f"{name}={value[:40]!r} is out of range; use {kind} {allowed}"
    return None


class _Variables:
    """The DEMO_ variables of one environment, read one way (numbers were checked by ``environment_problem``)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: Any = None) -> Any:
        return self.environ.get(PREFIX + name, default)

    def flag(self, name: str) -> bool:
        return self.text(name, "").strip().lower() in ("1", "true", "yes", "on")

    def whole(self, name: str, default: Any) -> Any:
        value = self.text(name, "").strip()
        return int(value) if value else default

    def number(self, name: str, default: Any) -> Any:
        value = self.text(name, "").strip()
        return float(value) if value else default


def cpu_int8(environ: Mapping[str, str] | None = None) -> bool:
    """DEMO_CPU_INT8, on by default: text encoders run in int8 on CPU. Read for ``--cpu-int8``'s default and by Ray
    Serve replicas, which take their settings from the environment."""
    return _Variables(environ).text("CPU_INT8", "on").strip().lower() not in FALSE_WORDS


def tiny_cache(environ: Mapping[str, str] | None = None) -> Path:
    """DEMO_TINY_CACHE: where tiny twins are built and kept (default ~/.cache/demo-suite/tiny); shared by the app,
    its Ray replicas, the tests and the benchmarks, so it is read wherever a twin is built."""
    root = _Variables(environ).text("TINY_CACHE") or Path.home() / ".cache" / "demo-suite" / "tiny"
    return Path(root).expanduser()


@dataclass(frozen=True)
class TextLimits:
    """Longest texts the text tabs take (characters)."""

    max_text_chars: int = 10_000      # DEMO_MAX_TEXT_CHARS: a text to classify, tag, chat with, explain
    max_context_chars: int = 50_000   # DEMO_MAX_CONTEXT_CHARS: a QA context, a document to summarize or translate
    max_question_chars: int = 500     # DEMO_MAX_QUESTION_CHARS: a QA question


@dataclass(frozen=True)
class ImageLimits:
    """Limits on input images."""

    max_pixels: int = 50_000_000         # DEMO_MAX_IMAGE_PIXELS: refused from the header, before decoding
    max_side: int = 2048                 # DEMO_MAX_IMAGE_SIDE: larger images are shrunk to this long side
    max_bytes: int = 30 * 1024 * 1024    # DEMO_MAX_IMAGE_MB (in MB there): largest image file
    min_side: int = 8


@dataclass(frozen=True)
class SpeechLimits:
    """Input limits of the speech tabs."""

    max_audio_seconds: int = 600   # DEMO_MAX_AUDIO_SECONDS: longest recording to transcribe
    max_tts_chars: int = 2000      # DEMO_MAX_TTS_CHARS: longest text to speak


@dataclass(frozen=True)
class FineTuneLimits:
    """What fine-tuning may take and keep."""

    max_saved: int = 20        # DEMO_FINETUNE_MAX_SAVED: fine-tuned models the server keeps in all
    max_per_user: int = 5      # DEMO_FINETUNE_MAX_PER_USER: ... and per user
    max_minutes: int = 60      # DEMO_FINETUNE_MAX_MINUTES: longest training run
    data: DatasetLimits = field(default_factory=DatasetLimits)  # DEMO_FINETUNE_MAX_MB, DEMO_FINETUNE_MAX_ROWS


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its default. The options of ``python app.py`` keep their flag's name
    (``--max-queue`` is ``max_queue``; each falls back to DEMO_ + its name in capitals, e.g. DEMO_MAX_QUEUE);
    the settings without a flag are grouped below them."""

    profile: str = "default"             # DEMO_PROFILE: 'default' (hub checkpoints) or 'tiny' (offline twins)
    demos: tuple[str, ...] | None = None  # DEMO_DEMOS: the tabs to show (comma-separated there); None (unset or
    # empty): every tab of the task table
    host: str = "127.0.0.1"              # DEMO_HOST, else GRADIO_SERVER_NAME
    port: int = 7860                     # DEMO_PORT, else GRADIO_SERVER_PORT
    share: bool = False                  # DEMO_SHARE
    preload: bool = False                # DEMO_PRELOAD
    device: str = "auto"                 # DEMO_DEVICE
    memory_budget_gb: float | None = None  # DEMO_MEMORY_BUDGET_GB; None: from the machine
    max_models: int | None = None        # DEMO_MAX_MODELS; None: no count limit
    gpu_concurrency: int = 1             # DEMO_GPU_CONCURRENCY
    max_batch_size: int = 16             # DEMO_MAX_BATCH_SIZE
    max_queue: int = 200                 # DEMO_MAX_QUEUE
    max_upload_mb: int = 100             # DEMO_MAX_UPLOAD_MB
    max_decoded_mb: int = 1024           # DEMO_MAX_DECODED_MB
    max_sessions: int = 500              # DEMO_MAX_SESSIONS
    compile: bool = False                # DEMO_COMPILE
    cpu_int8: bool = True                # DEMO_CPU_INT8
    mcp: bool = False                    # DEMO_MCP
    mcp_token: str | None = field(default=None, repr=False)  # DEMO_MCP_TOKEN (a secret)
    auth: str | None = field(default=None, repr=False)  # DEMO_AUTH: 'user:password,...' (a secret)
    auth_file: str | None = None         # DEMO_AUTH_FILE: one user:password a line
    logins: list[tuple[str, str]] | None = field(default=None, repr=False)  # both parsed (by app.parse_args)
    rate_limit: int | None = None        # DEMO_RATE_LIMIT; None: unlimited
    proxy_hops: int | None = None        # DEMO_PROXY_HOPS; None: 1 on a Hugging Face Space, else 0
    hf_login: str = "off"                # DEMO_HF_LOGIN
    audit_log: str | None = None         # DEMO_AUDIT_LOG
    models_file: str | None = None       # DEMO_MODELS_FILE
    backend: str = "local"               # DEMO_BACKEND
    ray_address: str | None = None       # DEMO_RAY_ADDRESS
    ray_replicas: str | None = None      # DEMO_RAY_REPLICAS
    ray_gpus: str | None = None          # DEMO_RAY_GPUS
    ray_cpus: str | None = None          # DEMO_RAY_CPUS
    ray_scaling: Any = None              # the three above, parsed (a models.runtime.ray_config.ScalingOverride)
    data_dir: str = "data"               # DEMO_DATA_DIR
    log_level: str = "INFO"              # DEMO_LOG_LEVEL
    # --- no flag: environment only ---
    text: TextLimits = field(default_factory=TextLimits)
    image: ImageLimits = field(default_factory=ImageLimits)
    speech: SpeechLimits = field(default_factory=SpeechLimits)
    fine_tune: FineTuneLimits = field(default_factory=FineTuneLimits)
    generated_dir: str | None = None     # DEMO_GENERATED_DIR: generated images; None: a folder in the temp dir
    audit_salt: str = field(default="", repr=False)  # DEMO_AUDIT_SALT; empty: one kept in data_dir
    ray_deploy_timeout: float = 900.0    # DEMO_RAY_DEPLOY_TIMEOUT: seconds a first deploy may take (downloads)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings as the environment gives them (every DEMO_ variable, the rest defaults); the numbers are
        assumed checked by ``environment_problem``."""
        environ = os.environ if environ is None else environ
        env = _Variables(environ)
        default = cls()
        demos = env.text("DEMOS", "").strip() or None  # unset or empty: every tab
        gradio_port = environ.get("GRADIO_SERVER_PORT", "").strip()
        return cls(
            profile=env.text("PROFILE", default.profile),
            demos=None if demos is None else tuple(name.strip() for name in demos.split(",") if name.strip()),
            host=env.text("HOST", environ.get("GRADIO_SERVER_NAME", default.host)),
            port=env.whole("PORT", int(gradio_port) if gradio_port else default.port),
            share=env.flag("SHARE"),
            preload=env.flag("PRELOAD"),
            device=env.text("DEVICE", default.device),
            memory_budget_gb=env.number("MEMORY_BUDGET_GB", None),
            max_models=env.whole("MAX_MODELS", None),
            gpu_concurrency=env.whole("GPU_CONCURRENCY", default.gpu_concurrency),
            max_batch_size=env.whole("MAX_BATCH_SIZE", default.max_batch_size),
            max_queue=env.whole("MAX_QUEUE", default.max_queue),
            max_upload_mb=env.whole("MAX_UPLOAD_MB", default.max_upload_mb),
            max_decoded_mb=env.whole("MAX_DECODED_MB", default.max_decoded_mb),
            max_sessions=env.whole("MAX_SESSIONS", default.max_sessions),
            compile=env.flag("COMPILE"),
            cpu_int8=cpu_int8(environ),
            mcp=env.flag("MCP"),
            mcp_token=env.text("MCP_TOKEN"),
            auth=env.text("AUTH"),
            auth_file=env.text("AUTH_FILE"),
            rate_limit=env.whole("RATE_LIMIT", None),
            proxy_hops=env.whole("PROXY_HOPS", None),
            hf_login=env.text("HF_LOGIN", default.hf_login),
            audit_log=env.text("AUDIT_LOG"),
            models_file=env.text("MODELS_FILE"),
            backend=env.text("BACKEND", default.backend),
            ray_address=env.text("RAY_ADDRESS"),
            ray_replicas=env.text("RAY_REPLICAS"),
            ray_gpus=env.text("RAY_GPUS"),
            ray_cpus=env.text("RAY_CPUS"),
            data_dir=env.text("DATA_DIR", default.data_dir),
            log_level=env.text("LOG_LEVEL", default.log_level),
            text=TextLimits(max_text_chars=env.whole("MAX_TEXT_CHARS", default.text.max_text_chars),
                            max_context_chars=env.whole("MAX_CONTEXT_CHARS", default.text.max_context_chars),
                            max_question_chars=env.whole("MAX_QUESTION_CHARS", default.text.max_question_chars)),
            image=ImageLimits(max_pixels=env.whole("MAX_IMAGE_PIXELS", default.image.max_pixels),
                              max_side=env.whole("MAX_IMAGE_SIDE", default.image.max_side),
                              max_bytes=env.whole("MAX_IMAGE_MB", 30) * 1024 * 1024),
            speech=SpeechLimits(max_audio_seconds=env.whole("MAX_AUDIO_SECONDS", default.speech.max_audio_seconds),
                                max_tts_chars=env.whole("MAX_TTS_CHARS", default.speech.max_tts_chars)),
            fine_tune=FineTuneLimits(
                max_saved=env.whole("FINETUNE_MAX_SAVED", default.fine_tune.max_saved),
                max_per_user=env.whole("FINETUNE_MAX_PER_USER", default.fine_tune.max_per_user),
                max_minutes=env.whole("FINETUNE_MAX_MINUTES", default.fine_tune.max_minutes),
                data=DatasetLimits(max_mb=env.whole("FINETUNE_MAX_MB", default.fine_tune.data.max_mb),
                                   max_rows=env.whole("FINETUNE_MAX_ROWS", default.fine_tune.data.max_rows))),
            generated_dir=env.text("GENERATED_DIR") or None,
            audit_salt=env.text("AUDIT_SALT", ""),
            ray_deploy_timeout=env.number("RAY_DEPLOY_TIMEOUT", default.ray_deploy_timeout),
        )
