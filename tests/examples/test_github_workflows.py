"""The GitHub Actions workflows in examples/github-actions: valid YAML, the gate step wired to the
baseline and the job summary, and the gate step's own shell run as CI would run it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "examples" / "github-actions"
DEMO = ROOT / "tests" / "data" / "demo_run"


def _load(name: str) -> dict:
    wf = yaml.safe_load((WORKFLOWS / name).read_text())
    wf["on"] = wf.pop(True, wf.get("on"))  # YAML 1.1 reads the bare key `on` as a boolean
    return wf


def _steps(wf: dict) -> list[dict]:
    return [s for job in wf["jobs"].values() for s in job["steps"]]


def _step(wf: dict, name: str) -> dict:
    return next(s for s in _steps(wf) if s.get("name") == name)


@pytest.mark.parametrize("name", ["gate.yml", "publish-baseline.yml"])
def test_workflow_is_valid(name: str) -> None:
    wf = _load(name)
    assert wf["name"] and wf["on"] and wf["jobs"]
    for job in wf["jobs"].values():
        assert job["runs-on"] and job["steps"]
        for step in job["steps"]:
            assert ("run" in step) != ("uses" in step), step
            if "uses" in step:
                assert "@v" in step["uses"], step  # pinned to a major version


def test_gate_runs_on_pull_requests_against_the_published_baseline() -> None:
    wf = _load("gate.yml")
    assert "pull_request" in wf["on"]
    fetch = _step(wf, "Fetch the last published baseline")["run"]
    assert "gh release download" in fetch and "report.json" in fetch and "item_scores.json.gz" in fetch
    gate = _step(wf, "Gate against the baseline")["run"]
    assert "harness gate" in gate and "--baseline" in gate and '"$GITHUB_STEP_SUMMARY"' in gate
    assert wf["permissions"]["pull-requests"] == "write"


def _shim(bin_dir: Path) -> None:
    """`harness` on PATH, as `make install` puts it there in CI: this checkout's CLI."""
    bin_dir.mkdir()
    shim = bin_dir / "harness"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m harness.cli "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)


def _run_step(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    # GitHub runs `run:` with bash --noprofile --norc -eo pipefail.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], check=False, cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def _checked_run(dst: Path) -> None:
    shutil.copytree(DEMO, dst)
    report = json.loads((dst / "report.json").read_text())
    report["checks"] += [{"name": "contamination", "passed": True, "detail": ""},
                         {"name": "fidelity:f16", "passed": True, "detail": ""}]
    report["checks"] += [{"name": f"eos_probe:{lv['name']}", "passed": True, "detail": ""} for lv in report["levels"]]
    (dst / "report.json").write_text(json.dumps(report))


@pytest.mark.parametrize("with_baseline", [True, False])
def test_gate_step_runs_as_in_ci(tmp_path: Path, with_baseline: bool, demo_profile_no_target: Path) -> None:
    _shim(tmp_path / "bin")
    work = tmp_path / "work"
    _checked_run(work / "runs" / "demo")
    if with_baseline:
        _checked_run(work / "baseline")
    summary = tmp_path / "summary.md"
    # The demo run fails the target rule (tests/gate/test_gate_cli.py); this test is about the CI step.
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "PROFILE": str(demo_profile_no_target),
           "GITHUB_STEP_SUMMARY": str(summary)}
    proc = _run_step(_step(_load("gate.yml"), "Gate against the baseline")["run"], work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = summary.read_text()
    assert "### Release gate: demo" in text and (work / "gate.md").read_text() == text
    assert ("paired per item" in text) == with_baseline
    assert json.loads((work / "gate.json").read_text())["passed"] is True


@pytest.mark.parametrize("code, step_passes", [(0, True), (1, True), (2, False)])
def test_build_step_leaves_gate_failures_to_the_gate_step(tmp_path: Path, code: int, step_passes: bool) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "harness").write_text(f"#!/bin/sh\nexit {code}\n")
    (bin_dir / "harness").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PROFILE": "demo"}
    proc = _run_step(_step(_load("gate.yml"), "Build and score the candidate")["run"], tmp_path, env)
    assert (proc.returncode == 0) == step_passes
