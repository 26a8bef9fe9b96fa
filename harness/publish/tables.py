"""The Markdown tables of a release, shared by the card and the site so they never disagree on a number.

Every table is built from the report alone and covers every level, shipped or not: the cost of
compression is published at every precision, never only at 16 bits.
"""

from __future__ import annotations

from harness.names import BASE, KLD, is_suite_metric, suite_of
from harness.publish.metrics import (
    Markup,
    base,
    code,
    definitions,
    file_name,
    fmt_metric,
    fmt_small,
    headline,
    kld_metrics,
    md_escape,
    md_table,
    reference,
    suite_metrics,
    verdict,
)
from harness.records.report import Comparison, Level, Report


def artifact(report: Report, lv: Level) -> object:
    """What a reader would fetch: the GGUF file, the 16-bit safetensors, or the base model's id."""
    if lv.name == BASE:
        return code(report.base_model) if report.base_model else "base model"
    return code(file_name(lv)) if lv.kind == "gguf" else "safetensors (16-bit)"


def compression(report: Report, failed: dict[str, tuple[str, int]] | None = None) -> str:
    """Level, file, size, bits per weight, each suite's headline score, KLD, verdict; with `failed`
    (level -> (link, count)), a last column linking each level's failed items."""
    heads, klds = headline(report), kld_metrics(report)[:1]
    cols = ["Level", "File", "Size (MiB)", "Bits/weight", *heads, *klds, "Status"]
    rows = []
    for lv in report.levels:
        row: list[object] = [lv.name, artifact(report, lv), f"{lv.size_bytes / 2**20:,.1f}", f"{lv.bits_per_weight:.2f}"]
        row += [fmt_metric(lv.metrics.get(h)) for h in heads] + [fmt_small(lv.metrics.get(k)) for k in klds]
        row.append(verdict(report, lv))
        if failed is not None:
            href, count = failed.get(lv.name, ("", 0))
            row.append(Markup(f"[{count}]({href})") if href else "0")
        rows.append(row)
    if failed is not None:
        cols.append("Failed items")
    notes = definitions(heads)
    return md_table(cols, rows, right={2, 3}) + (f"\n{notes}" if notes else "")


def suite_table(report: Report, suite: str) -> str:
    """Every metric of one suite (pooled, then per task) down, every level across: value [95% CI]."""
    levels = [lv for lv in report.levels if any(suite_of(m) == suite for m in lv.metrics)]
    rows = []
    for name in suite_metrics(report, suite):
        ns = {lv.metrics[name].n for lv in levels if name in lv.metrics}
        rows.append([code(name), "/".join(map(str, sorted(ns))) or "–",
                     *(fmt_metric(lv.metrics.get(name)) for lv in levels)])
    notes = definitions(suite_metrics(report, suite))
    return md_table(["Metric", "n", *(lv.name for lv in levels)], rows, right={1}) + (f"\n{notes}" if notes else "")


def kld_table(report: Report) -> str | None:
    names = sorted({n for lv in report.levels for n in lv.metrics if suite_of(n) == KLD})
    levels = [lv for lv in report.levels if any(n in lv.metrics for n in names)]
    if not levels:
        return None
    rows = [[lv.name, *(fmt_small(lv.metrics.get(n)) for n in names),
             max((lv.metrics[n].n for n in names if n in lv.metrics), default=0)] for lv in levels]
    return md_table(["Level", *names, "tokens"], rows, right=set(range(1, len(names) + 2)))


def _paired(report: Report, a: str, b: str, metric: str) -> tuple[Comparison, int] | None:
    """The comparison of a and b on metric, with the sign that turns its delta into b − a."""
    for c in report.comparisons:
        if c.metric == metric and {c.a, c.b} == {a, b}:
            return c, 1 if c.a == a else -1
    return None


def forgetting(report: Report) -> str | None:
    """The fine-tune against its base: every pooled score, and every general-knowledge task."""
    lb, lf = base(report), reference(report)
    if lb is None or lf is None:
        return None
    names = [n for s in dict.fromkeys(suite_of(x) for x in lb.metrics) if s != KLD
             for n in suite_metrics(report, s)
             if n in lb.metrics and n in lf.metrics and (is_suite_metric(n) or s == "general")]
    rows = []
    for name in names:
        ma, mb = lb.metrics[name], lf.metrics[name]
        got = _paired(report, lb.name, lf.name, name)
        if got is None:  # no paired test was run: the raw difference, and no claim of significance
            rows.append([code(name), fmt_metric(ma), fmt_metric(mb), f"{mb.value - ma.value:+.3f}", "–", "–"])
            continue
        c, sign = got
        lo, hi = sorted((sign * c.ci_low, sign * c.ci_high))
        rows.append([code(name), fmt_metric(ma), fmt_metric(mb), f"{sign * c.delta:+.3f} [{lo:+.3f}, {hi:+.3f}]",
                     f"{c.p_value:.3g}", c.test])
    heads = ["Metric", lb.name, lf.name, f"Δ ({lf.name} − {lb.name}) [95% CI]", "p-value", "Test"]
    return md_table(heads, rows, right={4}) if rows else None


def gate_rules(report: Report) -> str | None:
    rules = sorted(report.gate.rules, key=lambda g: g.passed)  # failures first
    if not rules:
        return None
    return md_table(["Result", "Rule", "Subject", "Observed", "Passes when"], [
        ["pass" if g.passed else "FAIL", g.rule, g.subject, "–" if g.observed is None else f"{g.observed:+.3f}", g.limit]
        for g in rules])


def checks(report: Report) -> str | None:
    if not report.checks:
        return None
    return md_table(["Result", "Check", "Detail"], [["pass" if c.passed else "FAIL", code(c.name), c.detail]
                                             for c in sorted(report.checks, key=lambda c: c.passed)])


def comparisons(report: Report) -> str | None:
    if not report.comparisons:
        return None
    return md_table(["a", "b", "Metric", "Δ (b − a) [95% CI]", "p-value", "n", "Test"], [
        [c.a, c.b, code(c.metric), f"{c.delta:+.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}]", f"{c.p_value:.3g}", c.n, c.test]
        for c in report.comparisons], right={4, 5})


def training(report: Report) -> tuple[str, str | None] | None:
    """(the recipe as a two-column table, the data mixture table) from the train manifest summary."""
    t = report.train
    if t is None:
        return None
    hp = dict(t.hyperparameters)
    rows: list[list[object]] = [
        ["Method", f"{t.method}" + (f" (rank {t.lora_r})" if t.lora_r else "") + f", {t.backend} backend"],
        ["Hardware", t.device], ["Steps / seed", f"{t.steps} / {t.seed}"], ["Learning rate", f"{t.learning_rate:g}"],
        *([k.replace("_", " ").capitalize(), ", ".join(map(str, v)) if isinstance(v, list) else v]
          for k, v in hp.items() if k not in ("learning_rate", "r")),
        ["Examples (train / held-out)", f"{t.train_examples} / {t.heldout_examples}"],
        ["Loss (final / held-out)", " / ".join("–" if x is None else f"{x:.3f}" for x in (t.final_loss, t.heldout_loss))],
        ["Wall time", f"{t.wall_seconds / 60:.1f} min"], ["GPU-hours", f"{t.gpu_hours:.2f}"], ["Cost", f"{t.cost:.2f}"]]
    if t.lm_head:
        rows.append(["lm_head", t.lm_head])
    if t.versions:
        rows.append(["Versions", ", ".join(f"{k} {v}" for k, v in t.versions.items())])
    recipe = md_table(["Setting", "Value"], rows)
    if t.data:
        data = md_table(["File", "Records", "Train", "Held out", "Weight", "sha256"], [
            [code(d.name), d.records, d.train, d.heldout, f"{d.weight:g}", code(d.sha256[:16] + "…")] for d in t.data],
            right={1, 2, 3, 4})
    elif t.data_files:
        data = md_table(["File", "sha256"], [[code(n), code(s[:16] + "…")] for n, s in t.data_files.items()])
    else:
        data = None
    return recipe, data


def provenance(report: Report) -> str | None:
    if report.provenance is None:
        return None
    return md_table(["Tool", "Version"], [[k, v] for k, v in report.provenance.model_dump().items() if v])


def engines(report: Report) -> str | None:
    """What computed each level's items: engine, device, precision and batch size (None: not recorded)."""
    rows = []
    for lv in report.levels:
        e = lv.engine
        if e is None:
            continue
        device = f"{e.device} ({e.device_name})" if e.device_name else e.device
        notes = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in
                          (("linear_attention", e.linear_attention), ("causal_conv1d", e.causal_conv1d)) if v)
        rows.append([lv.name, e.engine, device, e.dtype or "GGUF file types", e.batch_size, e.lm_eval or "–",
                     notes or "–"])
    if not rows:
        return None
    return md_table(["Level", "Engine", "Device", "Precision", "Batch", "lm-eval model", "Kernels"], rows, right={4})


__all__ = ["artifact", "checks", "comparisons", "compression", "engines", "forgetting", "gate_rules", "kld_table",
           "md_escape", "provenance", "suite_table", "training"]
