"""The demo suite: one Gradio app, one tab per application area of Transformer models.

    python app.py                      # real checkpoints from the Hugging Face Hub, loaded on first use
    python app.py --profile tiny       # offline, on tiny random-weight twins (every code path, no download)

Every option can also be set by an environment variable (for Hugging Face Spaces and containers);
`python app.py --help` lists both. torch and transformers are imported when a model first loads.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from demos import DEMO_MODULES, load_demos, zerogpu
from models import log_limit
from models.device import check_device_name, cpu_int8_default, limit_c_heap_arenas, trim_c_heap_every
from models.fine_tune.store import FineTunedStore
from models.manager import PROFILES, ModelManager
from models.registry import RegistryError, builtin_registry

log = logging.getLogger("app")

ENV_PREFIX = "DEMO_"


def _env(name: str, default=None):
    return os.environ.get(ENV_PREFIX + name, default)


def _flag(name: str) -> bool:
    return str(_env(name, "")).strip().lower() in ("1", "true", "yes", "on")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Try the main applications of Transformer models in a browser.",
        epilog="Each option falls back to the environment variable in brackets, e.g. DEMO_PROFILE=tiny.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--profile", choices=PROFILES, default=_env("PROFILE", "default"),
                        help="'default': real checkpoints from the hub; 'tiny': offline random-weight "
                             "twins built locally [DEMO_PROFILE]")
    parser.add_argument("--demos", default=_env("DEMOS", ",".join(DEMO_MODULES)),
                        help=f"comma-separated tabs to show, from: {', '.join(DEMO_MODULES)} [DEMO_DEMOS]")
    parser.add_argument("--host", default=_env("HOST", os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")),
                        help="address to listen on; 0.0.0.0 to serve the network [DEMO_HOST]")
    parser.add_argument("--port", type=int, default=int(_env("PORT", os.environ.get("GRADIO_SERVER_PORT", 7860))),
                        help="port to listen on [DEMO_PORT]")
    parser.add_argument("--share", action="store_true", default=_flag("SHARE"),
                        help="also serve through a temporary public gradio.live link [DEMO_SHARE]")
    parser.add_argument("--preload", action="store_true", default=_flag("PRELOAD"),
                        help="load each tab's default model at start instead of on first use [DEMO_PRELOAD]")
    parser.add_argument("--device", type=_device, default=_env("DEVICE", "auto"),
                        help="auto (cuda > mps > cpu), cpu, mps, cuda or cuda:N [DEMO_DEVICE]")
    parser.add_argument("--max-models", type=_positive_int, default=int(_env("MAX_MODELS", 4)),
                        help="memory budget: most models kept loaded at once; the least recently used "
                             "is evicted [DEMO_MAX_MODELS]")
    parser.add_argument("--gpu-concurrency", type=_positive_int, default=int(_env("GPU_CONCURRENCY", 1)),
                        help="model executions in flight at once, across all tabs (one GPU queue) "
                             "[DEMO_GPU_CONCURRENCY]")
    parser.add_argument("--max-batch-size", type=_positive_int, default=int(_env("MAX_BATCH_SIZE", 16)),
                        help="most concurrent requests to one model grouped into one batch [DEMO_MAX_BATCH_SIZE]")
    parser.add_argument("--max-queue", type=_positive_int, default=int(_env("MAX_QUEUE", 200)),
                        help="requests waiting beyond this are turned away with a 'server busy' message "
                             "[DEMO_MAX_QUEUE]")
    parser.add_argument("--max-upload-mb", type=_positive_int, default=int(_env("MAX_UPLOAD_MB", 100)),
                        help="largest file a user may upload, in MB [DEMO_MAX_UPLOAD_MB]")
    parser.add_argument("--max-decoded-mb", type=_positive_int, default=_env("MAX_DECODED_MB", "1024"),
                        help="memory for decoded images and recordings in flight, all requests together, in MB: "
                             "a small file can decode to gigabytes (a PNG bomb, a many-channel recording); a request "
                             "beyond it waits a few seconds for others to finish, then is refused [DEMO_MAX_DECODED_MB]")
    parser.add_argument("--max-sessions", type=_positive_int, default=int(_env("MAX_SESSIONS", 500)),
                        help="sessions whose state gradio keeps in memory (oldest dropped first); every API "
                             "call is a session of its own (about 12 KB each here; gradio's own state took "
                             "0.4 MB, and its default of 10,000 let memory grow by gigabytes under API load) "
                             "[DEMO_MAX_SESSIONS]")
    parser.add_argument("--compile", action="store_true", default=_flag("COMPILE"),
                        help="torch.compile each model when it loads (slower first load, warmed up then) "
                             "[DEMO_COMPILE]")
    parser.add_argument("--cpu-int8", action=argparse.BooleanOptionalAction,
                        default=cpu_int8_default(),
                        help="on CPU, run the text encoders (classification, entities, question answering) "
                             "with int8 weights (PyTorch dynamic quantization): 2-3x faster, scores within a "
                             "few hundredths of fp32; --no-cpu-int8 keeps fp32 [DEMO_CPU_INT8, default on]")
    parser.add_argument("--mcp", action="store_true", default=_flag("MCP"),
                        help="also serve every tab as a tool of an MCP server at /gradio_api/mcp/ [DEMO_MCP]")
    parser.add_argument("--auth", default=None,
                        help="require a login: comma-separated user:password pairs; prefer DEMO_AUTH or "
                             "--auth-file, which other users of the machine cannot see [DEMO_AUTH]")
    parser.add_argument("--auth-file", default=_env("AUTH_FILE"),
                        help="require a login: a file with one user:password per line, kept outside the "
                             "repository [DEMO_AUTH_FILE]")
    parser.add_argument("--rate-limit", type=_positive_int, default=_env("RATE_LIMIT"),
                        help="most requests per minute per tab for each user (or client address without a "
                             "login); unlimited when unset [DEMO_RATE_LIMIT]")
    parser.add_argument("--proxy-hops", type=_non_negative_int, default=_env("PROXY_HOPS"),
                        help="reverse proxies in front of the app that append to X-Forwarded-For, so the rate "
                             "limit and audit log see the user's address, not the proxy's (default: 1 on a "
                             "Hugging Face Space, else 0) [DEMO_PROXY_HOPS]")
    parser.add_argument("--hf-login", choices=("off", "optional", "required"), default=_env("HF_LOGIN", "off"),
                        help="Hugging Face sign-in (on a Space whose README front matter has hf_oauth: true): "
                             "'optional' adds a sign-in button and names signed-in users in the rate limit and "
                             "audit log; 'required' refuses model requests until the user signs in [DEMO_HF_LOGIN]")
    parser.add_argument("--audit-log", default=_env("AUDIT_LOG"),
                        help="write one JSON line per model request (time, user or hashed address, tab, model, "
                             "duration, outcome; no user input) to this file, rotated at 10 MB [DEMO_AUDIT_LOG]")
    parser.add_argument("--models-file", default=_env("MODELS_FILE"),
                        help="TOML file that adds or overrides registry entries [DEMO_MODELS_FILE]")
    parser.add_argument("--backend", choices=("local", "ray"), default=_env("BACKEND", "local"),
                        help="where models run: 'local' in this process, or 'ray': each model as a Ray Serve "
                             "deployment (pip install -r requirements-ray.txt; see README 'Scale out on Ray "
                             "Serve') [DEMO_BACKEND]")
    parser.add_argument("--ray-address", default=_env("RAY_ADDRESS"),
                        help="with --backend ray: the cluster to use, e.g. 10.0.0.5:6379 or auto; unset, a "
                             "private local Ray starts [DEMO_RAY_ADDRESS]")
    parser.add_argument("--ray-replicas", default=_env("RAY_REPLICAS"),
                        help="with --backend ray: replicas of every model this front end deploys, N or MIN-MAX "
                             "to autoscale (default: each entry's scaling) [DEMO_RAY_REPLICAS]")
    parser.add_argument("--ray-gpus", default=_env("RAY_GPUS"),
                        help="with --backend ray: GPUs per replica, a fraction packs several on one GPU "
                             "(default: by model kind, 0 on a cluster without GPUs) [DEMO_RAY_GPUS]")
    parser.add_argument("--ray-cpus", default=_env("RAY_CPUS"),
                        help="with --backend ray: CPUs per replica (default 1; 0.05 for tiny twins) "
                             "[DEMO_RAY_CPUS]")
    parser.add_argument("--data-dir", default=_env("DATA_DIR", "data"),
                        help="folder where the app saves what users make (fine-tuned models, under "
                             "fine-tuned/); they are served again after a restart [DEMO_DATA_DIR]")
    parser.add_argument("--log-level", default=_env("LOG_LEVEL", "INFO"), help="[DEMO_LOG_LEVEL]")
    return parser


def _device(value: str) -> str:
    try:
        return check_device_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _int_at_least(minimum: int, message: str):
    def parse(value: str) -> int:
        number = int(value)
        if number < minimum:
            raise argparse.ArgumentTypeError(message)
        return number
    parse.__name__ = "integer"  # argparse names it in "invalid integer value"
    return parse


_positive_int = _int_at_least(1, "must be at least 1")
_non_negative_int = _int_at_least(0, "must be 0 or more")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.demos = [name.strip() for name in args.demos.split(",") if name.strip()]
    unknown = [name for name in args.demos if name not in DEMO_MODULES]
    if unknown or not args.demos:
        parser.error(f"--demos: unknown {unknown}; choose from {', '.join(DEMO_MODULES)}")
    if isinstance(args.rate_limit, str):  # from the environment
        args.rate_limit = _positive_int(args.rate_limit)
    args.auth = _login_pairs(parser, args.auth or _env("AUTH"), args.auth_file)
    if isinstance(args.proxy_hops, str):  # from the environment
        args.proxy_hops = _non_negative_int(args.proxy_hops)
    if args.hf_login != "off" and not os.environ.get("OAUTH_CLIENT_ID"):
        parser.error("--hf-login needs a Hugging Face Space with `hf_oauth: true` in its README front matter "
                     "(the Space then sets OAUTH_CLIENT_ID); elsewhere use --auth or --auth-file")
    try:
        from models.ray_config import ScalingOverride

        args.ray_scaling = ScalingOverride.parse(args.ray_replicas, args.ray_gpus, args.ray_cpus)
    except ValueError as exc:
        parser.error(f"--ray-*: {exc}")
    return args


def _login_pairs(parser: argparse.ArgumentParser, auth: str | None, auth_file: str | None):
    """The user:password pairs for gradio's login, or None (no login)."""
    from demos.access import parse_auth, read_auth_file

    try:
        pairs = parse_auth(auth) if auth else []
        pairs += read_auth_file(auth_file) if auth_file else []
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    return pairs or None


def make_manager(args: argparse.Namespace) -> ModelManager:
    registry = builtin_registry()
    if args.models_file:
        registry = registry.with_models_file(args.models_file)
    FineTunedStore(args.data_dir).restore(registry)  # models fine-tuned on this server before a restart
    if args.backend == "ray":  # Ray is imported when the first model is needed
        from models.ray_backend import RayModelManager

        return RayModelManager(registry, profile=args.profile, device=args.device, address=args.ray_address,
                               scaling=args.ray_scaling, max_batch_size=args.max_batch_size,
                               concurrency=2 * args.gpu_concurrency * args.max_batch_size)
    return ModelManager(registry, profile=args.profile, device=args.device, max_models=args.max_models,
                        gpu_concurrency=args.gpu_concurrency, max_batch_size=args.max_batch_size,
                        compile_models=args.compile, cpu_int8=args.cpu_int8)


def build_app(args: argparse.Namespace, manager: ModelManager | None = None):
    import gradio as gr

    from demos import i18n
    from demos.access import Access, AuditLog, default_proxy_hops
    from demos import session_memory
    from demos.common import DemoContext

    from models import decode_budget

    manager = manager or make_manager(args)
    decode_budget.configure(args.max_decoded_mb)  # process-wide: the images and recordings of every tab
    access = Access(rate_limit=args.rate_limit, audit=AuditLog(args.audit_log) if args.audit_log else None,
                    proxy_hops=default_proxy_hops(args.proxy_hops), hf_login=args.hf_login)
    # twice a batch per slot: while one batch runs, the next one gathers in the batcher
    ctx = DemoContext(manager, concurrency=2 * args.gpu_concurrency * args.max_batch_size, access=access,
                      data_dir=args.data_dir)
    demos = [demo for demo in load_demos(args.demos) if ctx.specs(demo.TASK)]
    with i18n.Blocks(title="Transformer demo suite") as blocks:  # gr.Blocks, API labels in English
        gr.Markdown(i18n.text("header"))  # English or Chinese, following the browser's language
        if args.profile == "tiny":
            gr.Markdown(i18n.text("header.tiny"))
        if args.hf_login != "off":
            gr.LoginButton()  # gradio's Hugging Face OAuth (needs hf_oauth: true on the Space)
        for demo in demos:
            with gr.Tab(i18n.text(f"tab.{demo.NAME}"), id=demo.NAME):
                demo.build(ctx)
    i18n.translate_controls(blocks)  # the tabs' labels, hints and buttons in Chinese too
    blocks.queue(max_size=args.max_queue, default_concurrency_limit=1)
    session_memory.install(blocks)  # ~20 KB per session instead of ~0.36 MB (every API call is a session)
    blocks.manager = manager
    return blocks


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    limit_c_heap_arenas()  # before gradio starts its threads: memory freed by one is reused by the others
    trim_c_heap_every(30)  # the heap's high-water mark goes back to the system after a busy moment
    zerogpu.configure(args)  # on a ZeroGPU Space: cuda, default models loaded at start
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_limit.install()  # every log line bounded, whatever user value reaches it
    try:
        manager = make_manager(args)
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    blocks = build_app(args, manager)
    from demos import i18n  # gradio loads with the app, not with `import app`
    if args.preload:
        defaults = [manager.registry.default_for(demo.TASK).key for demo in load_demos(args.demos)
                    if manager.registry.for_task(demo.TASK)]
        manager.preload(defaults if args.backend == "ray" else defaults[: args.max_models])  # a cluster holds them all
    blocks.launch(server_name=args.host, server_port=args.port, share=args.share, show_error=True,
                  max_file_size=f"{args.max_upload_mb}mb",
                  mcp_server=args.mcp,
                  i18n=i18n.I18N,
                  auth=args.auth,
                  state_session_capacity=args.max_sessions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
