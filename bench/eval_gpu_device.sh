#!/usr/bin/env bash
# bench/eval_gpu.py on the GPU machine. CARRY (bench/gpu_carry.sh builds it; see bench/gpu_env.sh) holds what
# the machine lacks: site-lite.tgz, lcpp.tgz, evalbench/, and optionally lcpp-build.tgz.* (a CUDA build
# brought back from an earlier call: skips the ~270 s build).
# Usage, from the repository root:  bash bench/eval_gpu_device.sh CARRY "PARTS_BEFORE_BUILD" "PARTS_AFTER" [run args]
# The llama.cpp build runs in the background while the first parts use the GPU; FIRST_TIMEOUT /
# SECOND_TIMEOUT (s) bound the two runs. Measured 2026-12-01 (one call): model built and saved 12 s,
# llama.cpp build 273 s beside the HF part, conversion to bf16 GGUF 48 s.
set -uo pipefail
C=$1 FIRST=$2 SECOND=$3
shift 3
# shellcheck source=bench/gpu_env.sh
source bench/gpu_env.sh "$C"
if [ -n "$FIRST" ]; then
  timeout "${FIRST_TIMEOUT:-300}" python3 bench/eval_gpu.py run --bench "$C/evalbench" --parts "$FIRST" "$@"
fi
if gpu_wait_build; then
  [ -n "$SECOND" ] && timeout "${SECOND_TIMEOUT:-240}" python3 bench/eval_gpu.py run --bench "$C/evalbench" \
    --parts "$SECOND" "$@"
  ls "$C"/lcpp-build.tgz* >/dev/null 2>&1 || gpu_keep_build
fi
