"""Throughput under load and single-user latency: our app against a naive gr.Interface + pipeline app,
measured in the same run, on a bert-base-sized random-weight classifier (CPU).

    python bench/throughput.py [--clients 32] [--seconds 20]

Targets: requests/s under load >= 3x the baseline; single-user latency <= 1.05x the baseline. Exits 1 on a miss.
Our app runs as it starts by default (on CPU: batching plus int8 text encoders); a third row under load shows it
with --no-cpu-int8, to tell the share of batching from that of int8.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import load, server, verdict
from bench.realsize import bert_base_classifier, models_file_pointing

SENTENCES = [
    "I love this movie and I would watch it again and again!",
    "The food was cold, the service was slow and the room was dirty, so we left early.",
    "Great value.",
    "This is the best purchase I have made all year; it works perfectly and the battery lasts for days "
    "even when I use it all the time for music, maps and video calls with my family abroad.",
    "Terrible.",
    "The plot was boring and the acting was terrible. What a waste of time and money.",
    "Not bad at all, although the ending could have been better and the middle part drags a little.",
    "Absolutely wonderful staff, a clean room and a view of the sea: we will come back next summer.",
]


def measure(url, api, payloads, clients, seconds):
    load(url, api, payloads, clients=min(clients, 4), seconds=2)  # warm up: first load, allocator, caches
    return load(url, api, payloads, clients=clients, seconds=seconds)


def show(name, r):
    print(f"  {name:<10} {r['rps']:7.1f} req/s   p50 {r['p50'] * 1000:7.0f} ms   p95 {r['p95'] * 1000:7.0f} ms   "
          f"({r['requests']} ok, {r['failures']} failed; load client used {r['client_cpu_share']:.0%} of a core)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    spec, folder = bert_base_classifier()
    models_file = models_file_pointing(spec, folder, Path(tempfile.mkdtemp()) / "models.toml")
    ours_cmd = [sys.executable, "app.py", "--demos", "text-classification", "--device", "cpu",
                "--models-file", str(models_file), "--port", "{PORT}"]
    naive_cmd = [sys.executable, "bench/naive_app.py", "--model", str(folder), "--port", "{PORT}"]
    ours_payloads = [[s, spec.key] for s in SENTENCES]
    naive_payloads = [[s] for s in SENTENCES]

    results = {}
    for clients in (args.clients, 1):
        with server(naive_cmd) as (url, _):
            results["naive", clients] = measure(url, "classify", naive_payloads, clients, args.seconds)
        with server(ours_cmd) as (url, _):
            results["ours", clients] = measure(url, "classify_text", ours_payloads, clients, args.seconds)
    with server(ours_cmd + ["--no-cpu-int8"]) as (url, _):
        results["ours fp32", args.clients] = measure(url, "classify_text", ours_payloads, args.clients, args.seconds)

    print(f"bert-base-sized classifier ({folder.name}), CPU")
    for clients in (args.clients, 1):
        print(f"{clients} concurrent client(s), {args.seconds:.0f} s:")
        show("naive", results["naive", clients])
        show("ours", results["ours", clients])
        if ("ours fp32", clients) in results:
            show("ours fp32", results["ours fp32", clients])
    speedup = results["ours", args.clients]["rps"] / results["naive", args.clients]["rps"]
    single = results["ours", 1]["p50"] / results["naive", 1]["p50"]
    ok = verdict("throughput", speedup >= 3.0, f"{speedup:.2f}x the naive app's requests/s (target >= 3x)")
    ok &= verdict("single user", single <= 1.05, f"p50 latency {single:.2f}x the naive app's (target <= 1.05x)")
    ok &= verdict("no failures", all(r["failures"] == 0 for r in results.values()), "every request answered")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
