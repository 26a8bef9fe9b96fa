"""The gate on real artifacts of the embedded model: a merged model whose chat template changed, and
one with Gaussian noise added to its weights, evaluated with the real runners."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.gate import evaluate_gate
from harness.gate.regression import Baseline
from harness.profiles import load_profile
from harness.profiles.model import EvalSpec, GateSpec
from harness.records.gate import GateResult
from harness.records.items import from_results
from harness.records.report import Check, Level, Report, load_report

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tests" / "data" / "demo_run"


def _copy_model(src: Path, dst: Path, weights: bool = False) -> Path:
    """An HF folder sharing the (large) weights file by a link unless the test rewrites them."""
    dst.mkdir()
    for f in src.iterdir():
        if f.name == "model.safetensors" and not weights:
            (dst / f.name).symlink_to(f)
        else:
            shutil.copy(f, dst / f.name)
    return dst


def test_merged_model_with_changed_template_fails_the_gates_template_rule(embedded_hf_dir: Path, tmp_path: Path):
    from harness.checks.template import compare

    merged = _copy_model(embedded_hf_dir, tmp_path / "merged")
    template = merged / "chat_template.jinja"
    # The drift a save or a tool's rewrite causes: the default system prompt is gone.
    text = template.read_text()
    start, end = text.index("{% if loop.first"), text.index("{% endif %}") + len("{% endif %}")
    template.write_text(text[:start] + text[end:])

    cmd = [sys.executable, "-m", "harness.cli", "check-template", str(embedded_hf_dir), str(merged)]
    proc = subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout.startswith("FAIL"), proc.stdout + proc.stderr

    check = compare(embedded_hf_dir, merged, "bf16")
    assert not check.passed and "user-only" in check.detail
    report = load_report(DEMO)
    report.checks = [check if c.name == "chat_template:bf16" else c for c in report.checks]
    report.checks += [Check(name="contamination", passed=True), Check(name="fidelity:f16", passed=True)]
    report.checks += [Check(name=f"eos_probe:{lv.name}", passed=True, level=lv.name) for lv in report.levels]
    result = evaluate_gate(report, load_profile("demo").gate.model_copy(update={"trained_for": []}))  # the demo fails it
    assert [(r.rule, r.subject) for r in result.rules if not r.passed] == [("checks", "chat_template:bf16")]
    assert "user-only" in result.failures[0]


def _noisy(src: Path, dst: Path, scale: float) -> Path:
    """The model with N(0, (scale * std)^2) noise added to every weight matrix."""
    import torch
    from safetensors.torch import load_file, save_file

    out = _copy_model(src, dst, weights=True)
    tensors = load_file(str(src / "model.safetensors"))
    gen = torch.Generator().manual_seed(0)
    for name, t in tensors.items():
        if t.ndim >= 2 and t.is_floating_point():
            noise = torch.randn(t.shape, generator=gen, dtype=torch.float32) * (scale * t.float().std())
            tensors[name] = (t.float() + noise).to(t.dtype).contiguous()
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    return out


def _report(name: str, levels: list[tuple[str, Path, str]], results, suites) -> Report:
    from harness.evals.aggregate import compare, metrics

    return Report(release=name, created="2026-01-01T00:00:00Z", gate=GateResult(passed=False), suites=suites,
                  levels=[Level(name=n, kind="hf", path=str(p), sha256=sha, size_bytes=0, bits_per_weight=16.0,
                                metrics=metrics(results[n])) for n, p, sha in levels],
                  comparisons=compare("base", results["base"], "bf16", results["bf16"]))


@pytest.mark.slow
def test_model_with_noisy_weights_fails_forgetting_and_regression(embedded_hf_dir: Path, tmp_path: Path):
    from harness.cache import sha256_tree
    from harness.evals.levels import Artifact, evaluate_levels
    from harness.evals.store import ResultStore

    noisy = _noisy(embedded_hf_dir, tmp_path / "noisy", scale=0.5)
    clean = Artifact("clean", "hf", embedded_hf_dir, sha256_tree(embedded_hf_dir))
    broken = Artifact("noisy", "hf", noisy, sha256_tree(noisy))
    spec = EvalSpec(tasks=["fr/lang"], limit=12)
    with ResultStore(tmp_path / "results.sqlite") as store:
        results, suites = evaluate_levels([clean, broken], spec, store)

    def run(name: str, tuned: Artifact):
        res = {"base": results["clean"], "bf16": results[tuned.name]}
        shas = {"base": clean.sha256, "bf16": tuned.sha256}
        report = _report(name, [("base", clean.path, clean.sha256), ("bf16", tuned.path, tuned.sha256)], res, suites)
        return report, from_results(name, shas, res)

    before, before_scores = run("previous", clean)  # the baseline: the fine-tune was the clean model
    after, after_scores = run("current", broken)
    policy = GateSpec(forgetting_metrics=["fr/lang_fr"], compression_metrics=[], regression_metrics=["fr/lang_fr"],
                      required_checks=[], kld_max={}, trained_for=[])
    same = evaluate_gate(before, policy, Baseline(before, before_scores, "previous"), before_scores)
    assert same.passed, same.failures
    result = evaluate_gate(after, policy, Baseline(before, before_scores, "previous"), after_scores)
    failed = {(r.rule, r.subject) for r in result.rules if not r.passed}
    assert failed == {("forgetting", "bf16 fr/lang_fr (vs base)"), ("regression", "bf16 fr/lang_fr (vs previous)")}, \
        (result.failures, after.level("bf16").metrics["fr/lang_fr"], before.level("bf16").metrics["fr/lang_fr"])
