"""Evaluation of a release, the one entry point of the recipe: every task on every level (per-item
store), the EOS probe of each level, and the KL divergence of every GGUF level (a cached stage); and of
one artifact alone (`harness eval`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.cache import StageCache, sha256_file, sha256_tree
from harness.evals.aggregate import metrics
from harness.evals.core import Task
from harness.evals.kld_stage import kld_stage
from harness.evals.levels import Artifact, LevelResults, evaluate_levels
from harness.evals.probe import probe_check
from harness.evals.store import ResultStore
from harness.profiles.model import EvalSpec
from harness.records.engine import EngineInfo
from harness.records.placement import Placement
from harness.records.report import Check, Metric, Suite


@dataclass(frozen=True)
class Evaluation:
    results: dict[str, LevelResults]  # level -> task -> items
    suites: list[Suite]
    probes: list[Check]  # eos_probe:<level> of every level
    kld: dict[str, dict[str, Metric]]  # GGUF level -> kld/* metrics
    engines: dict[str, EngineInfo | None]  # level -> what computed its items (None: not recorded)
    placements: dict[str, Placement] = field(default_factory=dict)  # level -> where it ran (spread evaluation)


def evaluate_release(cache: StageCache, store: ResultStore, spec: EvalSpec, artifacts: list[Artifact],
                     merged_dir: Path, merged_sha: str) -> Evaluation:
    probes: dict = {}
    placements: dict[str, Placement] = {}
    if spec.workers > 1:  # levels spread over a Ray cluster's workers; the store stays written here only
        from harness.evals.spread import evaluate_levels_spread

        results, suites, placements = evaluate_levels_spread(artifacts, spec, store, probes)
    else:
        results, suites = evaluate_levels(artifacts, spec, store, probes)
    kld = kld_stage(cache, spec, merged_dir, merged_sha, [a for a in artifacts if a.kind == "gguf"])
    return Evaluation(results, suites, [probe_check(a.name, probes[a.name]) for a in artifacts], kld,
                      {a.name: store.engine(a.sha256) for a in artifacts}, placements)


def evaluate_artifact(path: Path, kind: str, spec: EvalSpec, out: Path,
                      replaced: Sequence[Task] = ()) -> tuple[dict[str, Metric], list[Suite]]:
    """One HF folder or GGUF file scored alone: items in OUT/results.sqlite, metrics in OUT/eval.json.
    `replaced`: tasks standing in for the registered ones (the user's own items)."""
    from harness.records.eval_scores import write_eval_scores

    sha = sha256_tree(path) if kind == "hf" else sha256_file(path)
    out.mkdir(parents=True, exist_ok=True)
    with ResultStore(out / "results.sqlite") as store:
        results, suites = evaluate_levels([Artifact(path.name, kind, path, sha)], spec, store, replaced=replaced)
    scores = metrics(results[path.name])
    write_eval_scores(out, scores)
    return scores, suites
