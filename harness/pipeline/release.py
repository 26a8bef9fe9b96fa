"""`harness release PROFILE`: the whole loop, steps only, read top to bottom.

base -> train -> merge -> convert (16-bit GGUF) -> quantize ladder -> checks -> eval every level ->
KL divergence -> report.json -> gate -> model card -> site. Every stage is cached by its inputs; eval
items are cached one by one in the results store, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

from harness import progress
from harness.cache import StageCache, sha256_file
from harness.checks.fidelity import fidelity_check
from harness.errors import BadInput
from harness.evals.evaluate import evaluate_release
from harness.evals.levels import Artifact
from harness.evals.store import ResultStore
from harness.files import write_atomic
from harness.gate import Baseline, evaluate_gate
from harness.names import BASE, BF16, LM_HEAD_MERGE
from harness.pipeline import stages
from harness.pipeline.export import Exported, export_ladder, export_tools
from harness.profiles.model import Profile
from harness.records.base import BaseRecord
from harness.records.failed_items import write_failed_items
from harness.records.items import from_results, write_item_scores
from harness.records.report import Check, Report, report_json
from harness.report.build import build_report
from harness.report.failed import failed_items


@contextmanager
def exclusive(run_dir: Path):
    """One release per output folder at a time: a second one is refused, not interleaved."""
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BadInput(run_dir, "another release is running on this output folder") from None
        yield


def release(profile: Profile, out_root: Path, profile_sha: str = "", baseline: Baseline | None = None) -> Report:
    run_dir = out_root / profile.name
    progress.quiet_libraries()
    tools = export_tools(profile)
    stages.base_source(profile)  # a base model that is nowhere on this machine: exit 2 before anything is written
    if profile.eval.workers > 1:  # Ray missing, or a cluster address that does not answer: exit 2 as well
        from harness.evals.spread import preflight

        preflight(profile.eval)
    with exclusive(run_dir):
        cache = StageCache(run_dir)

        # 1-3. Base as a 16-bit HF folder, LoRA training, merge back to 16-bit.
        tuned = stages.fine_tune(cache, profile)
        base, merged = tuned.base, tuned.merged

        # 4. Export: the 16-bit GGUF, then every rung of the ladder from it, each read back and verified.
        exported = export_ladder(cache, profile, tools, merged.path, merged.outputs.sha256)
        artifacts = levels(tuned, exported)

        # 5. Integrity checks: the template, tokenizer and special tokens survive merge and conversion.
        checks = integrity_checks(cache, profile, tuned, artifacts)

        # 6-7. Evaluate every level (per-item store) with its EOS probe, then KL divergence of each GGUF
        # vs 16-bit; the 16-bit GGUF's against the merged HF model is the conversion fidelity check.
        with ResultStore(run_dir / "results.sqlite") as store:
            evaluation = evaluate_release(cache, store, profile.eval, artifacts, merged.path, merged.outputs.sha256)
        reference = exported[0].name
        checks += [*evaluation.probes, fidelity_check(reference, evaluation.kld.get(reference, {}),
                                                      profile.export.fidelity_max_kld_mean,
                                                      profile.export.fidelity_max_kld)]

        # 8. report.json (per-item scores beside it, for later baselines) and the gate.
        from harness.training.manifest import TrainManifest

        manifest = TrainManifest.model_validate_json((tuned.train.path / "manifest.json").read_text())
        # The source and what the text model left out (the stage's outputs hold the folder's hash too).
        base_record = BaseRecord.model_validate(base.outputs.model_dump())
        report = build_report(profile, run_dir, artifacts, evaluation, checks, manifest, base_record, tools,
                              profile_sha)
        scores = from_results(profile.name, {a.name: a.sha256 for a in artifacts}, evaluation.results)
        write_item_scores(run_dir, scores)  # before report.json: a report never lacks its scores
        pairs = None
        if baseline is not None and baseline.scores is not None:  # each level against the same level before
            from harness.evals.aggregate import baseline_comparisons, same_versions

            pairs = baseline_comparisons(scores, baseline.scores, same_versions(report, baseline.report))
            report.comparisons += pairs
        report.gate = evaluate_gate(report, profile.gate, baseline, scores, pairs)  # the gate reuses them
        write_atomic(run_dir / "report.json", report_json(report))
        write_failed_items(run_dir, failed_items(artifacts, evaluation.results))
        return report


def levels(tuned: stages.FineTuned, exported: list[Exported]) -> list[Artifact]:
    """The base, the merged 16-bit model and every GGUF level, in the report's order."""
    base, merged = tuned.base, tuned.merged
    return [Artifact(BASE, "hf", base.path, base.outputs.sha256), Artifact(BF16, "hf", merged.path, merged.outputs.sha256),
            *(Artifact(e.name, "gguf", e.path, e.sha256, e.record) for e in exported)]


def integrity_checks(cache: StageCache, profile: Profile, tuned: stages.FineTuned, artifacts: list[Artifact]) -> list[Check]:
    """lm_head at merge, chat template and tokens of every artifact (the release's thinking mode), and
    training data against every eval item."""
    from harness.checks.contamination import release_contamination

    base, merged = tuned.base, tuned.merged
    checks = [Check(name=LM_HEAD_MERGE, passed=True,
                    detail="merged head equals the trained head (verified at merge)"
                    if merged.outputs.method != "full" else "full fine-tune: the head is the model's own")]
    pairs = [(BF16, base.path, base.outputs.sha256, merged.path, merged.outputs.sha256)]
    pairs += [(a.name, merged.path, merged.outputs.sha256, a.path, a.sha256) for a in artifacts if a.kind == "gguf"]
    checks += stages.template_checks(cache, pairs, stages.chat_variables(profile))
    checks.append(release_contamination(profile))
    return checks


def profile_digest(path_or_name: str) -> str:
    from harness.profiles.model import BUILTIN_DIR

    p = Path(path_or_name)
    p = p if p.is_file() else BUILTIN_DIR / f"{path_or_name}.yaml"
    return sha256_file(p) if p.is_file() else ""
