"""GPU check: real-size random-weight models of the heavy entries through the app's own runners on CUDA in
bf16/fp16, beside a bare transformers baseline (fp32, one input at a time, as plain example code does it),
in the same run. Prints latency, throughput, peak VRAM and whether eviction frees GPU memory.

    python -m bench.gpu_check [--only KEY ...] [--batch 32] [--repeats 20]

Needs CUDA; builds the models locally from their configs (no download). Exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
import traceback
from typing import Callable

from bench.common import ROOT  # noqa: F401  (puts the project on sys.path)
from models.runtime.device import choose_placement, release_memory
from models.runtime.manager import default_loader
from models.families.twins import ensure_twin, real_size

# --- cases: what to feed each entry, and the bare baseline to compare with -------------------------

TEXTS = ["I love this movie and I would watch it again and again!",
         "Sarah works for Google in London, and her brother lives in Paris with his family.",
         "The food was cold, the service was slow and the room was dirty.",
         "Apple was founded by Steve Jobs, Steve Wozniak and Ronald Wayne in April 1976 in California."]
QA = [("Who founded Apple?", TEXTS[3] + " " + TEXTS[1] * 20), ("Where does Sarah work?", TEXTS[1])]


def pipeline_baseline(task: str) -> Callable:
    def make(folder: str):
        from transformers import pipeline

        pipe = pipeline(task, model=folder, device="cuda")  # fp32, the library default
        kwargs = {"top_k": None} if task == "text-classification" else {"aggregation_strategy": "simple"}
        return lambda items: [pipe(item, **kwargs) for item in items]
    return make


def qa_baseline(folder: str):
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForQuestionAnswering.from_pretrained(folder).to("cuda").eval()

    def run(items):
        answers = []
        for question, context in items:
            enc = tokenizer(question, context, truncation="only_second", max_length=384, return_tensors="pt").to("cuda")
            with torch.no_grad():
                out = model(**enc)
            start, end = int(out.start_logits.argmax()), int(out.end_logits.argmax())
            answers.append(tokenizer.decode(enc["input_ids"][0][start:end + 1]))
        return answers
    return run


CASES: dict[str, tuple[Callable[[int], list], Callable]] = {
    "text-classification/distilbert-sst2": (lambda n: (TEXTS * n)[:n], pipeline_baseline("text-classification")),
    "token-classification/bert-base-ner": (lambda n: (TEXTS * n)[:n], pipeline_baseline("token-classification")),
    "question-answering/xlm-roberta-squad2": (lambda n: (QA * n)[:n], qa_baseline),
}


# --- measuring ---------------------------------------------------------------------------------

def timed(fn: Callable[[], object], repeats: int = 5) -> float:
    """Median seconds of ``fn()`` after one warm-up call, synchronised with the GPU."""
    import torch

    fn()  # warm-up
    torch.cuda.synchronize()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def check(key: str, batch: int, repeats: int) -> bool:
    import torch

    from models.registry import builtin_registry

    make_inputs, make_baseline = CASES[key]
    spec = real_size(builtin_registry().get(key))
    folder = str(ensure_twin(spec))
    placement = choose_placement("cuda")
    one, many = make_inputs(1), make_inputs(batch)

    torch.cuda.empty_cache()
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    runner = default_loader(dataclasses.replace(spec, checkpoint=folder), "default", placement)
    loaded = torch.cuda.memory_allocated()
    ours_latency = timed(lambda: runner(one), repeats)
    ours_batch = timed(lambda: runner(many), max(3, repeats // 4))
    peak = torch.cuda.max_memory_allocated()
    runner.close()
    release_memory(placement)
    freed = torch.cuda.memory_allocated()

    baseline = make_baseline(folder)
    base_latency = timed(lambda: baseline(one), repeats)
    base_batch = timed(lambda: baseline(many), max(3, repeats // 4))
    del baseline
    release_memory(placement)

    print(f"{key}  [{placement.describe()}; real-size random weights]")
    print(f"  latency, 1 input:     ours {ours_latency * 1000:8.1f} ms   baseline fp32 {base_latency * 1000:8.1f} ms"
          f"   -> {base_latency / ours_latency:5.2f}x faster")
    print(f"  throughput, {batch} inputs: ours {batch / ours_batch:8.1f} /s   baseline fp32 {batch / base_batch:8.1f} /s"
          f"   -> {base_batch / ours_batch:5.2f}x")
    print(f"  VRAM: weights {(loaded - before) / 2**20:7.0f} MB, peak {(peak - before) / 2**20:7.0f} MB; "
          f"after eviction {(freed - before) / 2**20:5.0f} MB above the start")
    # the first matrix product allocates cuBLAS's workspace (tens of MB), which stays for the process
    return freed - before < 64 * 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=list(CASES))
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 1
    print(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    ok = True
    for key in args.only:
        try:
            ok &= check(key, args.batch, args.repeats)
        except Exception:
            traceback.print_exc()
            print(f"FAILED {key}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
