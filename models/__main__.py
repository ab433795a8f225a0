"""Command line for the model side.

    python -m models spaces-header [--write]      # the README's Hugging Face Spaces front matter
    python -m models download [--demos a,b] [--all] [--models-file F]   # prefetch into the HF cache
    python -m models ray-config [--demos a,b] [--all] [--replicas N|MIN-MAX] [--gpus X] > serve.yaml
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models")
    commands = parser.add_subparsers(dest="command", required=True)
    header = commands.add_parser("spaces-header", help="print (or --write into README.md) the Spaces front matter")
    header.add_argument("--write", action="store_true", help="rewrite README.md's front matter in place")
    download = commands.add_parser("download", help="download checkpoints into the Hugging Face cache")
    download.add_argument("--demos", default="", help="comma-separated tabs whose default model to fetch "
                                                      "(default: every tab)")
    download.add_argument("--all", action="store_true", help="every registry entry, not only the defaults")
    download.add_argument("--models-file", help="TOML models file to add to the registry first")
    ray = commands.add_parser("ray-config", help="print a Ray Serve config (YAML) for `serve deploy`: one "
                                                 "application per model")
    ray.add_argument("--demos", default="", help="comma-separated tabs (default: every tab)")
    ray.add_argument("--all", action="store_true", help="every entry of those tabs, not only their defaults")
    ray.add_argument("--models-file", help="TOML models file to add to the registry first (the replicas read "
                                           "the same path, so it must exist on the cluster)")
    ray.add_argument("--profile", default="default", choices=("default", "tiny"))
    ray.add_argument("--device", default="auto", help="device inside each replica (auto: its GPU if it has one)")
    ray.add_argument("--replicas", help="replicas of every model, N or MIN-MAX (default: each entry's scaling)")
    ray.add_argument("--gpus", help="GPUs per replica for every model (default: by model kind)")
    ray.add_argument("--cpus", help="CPUs per replica for every model")
    args = parser.parse_args(argv)

    from models.registry import builtin_registry

    if args.command == "spaces-header":
        from models.tools import spaces

        if args.write:
            changed = spaces.write_readme()
            print(f"{spaces.README.name}: front matter {'updated' if changed else 'already up to date'}")
        else:
            print(spaces.front_matter(), end="")
        return 0

    if args.command == "ray-config":
        from models.runtime import ray_config
        from models.registry.tasks import NAMES, task_named, unknown_names

        registry = builtin_registry()
        if args.models_file:
            registry = registry.with_models_file(args.models_file)
        tabs = [tab.strip() for tab in args.demos.split(",") if tab.strip()] or list(NAMES)
        unknown = unknown_names(tabs)
        if unknown:
            parser.error(f"unknown tab(s) {unknown}; choose from {', '.join(NAMES)}")
        try:
            override = ray_config.ScalingOverride.parse(args.replicas, args.gpus, args.cpus)
        except ValueError as exc:
            parser.error(str(exc))
        tasks = [task_named(tab).task for tab in tabs]
        specs = [spec for task in dict.fromkeys(tasks) for spec in registry.for_task(task)[: None if args.all else 1]]
        config = ray_config.serve_config(specs, args.profile, args.device, override, args.models_file)
        print(ray_config.serve_config_yaml(config), end="")
        return 0

    from models.tools import prefetch

    registry = builtin_registry()
    if args.models_file:
        registry = registry.with_models_file(args.models_file)
    tabs = [tab.strip() for tab in args.demos.split(",") if tab.strip()] or None
    try:
        specs = prefetch.select(registry, tabs, everything=args.all)
    except ValueError as exc:
        parser.error(str(exc))
    results = prefetch.download_all(specs)
    return 1 if any(result.error for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
