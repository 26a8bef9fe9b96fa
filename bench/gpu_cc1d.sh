# Sourced on the GPU machine after bench/gpu_env.sh: causal-conv1d's CUDA kernels, which transformers binds
# for Qwen3.5's short convolution when the package imports (else its PyTorch fallback runs). Nothing can be
# downloaded there: bench/gpu_carry.sh carries the sdist, built here for sm_90 only (the sdist's setup.py
# compiles for seven architectures) in the background, or unpacked from cc1d-build.tgz when an earlier
# call brought the build back in pieces (`gpu_keep_cc1d`). `gpu_wait_cc1d` waits and puts it on PYTHONPATH.
C=${1:-.gpu/gpu_bench}
mkdir -p /tmp/cc1d
if ls "$C"/cc1d-build.tgz* >/dev/null 2>&1; then
  cat "$C"/cc1d-build.tgz* | tar xz -C /tmp && touch /tmp/cc1d/built && echo "causal-conv1d: carried build"
else
  tar xzf "$C"/causal_conv1d-*.tar.gz -C /tmp/cc1d --strip-components=1
  python3 - <<'PY'
from pathlib import Path
p = Path("/tmp/cc1d/setup.py"); t = p.read_text()
mark = "    # HACK: The compiler flag"
assert mark in t, "causal-conv1d's setup.py changed: no HACK comment to patch before"
p.write_text(t.replace(mark, '    cc_flag = [f for f in cc_flag if f != "-gencode" and not f.startswith("arch=")]'
                       ' + ["-gencode", "arch=compute_90,code=sm_90"]\n' + mark, 1))
PY
  ( cd /tmp/cc1d && CAUSAL_CONV1D_FORCE_BUILD=TRUE TORCH_CUDA_ARCH_LIST=9.0 MAX_JOBS=4 nice -n 19 \
      python3 setup.py build_ext --inplace >/tmp/cc1d/build.log 2>&1 && touch /tmp/cc1d/built ) &
  CC1D_PID=$!
fi

gpu_wait_cc1d() {
  [ -n "${CC1D_PID:-}" ] && wait "$CC1D_PID"
  [ -f /tmp/cc1d/built ] || { echo "causal-conv1d build FAILED"; tail -20 /tmp/cc1d/build.log; return 1; }
  export PYTHONPATH=/tmp/cc1d:$PYTHONPATH
}

gpu_keep_cc1d() {  # debug info stripped (25 MB with it), in pieces under the transfer limit
  strip --strip-debug /tmp/cc1d/causal_conv1d_cuda*.so
  (cd /tmp && tar czf "$OUT/cc1d-build.tgz" cc1d/causal_conv1d cc1d/causal_conv1d_cuda*.so) \
    && split -b 15M "$OUT/cc1d-build.tgz" "$OUT/cc1d-build.tgz." && rm "$OUT/cc1d-build.tgz" && ls -la "$OUT"/cc1d-build*
}
