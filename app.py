"""The demo suite: one Gradio app, one tab per application area of Transformer models.

    python app.py                      # real checkpoints from the Hugging Face Hub, loaded on first use
    python app.py --profile tiny       # offline, on tiny random-weight twins (every code path, no download)

Every option can also be set by an environment variable (for Hugging Face Spaces and containers);
`python app.py --help` lists both. torch and transformers are imported when a model first loads.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Mapping

from demos import load_demos
from demos.server import zerogpu
from models.runtime import log_limit
from models.runtime.device import check_device_name, limit_c_heap_arenas, trim_c_heap_every
from models.fine_tune.store import FineTunedStore
from models.runtime.manager import MACHINE, PROFILES, ModelManager
from models.registry import RegistryError, builtin_registry
from models.settings import Settings, environment_problem
from models.registry.tasks import NAMES, unknown_names

log = logging.getLogger("app")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """One line and exit status 2 (argparse's usage block would bury what is wrong)."""
        self.exit(2, f"{self.prog}: error: {message} (`python app.py --help` lists every option)\n")


def build_parser(env: Settings | None = None) -> argparse.ArgumentParser:
    """The command line; each option's default is its value in ``env`` (the settings the environment gives)."""
    env = Settings.from_environment() if env is None else env
    parser = _Parser(
        description="Try the main applications of Transformer models in a browser.",
        epilog="Each option falls back to the environment variable in brackets, e.g. DEMO_PROFILE=tiny.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--profile", choices=PROFILES, default=env.profile,
                        help="'default': real checkpoints from the hub; 'tiny': offline random-weight "
                             "twins built locally [DEMO_PROFILE]")
    parser.add_argument("--demos", default=",".join(NAMES if env.demos is None else env.demos),
                        help=f"comma-separated tabs to show, from: {', '.join(NAMES)} [DEMO_DEMOS]")
    parser.add_argument("--host", default=env.host,
                        help="address to listen on; 0.0.0.0 to serve the network [DEMO_HOST]")
    parser.add_argument("--port", type=int, default=env.port,
                        help="port to listen on [DEMO_PORT]")
    parser.add_argument("--share", action="store_true", default=env.share,
                        help="also serve through a temporary public gradio.live link [DEMO_SHARE]")
    parser.add_argument("--preload", action="store_true", default=env.preload,
                        help="load each tab's default model at start instead of on first use [DEMO_PRELOAD]")
    parser.add_argument("--device", type=_device, default=env.device,
                        help="auto (cuda > mps > cpu), cpu, mps, cuda or cuda:N [DEMO_DEVICE]")
    parser.add_argument("--memory-budget-gb", type=_positive_gb, default=env.memory_budget_gb,
                        help="memory budget: loaded models' measured sizes add up to at most this many GB; a model "
                             "that does not fit evicts the least recently used ones (default: 80%% of the GPU's "
                             "memory on CUDA, else half the machine's RAM) [DEMO_MEMORY_BUDGET_GB]")
    parser.add_argument("--max-models", type=_positive_int, default=env.max_models,
                        help="also keep at most N models loaded at once (default: no count limit, only "
                             "--memory-budget-gb) [DEMO_MAX_MODELS]")
    parser.add_argument("--gpu-concurrency", type=_positive_int, default=env.gpu_concurrency,
                        help="model executions in flight at once, across all tabs (one GPU queue) "
                             "[DEMO_GPU_CONCURRENCY]")
    parser.add_argument("--max-batch-size", type=_positive_int, default=env.max_batch_size,
                        help="most concurrent requests to one model grouped into one batch [DEMO_MAX_BATCH_SIZE]")
    parser.add_argument("--max-queue", type=_positive_int, default=env.max_queue,
                        help="requests waiting beyond this are turned away with a 'server busy' message "
                             "[DEMO_MAX_QUEUE]")
    parser.add_argument("--max-upload-mb", type=_positive_int, default=env.max_upload_mb,
                        help="largest file a user may upload, in MB [DEMO_MAX_UPLOAD_MB]")
    parser.add_argument("--max-decoded-mb", type=_positive_int, default=env.max_decoded_mb,
                        help="memory for decoded images and recordings in flight, all requests together, in MB: "
                             "a small file can decode to gigabytes (a PNG bomb, a many-channel recording); a request "
                             "beyond it waits a few seconds for others to finish, then is refused [DEMO_MAX_DECODED_MB]")
    parser.add_argument("--max-sessions", type=_positive_int, default=env.max_sessions,
                        help="sessions whose state gradio keeps in memory (oldest dropped first); every API "
                             "call is a session of its own (about 12 KB each here; gradio's own state took "
                             "0.4 MB, and its default of 10,000 let memory grow by gigabytes under API load) "
                             "[DEMO_MAX_SESSIONS]")
    parser.add_argument("--compile", action="store_true", default=env.compile,
                        help="torch.compile each model when it loads (slower first load, warmed up then) "
                             "[DEMO_COMPILE]")
    parser.add_argument("--cpu-int8", action=argparse.BooleanOptionalAction,
                        default=env.cpu_int8,
                        help="on CPU, run the text encoders (classification, entities, question answering) "
                             "with int8 weights (PyTorch dynamic quantization): 2-3x faster, scores within a "
                             "few hundredths of fp32; --no-cpu-int8 keeps fp32 [DEMO_CPU_INT8, default on]")
    parser.add_argument("--mcp", action="store_true", default=env.mcp,
                        help="also serve every tab as a tool of an MCP server at /gradio_api/mcp/ [DEMO_MCP]")
    parser.add_argument("--mcp-token", default=None,
                        help="with --mcp: MCP clients must send 'Authorization: Bearer TOKEN' (at least 16 "
                             "characters; needed with --auth, as MCP clients cannot use the login page); prefer "
                             "DEMO_MCP_TOKEN, which other users of the machine cannot see [DEMO_MCP_TOKEN]")
    parser.add_argument("--auth", default=None,
                        help="require a login: comma-separated user:password pairs; prefer DEMO_AUTH or "
                             "--auth-file, which other users of the machine cannot see [DEMO_AUTH]")
    parser.add_argument("--auth-file", default=env.auth_file,
                        help="require a login: a file with one user:password per line, kept outside the "
                             "repository [DEMO_AUTH_FILE]")
    parser.add_argument("--rate-limit", type=_positive_int, default=env.rate_limit,
                        help="most requests per minute per tab for each user (or client address without a "
                             "login); unlimited when unset [DEMO_RATE_LIMIT]")
    parser.add_argument("--proxy-hops", type=_non_negative_int, default=env.proxy_hops,
                        help="reverse proxies in front of the app that append to X-Forwarded-For, so the rate "
                             "limit and audit log see the user's address, not the proxy's (default: 1 on a "
                             "Hugging Face Space, else 0) [DEMO_PROXY_HOPS]")
    parser.add_argument("--hf-login", choices=("off", "optional", "required"), default=env.hf_login,
                        help="Hugging Face sign-in (on a Space whose README front matter has hf_oauth: true): "
                             "'optional' adds a sign-in button and names signed-in users in the rate limit and "
                             "audit log; 'required' refuses model requests until the user signs in [DEMO_HF_LOGIN]")
    parser.add_argument("--audit-log", default=env.audit_log,
                        help="write one JSON line per model request (time, user or hashed address, tab, model, "
                             "duration, outcome; no user input) to this file, rotated at 10 MB [DEMO_AUDIT_LOG]")
    parser.add_argument("--models-file", default=env.models_file,
                        help="TOML file that adds or overrides registry entries [DEMO_MODELS_FILE]")
    parser.add_argument("--backend", choices=("local", "ray"), default=env.backend,
                        help="where models run: 'local' in this process, or 'ray': each model as a Ray Serve "
                             "deployment (pip install -r requirements-ray.txt; see README 'Scale out on Ray "
                             "Serve') [DEMO_BACKEND]")
    parser.add_argument("--ray-address", default=env.ray_address,
                        help="with --backend ray: the cluster to use, e.g. 10.0.0.5:6379 or auto; unset, a "
                             "private local Ray starts [DEMO_RAY_ADDRESS]")
    parser.add_argument("--ray-replicas", default=env.ray_replicas,
                        help="with --backend ray: replicas of every model this front end deploys, N or MIN-MAX "
                             "to autoscale (default: each entry's scaling) [DEMO_RAY_REPLICAS]")
    parser.add_argument("--ray-gpus", default=env.ray_gpus,
                        help="with --backend ray: GPUs per replica, a fraction packs several on one GPU "
                             "(default: by model kind, 0 on a cluster without GPUs) [DEMO_RAY_GPUS]")
    parser.add_argument("--ray-cpus", default=env.ray_cpus,
                        help="with --backend ray: CPUs per replica (default 1; 0.05 for tiny twins) "
                             "[DEMO_RAY_CPUS]")
    parser.add_argument("--data-dir", default=env.data_dir,
                        help="folder where the app saves what users make (fine-tuned models, under "
                             "fine-tuned/); they are served again after a restart [DEMO_DATA_DIR]")
    parser.add_argument("--log-level", type=str.upper, default=env.log_level,
                        choices=LOG_LEVELS, help="[DEMO_LOG_LEVEL]")
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


def _positive_gb(value: str) -> float:
    number = float(value)
    if not 0.01 <= number < float("inf"):
        raise argparse.ArgumentTypeError("must be a number of GB, 0.01 or more")
    return number


_positive_gb.__name__ = "number"  # argparse names it in "invalid number value"


def parse_args(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The app's settings: the command line over the environment (read by ``models.settings``), checked; a bad
    value stops the start with one line naming it."""
    problem = environment_problem(environ)
    if problem:
        _Parser().error(problem)
    env = Settings.from_environment(environ)
    parser = build_parser(env)
    args = parser.parse_args(argv)
    if args.log_level not in LOG_LEVELS:  # argparse checks the choices of a flag, not of DEMO_LOG_LEVEL
        parser.error(f"--log-level [DEMO_LOG_LEVEL]: {args.log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    args.demos = tuple(name.strip() for name in args.demos.split(",") if name.strip())
    unknown = unknown_names(args.demos)
    if unknown or not args.demos:
        parser.error(f"--demos: unknown {unknown}; choose from {', '.join(NAMES)}")
    args.auth = args.auth or env.auth  # (secrets have no default on the parser: --help would show them)
    args.logins = _login_pairs(parser, args.auth, args.auth_file)
    args.mcp_token = _mcp_token(parser, args.mcp_token or env.mcp_token, args.mcp, args.logins)
    if args.hf_login != "off" and not (os.environ if environ is None else environ).get("OAUTH_CLIENT_ID"):
        parser.error("--hf-login needs a Hugging Face Space with `hf_oauth: true` in its README front matter "
                     "(the Space then sets OAUTH_CLIENT_ID); elsewhere use --auth or --auth-file")
    try:
        from models.runtime.ray_config import ScalingOverride

        args.ray_scaling = ScalingOverride.parse(args.ray_replicas, args.ray_gpus, args.ray_cpus)
    except ValueError as exc:
        parser.error(f"--ray-*: {exc}")
    return dataclasses.replace(env, **vars(args))


def _login_pairs(parser: argparse.ArgumentParser, auth: str | None, auth_file: str | None):
    """The user:password pairs for gradio's login, or None (no login)."""
    from demos.server.access import parse_auth, read_auth_file

    try:
        pairs = parse_auth(auth) if auth else []
        pairs += read_auth_file(auth_file) if auth_file else []
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    return pairs or None


def startup_problem(args: Settings) -> str | None:
    """What stops the app from serving as configured (a folder it cannot write, a port in use), found before
    anything loads; None when all is well."""
    from models.runtime import startup

    checks = [lambda: startup.port_problem(args.host, args.port)]
    if "fine-tune" in args.demos:
        checks += [lambda: startup.writable_folder_problem(args.data_dir, "--data-dir [DEMO_DATA_DIR]"),
                   lambda: startup.writable_folder_problem(FineTunedStore(args.data_dir).root, "the models folder")]
    if args.audit_log:
        checks.append(lambda: startup.writable_file_problem(args.audit_log, "--audit-log [DEMO_AUDIT_LOG]"))
    if args.generated_dir:
        checks.append(lambda: startup.served_folder_problem(args.generated_dir, "DEMO_GENERATED_DIR"))
    return next((problem for problem in (check() for check in checks) if problem), None)


def allowed_paths(args: Settings) -> list[str]:
    """Folders outside the system temp folder whose files the app serves: DEMO_GENERATED_DIR's images."""
    return [str(os.path.abspath(os.path.expanduser(args.generated_dir)))] if args.generated_dir else []


def _mcp_token(parser: argparse.ArgumentParser, token: str | None, mcp: bool, auth) -> str | None:
    """The bearer token MCP clients must send, or None (MCP as open as the UI)."""
    if token and not mcp:
        parser.error("--mcp-token is for the MCP server: add --mcp (or DEMO_MCP=1)")
    if token and len(token) < 16:
        parser.error("--mcp-token: use at least 16 characters, e.g. from "
                     "python -c 'import secrets; print(secrets.token_urlsafe())'")
    if mcp and auth and not token:
        parser.error("--mcp with a login needs --mcp-token (or DEMO_MCP_TOKEN): MCP clients cannot use the "
                     "login page")
    return token


def make_manager(args: Settings) -> ModelManager:
    registry = builtin_registry()
    if args.models_file:
        registry = registry.with_models_file(args.models_file)
    FineTunedStore(args.data_dir).restore(registry)  # models fine-tuned on this server before a restart
    if args.backend == "ray":  # Ray is imported when the first model is needed
        from models.runtime.ray_backend import RayModelManager

        return RayModelManager(registry, profile=args.profile, device=args.device, address=args.ray_address,
                               scaling=args.ray_scaling, max_batch_size=args.max_batch_size,
                               deploy_timeout=args.ray_deploy_timeout,
                               concurrency=2 * args.gpu_concurrency * args.max_batch_size)
    budget = MACHINE if args.memory_budget_gb is None else int(args.memory_budget_gb * 1e9)
    return ModelManager(registry, profile=args.profile, device=args.device, max_models=args.max_models,
                        gpu_concurrency=args.gpu_concurrency, max_batch_size=args.max_batch_size,
                        compile_models=args.compile, cpu_int8=args.cpu_int8, memory_budget=budget)


def build_app(args: Settings, manager: ModelManager | None = None):
    import gradio as gr

    from demos.ui import i18n, layout
    from demos.server.access import Access, AuditLog, kept_salt
    from demos.server import session_memory
    from demos.ui.common import DemoContext

    from models.runtime import decode_budget

    manager = manager or make_manager(args)
    decode_budget.configure(args.max_decoded_mb)  # process-wide: the images and recordings of every tab
    access = Access(rate_limit=args.rate_limit, audit=AuditLog(args.audit_log) if args.audit_log else None,
                    hf_login=args.hf_login, salt=kept_salt(args.data_dir, args.audit_salt))
    # twice a batch per slot: while one batch runs, the next one gathers in the batcher
    ctx = DemoContext(manager, settings=args, concurrency=2 * args.gpu_concurrency * args.max_batch_size,
                      access=access)
    demos = [demo for demo in load_demos(args.demos) if ctx.specs(demo.TASK)]
    with i18n.Blocks(title="Transformer demo suite") as blocks:  # gr.Blocks, API labels in English
        gr.Markdown(i18n.text("header"), elem_id="suite-header")  # English or Chinese, as the browser's language
        if args.profile == "tiny":
            gr.Markdown(i18n.text("header.tiny"))
        if args.hf_login != "off":
            gr.LoginButton()  # gradio's Hugging Face OAuth (needs hf_oauth: true on the Space)
        layout.build(demos, lambda demo: demo.build(ctx))  # the demos grouped by area, a link for each
        ctx.links.ready()  # links between tabs (speak it back), wired once every tab is built
    i18n.translate_controls(blocks)  # the tabs' labels, hints and buttons in Chinese too
    blocks.queue(max_size=args.max_queue, default_concurrency_limit=1)
    access.install(blocks)  # every other API endpoint audited (and rate limited), refusals before the handler too
    session_memory.install(blocks)  # ~20 KB per session instead of ~0.36 MB (every API call is a session)
    blocks.manager = manager
    blocks.access = access
    return blocks


# the login page ignores a throttled answer (429, demos/server/gateway.py), so it says beforehand what happens
LOGIN_MESSAGE = ("After several wrong passwords, the next try waits a little (at most a minute): if Login does "
                 "nothing, wait and press it again.")


def gateway(args: Settings, access) -> list:
    """The ASGI middleware in front of gradio's app (``demos.server.gateway``): client address, MCP token, body
    bound, login throttle; for ``launch(app_kwargs={"middleware": ...})``."""
    from starlette.middleware import Middleware

    from demos.server.access import default_proxy_hops
    from demos.server.gateway import Gateway, GatewaySettings, body_bound, serve_without_uvicorn_proxy_headers

    serve_without_uvicorn_proxy_headers()
    settings = GatewaySettings(proxy_hops=default_proxy_hops(args.proxy_hops), access=access,
                               max_body_bytes=body_bound(args.max_upload_mb), mcp_token=args.mcp_token)
    return [Middleware(Gateway, settings=settings)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    limit_c_heap_arenas()  # before gradio starts its threads: memory freed by one is reused by the others
    trim_c_heap_every(30)  # the heap's high-water mark goes back to the system after a busy moment
    args = zerogpu.configure(args)  # on a ZeroGPU Space: cuda, default models loaded at start
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_limit.install()  # every log line bounded, whatever user value reaches it
    try:
        problem = startup_problem(args)
        manager = None if problem else make_manager(args)
    except RegistryError as exc:
        problem = str(exc)
    if problem:
        print(f"app.py: error: {problem}", file=sys.stderr)
        return 2
    blocks = build_app(args, manager)
    from demos.ui import i18n, layout# gradio loads with the app, not with `import app`
    if args.preload:
        defaults = [manager.registry.default_for(demo.TASK).key for demo in load_demos(args.demos)
                    if manager.registry.for_task(demo.TASK)]
        manager.preload(defaults if args.backend == "ray" else defaults[: args.max_models])  # a cluster holds them all
    css = "\n".join([layout.css()] + [getattr(demo, "CSS", "") for demo in load_demos(args.demos)])  # tabs' own
    blocks.launch(server_name=args.host, server_port=args.port, share=args.share, show_error=True, css=css,
                  js=layout.JS,
                  max_file_size=f"{args.max_upload_mb}mb",
                  mcp_server=args.mcp,
                  i18n=i18n.I18N,
                  auth=args.logins,
                  auth_message=LOGIN_MESSAGE if args.logins else None,
                  state_session_capacity=args.max_sessions,
                  allowed_paths=allowed_paths(args),
                  app_kwargs={"middleware": gateway(args, blocks.access)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
