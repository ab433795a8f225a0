"""Start-up: process start to HTTP 200 on / for the full app, against a bare gradio app with as many empty tabs.

    python bench/startup.py [--runs 3]

Target: ours <= 1.3x the bare app (model libraries are imported on first load only). Exits 1 on a miss.
"""

import argparse
import statistics
import sys

from bench.common import server, verdict
from models.registry.tasks import TASKS

TARGET = 1.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tabs = len(TASKS)
    ours, bare = [], []
    for _ in range(args.runs):  # alternate, so both see the same machine state
        with server([sys.executable, "bench/bare_app.py", "--tabs", str(tabs), "--port", "{PORT}"]) as (_, s):
            bare.append(s)
        with server([sys.executable, "app.py", "--port", "{PORT}"]) as (_, s):
            ours.append(s)
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    print(f"bare gradio, {tabs} empty tabs: median {bare_s:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in bare)})")
    print(f"demo suite, {tabs} tabs:        median {ours_s:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in ours)})")
    ok = verdict("start-up", ours_s <= TARGET * bare_s, f"ratio {ours_s / bare_s:.2f}x (target <= {TARGET}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
