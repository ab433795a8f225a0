"""Command line for the model side.

    python -m models spaces-header [--write]      # the README's Hugging Face Spaces front matter
    python -m models download [--demos a,b] [--all] [--models-file F]   # prefetch into the HF cache
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
    args = parser.parse_args(argv)

    from models.registry import builtin_registry

    if args.command == "spaces-header":
        from models import spaces

        if args.write:
            changed = spaces.write_readme()
            print(f"{spaces.README.name}: front matter {'updated' if changed else 'already up to date'}")
        else:
            print(spaces.front_matter(), end="")
        return 0

    from models import prefetch

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
