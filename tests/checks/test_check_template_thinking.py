"""check-template renders its conversations in the release's thinking mode: a template that lost its
`enable_thinking` switch drifts in the thinking-off prompt (what a thinking-off release is fed) and not
in the thinking-on one. HF folders with the official Qwen3.5 template over the embedded tokenizer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.checks.template import compare
from tests.qwen_fixtures import vendored_template

ROOT = Path(__file__).resolve().parents[2]


def _pair(hf_folder):
    qwen = vendored_template("Qwen3.5-4B.jinja")
    lost = qwen.replace("enable_thinking is defined and enable_thinking is false", "false")  # always opens
    assert lost != qwen
    return hf_folder("ref", qwen), hf_folder("cand", lost)


def test_mode_decides_what_drift_shows(hf_folder):
    ref, cand = _pair(hf_folder)
    off = compare(ref, cand, "bf16", {"enable_thinking": False})
    assert not off.passed and "user-only: first difference" in off.detail and "</think>" in off.detail
    on = compare(ref, cand, "bf16", {"enable_thinking": True})
    assert on.passed and "thinking on" in on.detail, on.detail
    same = compare(ref, ref, "bf16", {"enable_thinking": False})
    assert same.passed and "thinking off" in same.detail


@pytest.mark.slow  # three CLI processes: ~20 s on 2 cores
def test_cli_flag(hf_folder):
    ref, cand = _pair(hf_folder)

    def cli(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "harness.cli", "check-template", str(ref), str(cand), *extra],
                              cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)

    assert cli().returncode == 1  # off by default, as releases are
    on = cli("--thinking", "on")
    assert on.returncode == 0 and "thinking on" in on.stdout, on.stdout + on.stderr
    bad = cli("--thinking", "maybe")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
