"""Memory budget: walking through every tab's models with a budget of N keeps at most N resident, and after
eviction the process memory returns to within 10% of its level before the walk (no leak).

    python bench/memory.py [--budget 2] [--device cpu]

Runs real-size random-weight twins (built locally) through the app's own manager and runners.
On CUDA it also checks that torch.cuda.memory_allocated drops back when models are evicted. Exits 1 on a miss.
"""

import argparse
import dataclasses
import sys

from bench.common import ROOT, verdict  # noqa: F401  (puts the project on sys.path)
from models.runtime.manager import ModelManager
from models.registry import Registry, builtin_registry
from models.families.twins import ensure_twin, real_size

SAMPLE_INPUTS = {
    "text-classification": "I love this movie and I would watch it again and again!",
    "token-classification": "Sarah works for Google in London.",
    "question-answering": ("Where does Sarah work?", "Sarah works for Google in London."),
}


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        import os

        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    specs = [s for s in builtin_registry() if s.task in SAMPLE_INPUTS and s.tiny is not None]
    real = [dataclasses.replace(s, checkpoint=str(ensure_twin(real_size(s)))) for s in specs]
    manager = ModelManager(Registry(real), device=args.device, max_models=args.budget)
    cuda = manager.placement.is_cuda

    def allocated_mb():
        import torch

        return torch.cuda.memory_allocated() / 2**20 if cuda else 0.0

    # warm-up walk: first loads import libraries, grow allocator pools and (on CUDA) load the kernels each
    # architecture uses; all of that stays by design and is not a leak. The measured walk comes after it.
    for spec in real:
        manager.get(spec.key)([SAMPLE_INPUTS[spec.task]])
    manager.close()
    before_rss, before_gpu = rss_mb(), allocated_mb()
    print(f"before the walk: RSS {before_rss:.0f} MB" + (f", CUDA allocated {before_gpu:.0f} MB" if cuda else ""))

    most_resident, peak_rss = 0, before_rss
    for round_ in range(2):
        for spec in real:
            manager.get(spec.key)([SAMPLE_INPUTS[spec.task]])
            resident = manager.resident_keys()
            most_resident = max(most_resident, len(resident))
            peak_rss = max(peak_rss, rss_mb())
            print(f"  round {round_ + 1}: {spec.key:<45} resident {len(resident)}  RSS {rss_mb():6.0f} MB"
                  + (f"  CUDA {allocated_mb():6.0f} MB" if cuda else ""))
    manager.close()
    after_rss, after_gpu = rss_mb(), allocated_mb()
    print(f"after evicting all: RSS {after_rss:.0f} MB (peak {peak_rss:.0f} MB)"
          + (f", CUDA allocated {after_gpu:.0f} MB" if cuda else ""))

    ok = verdict("budget", most_resident <= args.budget, f"at most {most_resident} resident (budget {args.budget})")
    ok &= verdict("no leak", after_rss <= before_rss * 1.10,
                  f"RSS after eviction {after_rss / before_rss:.2f}x its level before the walk (target <= 1.10x)")
    if cuda:
        ok &= verdict("GPU freed", after_gpu <= before_gpu + 16, f"CUDA allocated {before_gpu:.0f} -> {after_gpu:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
