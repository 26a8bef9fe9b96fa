"""Reports rebuilt from per-item scores, and A/A runs for measuring the gate's false alarms.

An A/A run keeps every level's real items and their real disagreements, but removes any real
difference: for each paired comparison (base -> bf16, bf16 -> each other level), each item's two
scores are swapped with probability 1/2, so both sides have the same distribution and the expected
delta is 0, while the number of discordant items (what McNemar's test sees) stays what the real
levels produce. Items are first resampled with replacement per task (a bootstrap over items), so
every replicate also sees another eval set of the same size. Two A/A runs built from the same
resample and independent swaps are exchangeable with each other: a baseline and a candidate with
nothing changed between them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from harness.gate.rules import BASE, REFERENCE
from harness.records.items import ItemScores, LevelScores, TaskScores
from harness.records.report import Comparison, Level, Report

Sample = dict[str, list[tuple[str, str]]]  # task -> [(new item id, original item id)]


def pairs(report: Report) -> list[tuple[str, str]]:
    """The comparisons the pipeline makes: base -> bf16 and bf16 -> every later level."""
    names = [lv.name for lv in report.levels]
    out = [(BASE, REFERENCE)] if BASE in names and REFERENCE in names else []
    return out + [(REFERENCE, n) for n in names if n not in (BASE, REFERENCE) and REFERENCE in names]


def _values(scores: ItemScores, level: str) -> dict[str, dict[str, float]]:
    from harness.evals.aggregate import level_values

    return level_values(scores, level)


def _summaries(values: dict[str, dict[str, float]], keep: set[str] | None):
    from harness.stats import metric_summary

    return {m: metric_summary(list(v.values())) for m, v in sorted(values.items()) if v and (keep is None or m in keep)}


def _compare(a: ItemScores, a_level: str, b: ItemScores, b_level: str, keep: set[str] | None,
             n_boot: int) -> list[Comparison]:
    from harness.stats import paired_comparison

    va, vb = _values(a, a_level), _values(b, b_level)
    return [paired_comparison(va[m], vb[m], a_name=a_level, b_name=b_level, metric=m, n_boot=n_boot)
            for m in sorted(set(va) & set(vb)) if (keep is None or m in keep) and set(va[m]) & set(vb[m])]


def rebuild(report: Report, scores: ItemScores, keep: Iterable[str] | None = None, n_boot: int = 2000) -> Report:
    """The report with item metrics and paired comparisons recomputed from `scores` (KLD kept);
    `keep` limits both to those metric names (faster)."""
    keep = set(keep) if keep is not None else None
    levels = []
    for lv in report.levels:
        kept = {m: v for m, v in lv.metrics.items() if m.startswith("kld/")}
        levels.append(lv.model_copy(update={"metrics": {**_summaries(_values(scores, lv.name), keep), **kept}}))
    comparisons = [c for a, b in pairs(report) for c in _compare(scores, a, scores, b, keep, n_boot)]
    return report.model_copy(update={"levels": levels, "comparisons": comparisons})


def split_fc(scores: ItemScores) -> ItemScores:
    """Per-item scores of a run scored before fc/call_acc and fc/relevance_acc existed (the demo run in
    tests/data), with both added as the scorer defines them (harness/evals/fc.py): call_exact on items
    that need a call (the only ones scored for json_valid) and on irrelevance items (the others)."""
    def item(task: str, s: dict[str, float]) -> dict[str, float]:
        if not task.startswith("fc/") or "call_exact" not in s or "call_acc" in s or "relevance_acc" in s:
            return s
        return {**s, ("call_acc" if "json_valid" in s else "relevance_acc"): s["call_exact"]}

    return ItemScores(release=scores.release, levels={
        name: LevelScores(sha256=lv.sha256, tasks={task: {i: item(task, s) for i, s in items.items()}
                                                    for task, items in lv.tasks.items()})
        for name, lv in scores.levels.items()})


def bootstrap_items(scores: ItemScores, rng: np.random.Generator) -> Sample:
    """Per task, as many items as it has, drawn with replacement (the same draw for every level)."""
    first = next(iter(scores.levels.values()))
    out: Sample = {}
    for task, items in first.tasks.items():
        ids = sorted(items)
        picks = rng.integers(0, len(ids), size=len(ids))
        out[task] = [(f"{ids[k]}#{j}", ids[k]) for j, k in enumerate(picks)]
    return out


def resample(scores: ItemScores, sample: Sample) -> ItemScores:
    return ItemScores(release=scores.release, levels={
        name: LevelScores(sha256=lv.sha256, tasks={task: {new: lv.tasks[task][old] for new, old in sample[task]}
                                                    for task in sample if task in lv.tasks})
        for name, lv in scores.levels.items()})


def _swapped(x: dict[str, TaskScores], y: dict[str, TaskScores], rng: np.random.Generator):
    xs: dict[str, TaskScores] = {}
    ys: dict[str, TaskScores] = {}
    for task, items in x.items():
        ids = list(items)
        flip = rng.random(len(ids)) < 0.5
        xs[task] = {i: (y if f else x)[task][i] for i, f in zip(ids, flip)}
        ys[task] = {i: (x if f else y)[task][i] for i, f in zip(ids, flip)}
    return xs, ys


def aa_run(report: Report, scores: ItemScores, rng: np.random.Generator, keep: Iterable[str] | None = None,
           n_boot: int = 200) -> tuple[Report, ItemScores]:
    """One A/A run from already resampled scores: a report whose every paired comparison compares two
    exchangeable sides, and the per-item scores of its levels (for pairing with another A/A run)."""
    keep = set(keep) if keep is not None else None
    levels = {n: lv for n, lv in scores.levels.items()}
    comparisons: list[Comparison] = []
    for a, b in pairs(report):
        xa, xb = _swapped(scores.levels[a].tasks, scores.levels[b].tasks, rng)
        side_a = ItemScores(release=scores.release, levels={a: LevelScores(sha256="", tasks=xa)})
        side_b = ItemScores(release=scores.release, levels={b: LevelScores(sha256="", tasks=xb)})
        comparisons += _compare(side_a, a, side_b, b, keep, n_boot)
        levels[b] = LevelScores(sha256=scores.levels[b].sha256, tasks=xb)
        if a == BASE:
            levels[a] = LevelScores(sha256=scores.levels[a].sha256, tasks=xa)
    run = ItemScores(release=scores.release, levels=levels)
    new_levels: list[Level] = []
    for lv in report.levels:
        kept = {m: v for m, v in lv.metrics.items() if m.startswith("kld/")}
        new_levels.append(lv.model_copy(update={"metrics": {**_summaries(_values(run, lv.name), keep), **kept}}))
    return report.model_copy(update={"levels": new_levels, "comparisons": comparisons}), run
