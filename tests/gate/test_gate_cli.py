"""`harness gate` on run folders: exit codes, baseline pairing, Markdown, JSON and the report's gate record."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tests" / "data" / "demo_run"


def harness(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", *map(str, args)], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def _run_folder(tmp_path: Path, name: str = "run", checks: bool = True) -> Path:
    """A copy of the demo run; with the contamination and fidelity checks it predates, passing."""
    run = tmp_path / name
    shutil.copytree(DEMO, run)
    if checks:
        report = json.loads((run / "report.json").read_text())
        report["checks"] += [{"name": "contamination", "passed": True, "detail": ""},
                             {"name": "fidelity:f16", "passed": True, "detail": ""}]
        report["checks"] += [{"name": f"eos_probe:{lv['name']}", "passed": True, "detail": ""} for lv in report["levels"]]
        (run / "report.json").write_text(json.dumps(report))
    return run


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("harness: error:") and "Traceback" not in proc.stderr
    return lines[0]


def test_a_a_against_itself_passes_paired_with_every_output(tmp_path: Path, demo_profile_no_target: Path) -> None:
    run = _run_folder(tmp_path)
    md, out = tmp_path / "summary.md", tmp_path / "gate.json"
    proc = harness("gate", run, "--baseline", run / "report.json", "--markdown", md, "--json", out, "--update-report",
                   "--profile", demo_profile_no_target)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Gate passed")
    text = md.read_text()
    assert text.startswith("### Release gate: demo") and "paired per item" in text
    assert text.count("| regression |") == 16
    record = json.loads(out.read_text())
    assert record["passed"] and record["baseline"]["paired"] and record["correction"] == "holm"
    written = json.loads((run / "report.json").read_text())["gate"]
    assert written == record


def test_missing_required_checks_fail_with_exit_1(tmp_path: Path, demo_profile_no_target: Path) -> None:
    proc = harness("gate", _run_folder(tmp_path, checks=False), "--profile", demo_profile_no_target)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    fails = [ln.split()[2] for ln in proc.stdout.splitlines() if ln.strip().startswith("FAIL")]
    assert fails == ["eos_probe:bf16", "eos_probe:f16", "eos_probe:q8_0", "eos_probe:q4_k_m", "contamination*", "fidelity*"]


def test_baseline_of_another_suite_version_is_exit_2(tmp_path: Path) -> None:
    run, old = _run_folder(tmp_path), _run_folder(tmp_path, "old")
    report = json.loads((old / "report.json").read_text())
    report["suites"][0]["version"] = "bfcl-v3"
    (old / "report.json").write_text(json.dumps(report))
    line = _one_line_error(harness("gate", run, "--baseline", old))
    assert str(old) in line and "suite fc/bfcl_simple is version bfcl-v3 in the baseline" in line


def test_baseline_with_other_items_is_exit_2(tmp_path: Path) -> None:
    run, old = _run_folder(tmp_path), _run_folder(tmp_path, "old")
    scores = json.loads(gzip.decompress((old / "item_scores.json.gz").read_bytes()))
    task = scores["levels"]["bf16"]["tasks"]["fr/lang"]
    task["renamed"] = task.pop(min(task))
    (old / "item_scores.json.gz").write_bytes(gzip.compress(json.dumps(scores).encode()))
    line = _one_line_error(harness("gate", run, "--baseline", old))
    assert "task fr/lang (bf16) scored other items" in line


def test_baseline_without_item_scores_is_unpaired(tmp_path: Path, demo_profile_no_target: Path) -> None:
    run, old = _run_folder(tmp_path), _run_folder(tmp_path, "old")
    (old / "item_scores.json.gz").unlink()
    md = tmp_path / "summary.md"
    assert harness("gate", run, "--baseline", old, "--markdown", md, "--profile", demo_profile_no_target).returncode == 0
    assert "unpaired (no item_scores.json.gz on one side)" in md.read_text()


def test_demo_run_fails_the_target_rule_by_suite(tmp_path: Path) -> None:
    """Under the default target rule (fc and fr; the demo profile trains for fc only, saying why) this
    demo run (scored before fc/call_acc existed, and its fine-tune worse than the base on fr/mc_acc)
    fails it, one line per suite, and nothing else."""
    demo = (ROOT / "harness" / "profiles" / "demo.yaml").read_text(encoding="utf-8")
    assert "  trained_for: [fc]\n" in demo
    profile = tmp_path / "demo_default_target.yaml"
    profile.write_text(demo.replace("  trained_for: [fc]\n", ""), encoding="utf-8")
    proc = harness("gate", _run_folder(tmp_path), "--profile", profile, "--json", tmp_path / "gate.json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failures = json.loads((tmp_path / "gate.json").read_text())["failures"]
    assert failures == [
        "target: fc: bf16 fc/call_acc (vs base): no paired comparison base -> bf16 for fc/call_acc in the report",
        "target: fc: bf16 fc/relevance_acc (vs base), must not drop: none of fc/relevance_acc scored on both base and bf16",
        "target: fr: the fine-tune (bf16) does not beat the base on fr/mc_acc: gain -0.0333, margin 0, p = 0.5 "
        "(one-sided, mcnemar, n = 30); it scores below the base"]
    assert "must beat the base on each suite it was trained for (fc, fr)" in proc.stdout
