"""`harness release` end to end on CPU on the tiny Qwen3.5 (`Qwen3_5ForConditionalGeneration`: vision tower,
MTP, hybrid linear attention) and Qwen3 fixtures: every level loads in its engine and is scored on every
suite of the profile, every GGUF level has KLD, and the integrity checks, card and site are produced.

The weights are random, so scores are noise and the EOS probe fails (a random model never picks its end
token): the gate's verdict is not the point here, that every stage ran on the users' architecture is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SUITE_METRICS = ["fc/json_valid", "fc/schema_valid", "fc/call_exact", "fc/unfinished", "fr/mc_acc", "general/acc"]
KLD_METRICS = ["kld/mean", "kld/p99", "kld/top1_agree", "kld/ppl_ratio"]
LEVELS = ["base", "bf16", "f16", "q8_0", "q4_k_m", "q4_0"]
ARCH = {"qwen35": "qwen35", "qwen3": "qwen3"}


@pytest.fixture(scope="module", params=["qwen35", "qwen3"])
def qwen_run(request, tmp_path_factory):
    from qwen_fixtures import release_profile

    family = request.param
    out = tmp_path_factory.mktemp(f"release-{family}")
    profile = release_profile(family, out)
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "release", str(profile), "--out", str(out / "runs")],
                          cwd=out, capture_output=True, text=True, timeout=3000)
    name = {"qwen35": "qwen35-tiny", "qwen3": "qwen3-tiny"}[family]
    return family, out / "runs" / name, proc


@pytest.mark.slow
def test_every_level_loads_and_is_scored_on_every_suite(qwen_run):
    family, run, proc = qwen_run
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    report = json.loads((run / "report.json").read_text())
    assert [lv["name"] for lv in report["levels"]] == LEVELS
    for lv in report["levels"]:
        for m in SUITE_METRICS:
            metric = lv["metrics"][m]
            assert metric["n"] > 0 and metric["ci_low"] <= metric["value"] <= metric["ci_high"], (lv["name"], m)
        if lv["kind"] == "gguf":
            assert all(k in lv["metrics"] for k in KLD_METRICS), lv["name"]
            assert lv["gguf"]["architecture"] == ARCH[family]
    kld = {lv["name"]: lv["metrics"]["kld/mean"]["value"] for lv in report["levels"] if lv["kind"] == "gguf"}
    assert kld["f16"] < kld["q8_0"] < kld["q4_0"]  # more compression, more divergence: the levels really differ


@pytest.mark.slow
def test_checks_thinking_mode_card_and_site(qwen_run):
    family, run, proc = qwen_run
    report = json.loads((run / "report.json").read_text())
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["fidelity:f16"]["passed"], checks["fidelity:f16"]["detail"]
    assert checks["lm_head:merge"]["passed"]
    for name in LEVELS[1:]:
        assert checks[f"chat_template:{name}"]["passed"], checks[f"chat_template:{name}"]["detail"]
    assert {f"eos_probe:{n}" for n in LEVELS} <= set(checks)
    # The Qwen templates know enable_thinking: the profile's default (off) was applied and recorded.
    assert report["thinking"]["mode"] == "off" and report["thinking"]["in_template"] is True
    dropped = {d["name"] for d in report["base"]["dropped"]}
    assert dropped == ({"vision tower", "MTP head"} if family == "qwen35" else set())
    card = (run / "card" / "README.md").read_text()
    assert card.startswith("---") and "q4_0" in card.lower()
    if family == "qwen35":
        assert "--tool-call-parser qwen3_coder" in card
    else:
        assert "--tool-call-parser hermes" in card
    assert (run / "site" / "html" / "index.html").is_file()
