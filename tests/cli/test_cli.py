"""The `harness` command line: help, exit codes, one-line errors, the gate on canned reports."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_REPORT = ROOT / "tests" / "data" / "report_demo.json"
COMMANDS = ["release", "train", "merge", "export", "check-template", "eval", "gate", "card", "site", "doctor"]
HEAVY = {"torch", "transformers", "llama_cpp", "lm_eval", "unsloth", "peft", "trl", "datasets", "pandas", "matplotlib"}


def harness(*args, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def _assert_one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("harness: error:")
    return lines[0]


def test_help_lists_every_command():
    proc = harness("--help")
    assert proc.returncode == 0, proc.stderr
    for name in COMMANDS:
        assert name in proc.stdout, name


@pytest.mark.parametrize("argv", [["--help"], *([name, "--help"] for name in COMMANDS)])
def test_help_imports_nothing_heavy(argv):
    """`harness --help` and every command's help start fast: no torch, transformers or llama.cpp at import."""
    code = ("import atexit, sys; heavy = set(sys.argv[1].split()); atexit.register(lambda: print(sorted(set(sys.modules)"
            " & heavy), file=sys.stderr)); sys.argv = ['harness', *sys.argv[2:]]; from harness.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, " ".join(HEAVY), *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and "Usage" in proc.stdout, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name):
    proc = harness(name, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout


def test_release_missing_profile_is_one_line_error():
    line = _assert_one_line_error(harness("release", "/nonexistent.yaml"))
    assert "/nonexistent.yaml" in line


def test_release_bad_profile_names_file_and_line(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("name: x\nbase: {kind: hf, name: b}\ntrain:\n  max_step: 3\n")
    line = _assert_one_line_error(harness("release", p, "--out", tmp_path / "runs"))
    assert f"{p}:4:" in line
    assert not (tmp_path / "runs").exists()


def _complete(report: dict, gated=("f16", "q8_0", "q4_k_m"),
              metrics=("fc/call_exact", "fc/json_valid", "fr/mc_acc", "general/acc")) -> dict:
    """The canned report with every paired comparison the demo gate needs (missing ones: no change)."""
    report = copy.deepcopy(report)
    have = {(c["a"], c["b"], c["metric"]) for c in report["comparisons"]}
    # The target rule's base -> bf16 comparisons (this report predates fc/call_acc and fc/relevance_acc):
    # the gains its levels show on calls and French, relevance unchanged.
    for lv in report["levels"]:
        if lv["name"] in ("base", "bf16"):
            lv["metrics"]["fc/relevance_acc"] = {"value": 0.9, "ci_low": 0.8, "ci_high": 0.95, "n": 40}
    for m, delta, p in [("fc/call_acc", 0.45, 1e-4), ("fc/relevance_acc", 0.0, 1.0), ("fr/mc_acc", 0.1, 0.03)]:
        report["comparisons"].append({"a": "base", "b": "bf16", "metric": m, "delta": delta, "ci_low": delta - 0.1,
                                      "ci_high": delta + 0.1, "p_value": p, "n": 60, "test": "mcnemar"})
    for level in gated:
        for m in metrics:
            if ("bf16", level, m) not in have:
                report["comparisons"].append({"a": "bf16", "b": level, "metric": m, "delta": 0.0, "ci_low": -0.05,
                                              "ci_high": 0.05, "p_value": 1.0, "n": 60, "test": "mcnemar"})
    return report


def _write(tmp_path: Path, report: dict, name: str = "report.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(report))
    return p


def test_gate_canned_report_passes_but_for_the_target_rule(demo_profile_no_target, demo_profile_default_target):
    assert harness("gate", DEMO_REPORT, "--profile", demo_profile_no_target).returncode == 0
    # Without the base -> bf16 comparisons the target rule needs: the built-in demo profile (fc only)
    # fails on fc, the default rule on fc and fr.
    for profile, suites in [((), ["fc:", "fc:"]), (("--profile", demo_profile_default_target), ["fc:", "fc:", "fr:"])]:
        proc = harness("gate", DEMO_REPORT, *profile)
        assert proc.returncode == 1, proc.stdout
        fails = [ln.split()[1:3] for ln in proc.stdout.splitlines() if ln.strip().startswith("FAIL")]
        assert fails == [["target", s] for s in suites], proc.stdout


def test_gate_complete_report_passes(tmp_path):
    p = _write(tmp_path, _complete(json.loads(DEMO_REPORT.read_text())))
    proc = harness("gate", p, "--profile", "demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Gate passed")


def test_gate_failing_report_exits_1_and_writes_markdown(tmp_path):
    report = _complete(json.loads(DEMO_REPORT.read_text()))
    (comp,) = [c for c in report["comparisons"]
               if (c["a"], c["b"], c["metric"]) == ("bf16", "q4_k_m", "fc/call_exact")]
    comp.update(delta=-0.3, ci_low=-0.5, ci_high=-0.1, p_value=0.001)
    p = _write(tmp_path, report)
    md = tmp_path / "summary.md"
    proc = harness("gate", p, "--markdown", md)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "FAILED: 1 of" in proc.stdout
    fail_lines = [ln for ln in proc.stdout.splitlines() if ln.strip().startswith("FAIL")]
    assert len(fail_lines) == 1 and "q4_k_m fc/call_exact" in fail_lines[0]
    text = md.read_text()
    assert "| rule | subject | observed | limit | verdict |" in text
    assert "|---|" in text
    row = next(ln for ln in text.splitlines() if "q4_k_m fc/call_exact" in ln)
    assert row.startswith("| compression |") and "-0.3" in row and "❌" in row


def test_gate_markdown_appends(tmp_path):
    p = _write(tmp_path, _complete(json.loads(DEMO_REPORT.read_text())))
    md = tmp_path / "summary.md"
    md.write_text("# earlier step\n")
    assert harness("gate", p, "--markdown", md).returncode == 0
    text = md.read_text()
    assert text.startswith("# earlier step\n") and "Gate passed" in text


def test_gate_not_json_is_exit_2_naming_file(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("this is not JSON\n")
    line = _assert_one_line_error(harness("gate", p))
    assert str(p) in line


def test_gate_missing_report_is_exit_2(tmp_path):
    line = _assert_one_line_error(harness("gate", tmp_path / "none.json"))
    assert "none.json" in line


@pytest.mark.parametrize("content, message", [(b"GGUX" + bytes(64), "wrong magic"),
                                              (b"GGUF\x03\x00\x00\x00" + bytes(5), "truncated GGUF file")])
def test_damaged_gguf_is_exit_2_for_eval_and_check_template(tmp_path, content, message):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(content)
    for args in (("eval", str(bad), "--limit", "1", "--out", str(tmp_path / "ev")),
                 ("check-template", str(bad), str(bad))):
        proc = harness(*args)
        assert proc.returncode == 2, proc.stderr
        line = _assert_one_line_error(proc)
        assert str(bad) in line and message in line


@pytest.mark.slow
def test_eval_scores_your_own_items(tmp_path, embedded_f16_gguf):
    rows = (ROOT / "evalsets" / "fr_fc.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    items = tmp_path / "mine.jsonl"
    items.write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = harness("eval", embedded_f16_gguf, "--task", "fc/fr_fc", "--items", items, "--out", tmp_path / "out",
                   timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    scores = json.loads((tmp_path / "out" / "eval.json").read_text())
    assert scores["fc/fr_fc/json_valid"]["n"] == 2
    with sqlite3.connect(tmp_path / "out" / "results.sqlite") as c:  # stored apart from the built-in items
        versions = {r[0] for r in c.execute("SELECT DISTINCT task_version FROM items")}
    assert len(versions) == 1 and "+items-" in versions.pop()
