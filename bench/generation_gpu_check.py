"""GPU check for the generation runners: real-size random-weight models, the app's runners vs bare transformers.

    python bench/generation_gpu_check.py            # on a machine with CUDA; no download (configs only)

For each family (Qwen2.5-0.5B-Instruct, distilbart-cnn-12-6, opus-mt) it builds a model with the real
checkpoint's dimensions from its config class (random weights), borrows the tokenizer of the tiny twin
(ids the twin's tokenizer does not know are suppressed, for baseline and app alike), and times, in the same run and on the same inputs:
  - baseline: ``model.generate`` on the same model, greedy, fixed length, no streamer;
  - app: the runner's ``stream`` (worker thread + token collector + stop criterion), same settings;
  - app batch: the runner's batched call on 8 inputs (translation's sentence batches).
It prints new tokens per second and app/baseline ratios, then checks that a stop flag ends a long
generation within a few steps and that the worker thread is gone.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

NEW_TOKENS = 128
REPEATS = 3

REAL_SIZES = {
    "chat/qwen2.5-0.5b-instruct": dict(vocab_size=151936, hidden_size=896, intermediate_size=4864,
                                       num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                                       max_position_embeddings=32768, tie_word_embeddings=True),
    "summarization/distilbart-cnn-12-6": dict(vocab_size=50264, d_model=1024, encoder_layers=12, decoder_layers=6,
                                              encoder_attention_heads=16, decoder_attention_heads=16,
                                              encoder_ffn_dim=4096, decoder_ffn_dim=4096,
                                              max_position_embeddings=1024),
    "translation/opus-mt-en-de": dict(vocab_size=58101, d_model=512, encoder_layers=6, decoder_layers=6,
                                      encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048,
                                      decoder_ffn_dim=2048, max_position_embeddings=512),
}
TEXT = "The Transformer is a deep learning architecture based on the attention mechanism. " * 6


def real_size_copy(spec, twin: Path, out: Path) -> None:
    """The twin's tokenizer files with a real-size, random-weight model of the same config class."""
    import torch
    import transformers

    shutil.copytree(twin, out)
    twin_config = transformers.AutoConfig.from_pretrained(twin)
    kept = {name: value for name, value in twin_config.to_dict().items()  # special token ids and the like
            if name not in ("layer_types", "architectures", "transformers_version", "model_type", "dtype")}
    config = type(twin_config)(**{**kept, **REAL_SIZES[spec.key]})
    cls = transformers.AutoModelForCausalLM if spec.runner == "chat" else transformers.AutoModelForSeq2SeqLM
    torch.manual_seed(0)
    model = cls.from_config(config, dtype=torch.bfloat16)
    model.generation_config = transformers.GenerationConfig.from_pretrained(twin)
    # the borrowed tokenizer knows only the twin's ids: never generate the others (same cost for both sides)
    known = len(transformers.AutoTokenizer.from_pretrained(twin))
    model.generation_config.suppress_tokens = list(range(known, config.vocab_size))
    model.save_pretrained(out)


def timed(fn) -> float:
    """Best wall time of REPEATS runs after one warm-up run."""
    import torch

    fn()  # warm-up: kernels, caches, allocator
    best = float("inf")
    for _ in range(REPEATS):
        torch.cuda.synchronize()
        started = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: this check needs a GPU")
        return 1
    from models.runtime.device import choose_placement
    from models.registry import builtin_registry
    from models.families.runners import runner_class
    from models.registry.sources import ModelSource
    from models.families.twins import ensure_twin

    placement = choose_placement("cuda")
    print(f"device {torch.cuda.get_device_name(0)}, dtype {placement.dtype}, {NEW_TOKENS} new tokens, best of {REPEATS}")
    registry = builtin_registry()
    work = Path(tempfile.mkdtemp(prefix="gen-gpu-check-"))
    failures = 0
    try:
        for key in REAL_SIZES:
            spec = registry.get(key)
            folder = work / key.replace("/", "--")
            real_size_copy(spec, ensure_twin(spec, work / "twins"), folder)
            runner = runner_class(spec.runner)(spec, ModelSource(str(folder), None), placement)
            params = dict(max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)
            if spec.runner == "chat":
                item = [{"role": "user", "content": TEXT}]
                params["temperature"] = 0.0
                inputs = runner.tokenizer.apply_chat_template(item, add_generation_prompt=True, return_tensors="pt",
                                                              return_dict=True)
            else:
                item = TEXT
                params["num_beams"] = 1
                inputs = runner.tokenizer([TEXT], return_tensors="pt")
            inputs = {k: v.to(placement.device) for k, v in inputs.items() if k in ("input_ids", "attention_mask")}
            bare = dict(max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, do_sample=False, num_beams=1)

            def baseline():
                with torch.inference_mode():
                    runner.model.generate(**inputs, **bare)

            def app_stream():
                for _ in runner.stream(item, **params):
                    pass

            def app_batch():
                runner([item] * 8, **params)

            base_s, app_s, batch_s = timed(baseline), timed(app_stream), timed(app_batch)
            print(f"{key:40s} baseline {NEW_TOKENS / base_s:7.1f} tok/s | app stream {NEW_TOKENS / app_s:7.1f} tok/s "
                  f"(x{base_s / app_s:.2f}) | app batch of 8 {8 * NEW_TOKENS / batch_s:8.1f} tok/s")
            stop = threading.Event()
            steps = 0
            for _ in runner.stream(item, stop, **{**params, "max_new_tokens": 2000 if spec.runner == "chat" else 500,
                                                  "min_new_tokens": None}):
                steps += 1
                if steps == 5:
                    stop.set()
            alive = [t for t in threading.enumerate() if t.name == "generate" and t.is_alive()]
            ok = steps <= 8 and not alive
            failures += not ok
            print(f"{'':40s} stop after 5 chunks: ended after {steps}, worker threads alive {len(alive)} "
                  f"-> {'ok' if ok else 'FAIL'}; peak memory {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")
            runner.close()
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
