#!/usr/bin/env bash
# GPU check for a CUDA machine: the heavy entries through our runners in bf16/fp16 vs bare fp32 transformers,
# then the memory budget walk on CUDA. Usage: bash bench/gpu_check.sh  (from the repository root)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 DEMO_TINY_CACHE=${DEMO_TINY_CACHE:-/tmp/demo-suite-twins}
status=0
"$PYTHON" -m bench.gpu_check "$@" || status=1
"$PYTHON" -m bench.generation_gpu_check || status=1
"$PYTHON" -m bench.vision_gpu_check || status=1
"$PYTHON" -m bench.explain_gpu_check || status=1
"$PYTHON" -m bench.memory --device cuda --budget 2 || status=1
exit $status
