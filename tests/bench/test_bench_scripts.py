"""The bench scripts keep working as the package changes: each runs here on tiny settings.

Their numbers are measured by hand on a quiet machine (bench/RESULTS.md); these tests only keep the
scripts runnable and check what they print, so a refactor cannot silently break a measurement.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
# the test cache of tests/conftest.py: the bench's GGUFs are built once and reused
CACHE = Path(os.environ.get("HARNESS_TEST_CACHE") or Path(tempfile.gettempdir()) / "harness-test-cache")


def _run(script: str, *args: str, timeout: int = 900) -> str:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", COLUMNS="200")
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=BENCH.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_eval_speed_runs_both_sides_on_the_same_prompts():
    out = _run("eval_speed.py", "--work", str(CACHE / "bench-eval"), "--prompts", "2", "--max-new-tokens", "6",
               "--repeats", "1", "--limit", "2", "--tasks", "fc/fr_fc,fr/mc,general/arc_easy")
    ratio = re.search(r"ratio harness/raw tokens/s: ([0-9.]+).*identical answers: (\d+)/(\d+)", out)
    assert ratio, out
    assert float(ratio.group(1)) > 0
    assert ratio.group(2) == ratio.group(3) == "2", out  # greedy on the same token ids: the same answers
    for task in ("fc/fr_fc", "fr/mc", "general/arc_easy"):
        assert re.search(rf"{re.escape(task)}\s+2 items", out), out


def test_gate_false_alarm_prints_every_correction():
    out = _run("gate_false_alarm.py", "--replicates", "3", timeout=300)
    for method in ("holm", "bonferroni", "none"):
        assert re.search(rf"\| {method} \|( [0-9.]+% \|)+", out), out
    # The target rule's false passes under A/A, per trained-for suite and for the whole rule.
    assert re.search(r"\| levels the demo ships, baseline paired \|( [0-9.]+% \|){3}\n", out), out
    assert re.search(r"\| fc gain \| fr gain \| every target rule \|", out), out


def test_fault_kill_reads_stages_and_the_stage_in_flight(tmp_path):
    fk = _module("fault_kill")
    ref = tmp_path / "ref.log"
    ref.write_text("▶ base SmolLM2\n✓ base 28.6s\n▶ eval base hf x\n✓ eval base 45.4s\n"
                   "✓ train cached (train-1)\n▶ kld 3 GGUF levels\n✓ kld 5.1s\n")
    assert fk.reference_stages(ref) == [("base", 28.6), ("eval base", 45.4), ("kld", 5.1)]
    assert fk.in_flight(ref) == "after kld"
    ref.write_text("▶ base SmolLM2\n✓ base 28.6s\n▶ train 3 steps\n")
    assert fk.in_flight(ref) == "train"


def test_eval_gpu_helpers_parse_and_cut_as_the_gpu_run_needs():
    """bench/eval_gpu.py's pieces that no GPU is needed to check: llama-batched-bench's table row, requests
    cut before a space (every scorer sees the same continuation tokens), the level sampling rule."""
    sys.path.insert(0, str(BENCH))
    try:
        gguf, main, level = _module("gpu_gguf"), _module("eval_gpu"), _module("gpu_level")
    finally:
        sys.path.remove(str(BENCH))
    table = ("|    PP |     TG |    B |   N_KV |   T_PP s | S_PP t/s |   T_TG s | S_TG t/s |      T s |    S t/s |\n"
             "|-------|--------|------|--------|----------|----------|----------|----------|----------|----------|\n"
             "|  1282 |     32 |   64 |  84096 |   12.082 |  6791.00 |    1.862 |  1100.00 |   13.944 |  6031.00 |\n")
    row = gguf.parse_batched_bench("llama_context: n_ctx = 84352\n" + table)
    assert row["npl"] == 64 and row["s_tg"] == 1100.0 and round(row["new_per_s"]) == round(32 * 64 / 13.944)
    assert gguf.parse_batched_bench("error: failed to load model") is None
    prompt = "word " * 200
    reqs = main.requests_of([prompt], per_prompt=2)
    assert len(reqs) == 2 and reqs[0][1].startswith(" ") and reqs[0][0] + reqs[0][1] == prompt[: len(reqs[0][0] + reqs[0][1])]
    items = list(range(1000))
    assert level._sample(items, 1 / 16, 8) == [items[int(i * 1000 / 63)] for i in range(63)]  # evenly spread
    # At least one full batch: a part-filled batch costs a full one's time on a batched engine.
    assert level._sample(items, 1 / 32, 64) == [items[int(i * 1000 / 64)] for i in range(64)]
    assert level._sample(items[:100], 1 / 16, 64) == [items[int(i * 100 / 64)] for i in range(64)]
    assert level._sample(items[:60], 1 / 16, 64) == items[:60]


def test_eval_gpu_projection_joins_levels_and_says_what_it_assumed():
    """bench/eval_gpu.py's 8-level sum: 2 HF + bf16-gguf + 5 quantized levels, bf16-gguf taken as Q4_K_M
    unless measured; nothing printed without an HF and a Q4_K_M level."""
    sys.path.insert(0, str(BENCH))
    try:
        main = _module("eval_gpu")
    finally:
        sys.path.remove(str(BENCH))
    hf, q4 = {"total": 462.0}, {"total": 846.0}
    line = main.projection({"hf": hf, "gguf_q4_k_m": q4}, "4b", "stopped")
    assert line is not None and f"= {(2 * 462 + 6 * 846) / 3600:.2f} h" in line and "(taken as Q4_K_M)" in line
    line = main.projection({"hf": hf, "gguf_q4_k_m": q4, "gguf_bf16": {"total": 1200.0}}, "4b", "stopped")
    assert f"= {(2 * 462 + 1200 + 5 * 846) / 3600:.2f} h" in line and "(measured)" in line
    assert main.projection({"hf": hf}, "4b", "stopped") is None
