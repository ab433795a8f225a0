"""GPU check for the learning tabs: real-size random-weight models through the app's runners on CUDA.

    python bench/explain_gpu_check.py        # on a machine with CUDA; no download (configs only)

- Attention explorer (bert-base-uncased, bert-base-chinese, distilbert-base-uncased shapes): the runner's call
  on a 128-token text (eager attention, float32, attentions out, the worked row recomputed in numpy) beside a
  bare ``AutoModel`` forward with SDPA and no attentions, which is what the explorer costs over plain inference;
  and the largest gap between the worked row and the model's row, and between a row's sum and 1.
- Knowledge graph (rebel-large shape, bart-large with REBEL's vocabulary): the runner's call beside bare
  ``model.generate`` with the same settings (3 beams, 64 new tokens forced) on the same model.
Exits 1 when a check fails (worked row off by more than 1e-4, rows not summing to 1).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.gpu_check import timed  # noqa: E402  (median of GPU-synchronised runs after a warm-up)

TEXT = "The animal didn't cross the street because it was too tired, and then it rained all day. " * 8
ATTENTION = ["attention/bert-base-uncased", "attention/bert-base-chinese", "attention/distilbert-base-uncased"]
REBEL = "knowledge-graph/rebel-large"
REPEATS = 10


def load(key: str):
    from models.runtime.device import choose_placement
    from models.runtime.manager import default_loader
    from models.registry import builtin_registry
    from models.families.twins import ensure_twin, real_size

    spec = real_size(builtin_registry().get(key))
    folder = str(ensure_twin(spec))
    runner = default_loader(dataclasses.replace(spec, checkpoint=folder), "default", choose_placement("cuda"))
    return runner, folder


def check_attention(key: str) -> bool:
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    runner, folder = load(key)
    maps = runner([TEXT], layer=1, head=1, token=10)[0]
    gap = float(np.abs(maps.worked.weights - maps.attention[1, 10]).max())
    row_sums = float(np.abs(maps.attention.sum(axis=-1) - 1).max())
    ours = timed(lambda: runner([TEXT], layer=1, head=1, token=10), REPEATS)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    bare = AutoModel.from_pretrained(folder, dtype=torch.bfloat16).to("cuda").eval()  # SDPA, the default
    encoded = tokenizer(TEXT, return_tensors="pt", truncation=True, max_length=runner.window).to("cuda")

    def plain():
        with torch.inference_mode():
            bare(**encoded)

    base = timed(plain, REPEATS)
    print(f"{key}: {len(maps.tokens)} tokens, {maps.layers} layers x {maps.heads} heads [real-size random weights]")
    print(f"  explorer call {ours * 1000:7.1f} ms   bare bf16 SDPA forward {base * 1000:7.1f} ms   "
          f"-> the explorer costs {ours / base:5.1f}x plain inference")
    print(f"  worked row vs model row: max gap {gap:.2e}; rows sum to 1 within {row_sums:.1e}")
    runner.close()
    del bare
    torch.cuda.empty_cache()
    return gap < 1e-4 and row_sums < 1e-4


def check_rebel() -> bool:
    import torch

    runner, _ = load(REBEL)
    settings = dict(num_beams=3, length_penalty=0.0, max_new_tokens=64, min_new_tokens=64)
    texts = [TEXT[:300]] * 4
    ours = timed(lambda: runner(texts, **settings), 3)
    inputs = runner._encode(texts, runner.params)

    def bare():
        with torch.inference_mode():
            runner.model.generate(**inputs, num_beams=3, length_penalty=0.0, max_new_tokens=64, min_new_tokens=64)

    base = timed(bare, 3)
    print(f"{REBEL}: 4 texts, 3 beams, 64 new tokens [real-size random weights, {runner.placement.describe()}]")
    print(f"  runner {ours * 1000:7.0f} ms   bare generate {base * 1000:7.0f} ms   -> ratio {ours / base:5.2f}")
    runner.close()
    return True


def main() -> int:
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 1
    print(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    ok = all([check_attention(key) for key in ATTENTION])
    ok &= check_rebel()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
