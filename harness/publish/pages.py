"""The Markdown pages of the report site: home, one page per release, trends, methodology appendix,
decisions log. Tables come from harness.publish.tables (shared with the card); every name taken
from a report is escaped; links are relative so the site serves from any static host or file://.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import BadInput
from harness.publish import tables
from harness.publish.metrics import (
    Markup,
    code,
    failed_rules,
    file_name,
    fmt_metric,
    headline,
    md_escape,
    md_table,
    pooled_metrics,
    recommended,
    reference,
    suites,
)
from harness.publish.recipes import thinking_sentence
from harness.records.failed_items import FailedItem
from harness.records.report import Report

_WIDE = "---\nhide:\n  - toc\n---\n"  # wide score tables: the page's own contents column gives way


@dataclass
class Run:
    report: Report
    slug: str
    items: list[FailedItem] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)  # PNG names next to the release page
    failed: dict[str, tuple[str, int]] = field(default_factory=dict)  # level -> (explorer page, count)


def _gate_box(r: Report, title: str = "") -> str:
    """A success or failure admonition: verdict, recommended file, failed rules."""
    kind, word = ("success", "passed") if r.gate.passed else ("failure", "FAILED")
    lines = [f'!!! {kind} "{title or "Release gate"} {word}"', ""]
    body = [f"Built {md_escape(r.created[:16].replace('T', ' '))} UTC from <code>{md_escape(r.base_model or '?')}</code>."]
    if (rec := recommended(r)) is not None:
        body.append(f"Recommended file: <code>{md_escape(file_name(rec))}</code> ({md_escape(rec.name)}, "
                    f"{rec.size_bytes / 2**20:,.0f} MiB).")
    lines.append("    " + " ".join(body))
    fails = failed_rules(r)
    if fails:
        lines += ["", *(f"    - {md_escape(f)}" for f in fails)]
    return "\n".join(lines) + "\n"


def _alt(run_slug: str, png: str) -> str:
    """'demo-fc-vs-bpw.png' -> 'fc score vs bits per weight' (the plot's file name says what it shows)."""
    what = png.removeprefix(f"{run_slug}-").removesuffix(".png")
    return what.replace("-vs-bpw", " score vs bits per weight").replace("-", " ")


def _img(name: str, alt: str) -> str:
    return f"![{md_escape(alt)}]({name}){{ .plot loading=lazy }}"


def release_page(run: Run) -> str:
    r = run.report
    failed = {lv: (f"../failed/{run.slug}/{page}", n) for lv, (page, n) in run.failed.items()}
    out = [_WIDE, f"# Release {md_escape(r.release)}\n", _gate_box(r),
           "## Scores at every level\n",
           ("Each suite's headline score as `value [95% interval]`; every level is published, shipped or not. "
           "KLD: divergence from the 16-bit reference (lower is closer).\n"),
           *([thinking + "\n"] if (thinking := thinking_sentence(r)) else []),
           tables.compression(r, failed),
           "## Plots\n", " ".join(_img(p, _alt(run.slug, p)) for p in run.plots) + "\n",
           "## Scores by suite\n"]
    for suite in suites(r):
        out += [f"### {code(suite)}\n", tables.suite_table(r, suite)]
    if (kld := tables.kld_table(r)) is not None:
        out += ["## KL divergence from the 16-bit reference\n", kld]
    if (forget := tables.forgetting(r)) is not None:
        out += ["## Forgetting: base vs fine-tune\n",
                "Paired over the same items; general-knowledge scores below the base are forgetting.\n", forget]
    out += ["## Gate rules\n", tables.gate_rules(r) or "No gate rules were recorded.\n",
            "## Checks\n", tables.checks(r) or "No checks were recorded.\n"]
    if (comps := tables.comparisons(r)) is not None:
        out += [f'??? note "All paired comparisons ({len(r.comparisons)})"\n',
                "\n".join("    " + ln for ln in comps.splitlines()) + "\n"]
    if (train := tables.training(r)) is not None:
        out += ["## Training\n", train[0], *(["\nData mixture:\n", train[1]] if train[1] else [])]
    if (prov := tables.provenance(r)) is not None:
        out += ["## Provenance\n", prov]
    if (ran := tables.engines(r)) is not None:
        out += ["## How each level was evaluated\n", ran]
    out.append(f"\n[Failed items of this release](../failed/{run.slug}/index.md) · [Trends](../trends.md) · "
               "[Methodology](../methodology.md)\n")
    return "\n".join(out)


def home(runs: list[Run]) -> str:
    latest = runs[-1]
    r = latest.report
    plot = next((p for p in latest.plots if "size-vs-score" in p), None)
    out = [_WIDE, "# Release reports\n",
           f"Latest release: **[{md_escape(r.release)}](releases/{latest.slug}.md)**.\n", _gate_box(r),
           tables.compression(r), *([_img(f"releases/{plot}", "size vs score") + "\n"] if plot else []),
           "## All releases\n"]
    rows = []
    for run in reversed(runs):
        rep = run.report
        ref, rec = reference(rep), recommended(rep)
        rows.append([Markup(f"[{md_escape(rep.release)}](releases/{run.slug}.md)"), rep.created[:16].replace("T", " "),
                     "passed" if rep.gate.passed else "FAILED", rec.name if rec else "–",
                     *(fmt_metric(ref.metrics.get(h)) if ref else "–" for h in headline(r))])
    heads = ["Release", "Built", "Gate", "Recommended", *(f"{h} ({reference(r).name})" for h in headline(r))]
    out += [md_table(heads, rows),
            "\nSee [Trends](trends.md) across releases and the [Methodology](methodology.md) behind every number.\n"]
    return "\n".join(out)


def trends(runs: list[Run], pngs: dict[str, str]) -> str:
    out = [_WIDE, "# Trends across releases\n",
           ("Every pooled score of every level, one release per row (newest first), as `value [95% interval]`. "
           "Across releases items cannot be paired: only intervals that do not overlap show a change.\n")]
    reports = [run.report for run in runs]
    for metric in list(dict.fromkeys(m for r in reports for m in pooled_metrics(r))):
        names = list(dict.fromkeys(lv.name for r in reports for lv in r.levels if metric in lv.metrics))
        rows = [[r.release, *(fmt_metric(next((lv.metrics.get(metric) for lv in r.levels if lv.name == n), None))
                              for n in names)] for r in reversed(reports)]
        out += [f"## {code(metric)}\n", *([_img(pngs[metric], metric) + "\n"] if metric in pngs else []),
                md_table(["Release", *names], rows)]
    return "\n".join(out)


def methodology_appendix(runs: list[Run]) -> str:
    """What these particular reports hold: suites and versions, metrics, gate rules, checks."""
    latest = runs[-1].report
    seen: dict[tuple, list[str]] = {}  # (task, version, items) -> releases that ran it
    for run in reversed(runs):
        for s in run.report.suites:
            seen.setdefault((s.name, s.version, _items(s)), []).append(run.report.release)
    out = ["\n## In these reports\n", "### Suites\n",
           md_table(["Task", "Version", "Items", "Releases"], [[*k, ", ".join(v)] for k, v in seen.items()], right={2})]
    names = sorted({m for run in runs for lv in run.report.levels for m in lv.metrics})
    out.append("### Metrics\n")  # a list, not a table: the names wrap instead of widening the page
    out += [f"- **{md_escape(s)}**: " + ", ".join(f"<code>{md_escape(m)}</code>" for m in names
                                                 if m.split("/", 1)[0] == s)
            for s in dict.fromkeys(m.split("/", 1)[0] for m in names)]
    out.append("")
    rules = {}
    for g in latest.gate.rules:
        rules.setdefault(g.rule, re.sub(r"\s*\(p = .*\)$", "", g.limit))
    if rules:
        out += [f"### Gate rules of the latest release ({md_escape(latest.release)})\n",
                md_table(["Rule", "Passes when (example)"], [[k, v] for k, v in rules.items()])]
    if latest.checks:
        kinds = dict.fromkeys(c.name.split(":", 1)[0] for c in latest.checks)
        out += ["### Checks\n", ", ".join(f"<code>{md_escape(k)}</code>" for k in kinds) + "\n"]
    return "\n".join(out)


def _items(s) -> str:
    """The suite's items, and the levels that scored fewer (eval.gguf_limits) with their count."""
    by_n: dict[int, list[str]] = {}
    for level, n in s.fewer_items.items():
        by_n.setdefault(n, []).append(level)
    return str(s.n_items) + "".join(f" ({n} on {', '.join(lv)})" for n, lv in sorted(by_n.items()))


def _demote(md: str) -> str:
    """Headings one level down (they sit under the file's own section), code fences left alone."""
    out, fence = [], False
    for line in md.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        out.append("#" + line if not fence and re.match(r"#{1,5} ", line) else line)
    return "\n".join(out)


def decisions(folder: Path) -> str | None:
    """The decisions log: one section per Markdown note, newest first (names sort by date or number)."""
    if not folder.is_dir():
        raise BadInput(folder, "decisions folder not found")
    files = sorted(folder.glob("*.md"), key=lambda p: p.name, reverse=True)
    if not files:
        return None
    out = ["# Decisions\n", "Reasoning and pivots behind the releases, newest first.\n"]
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise BadInput(f, f"not UTF-8 text (byte {e.start})") from None
        m = re.match(r"#\s+(.+)\n", text)
        title, body = (m.group(1), text[m.end():]) if m else (f.stem, text)
        date = re.match(r"\d{4}-\d{2}-\d{2}", f.name)
        out += [f"## {title.strip()}\n", f"*{date.group(0)}*\n" if date else "", _demote(body), ""]
    return "\n".join(out)
