"""Static report site: mkdocs sources generated from run folders, built with `mkdocs build --strict`.

Model text (prompts, expected answers, outputs) is untrusted: it only ever reaches a page through
html.escape inside <pre>, and the pages holding it are kept out of the search index.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import yaml

matplotlib.use("Agg")  # headless: CI and servers have no display
from matplotlib import pyplot as plt  # noqa: E402

from harness.errors import BadInput, StageError
from harness.publish.card import HEADLINE, compression_rows, failed_rules, forgetting_rows, md_escape
from harness.report.model import Report, load_report

STATIC = Path(__file__).resolve().parents[2] / "site"  # site/docs + site/mkdocs.base.yml in the repo
_ITEM_KEYS = ("level", "task", "item_id", "output")


@dataclass
class Run:
    report: Report
    slug: str
    items: list[dict] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "x"


def _load_items(path: Path) -> list[dict]:
    if not path.exists():
        return []
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadInput(path, f"not JSON: {e.msg}", line=n) from None
        if not isinstance(item, dict) or any(k not in item for k in _ITEM_KEYS):
            raise BadInput(path, f"an item needs the keys {', '.join(_ITEM_KEYS)}", line=n)
        items.append(item)
    return items


def _load_runs(runs: list[Path]) -> list[Run]:
    if not runs:
        raise BadInput(None, "no run folders given")
    loaded = sorted(((load_report(p), p) for p in runs), key=lambda rp: rp[0].created)
    out: list[Run] = []
    for report, path in loaded:
        slug = _slug(report.release)
        while any(r.slug == slug for r in out):  # the same release built twice: keep both pages
            slug += "-" + str(len(out))
        folder = path if path.is_dir() else path.parent
        out.append(Run(report, slug, _load_items(folder / "items.jsonl")))
    return out


def _table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _plot_release(report: Report, folder: Path, slug: str) -> list[str]:
    """PNG plots next to the release page; returns their names (the page links them relatively)."""
    levels = [lv for lv in report.levels if lv.name != "base"]
    names = []
    for metric in HEADLINE:
        pts = [(lv, m) for lv in levels if (m := lv.metrics.get(metric))]
        if not pts:
            continue
        fig, ax = plt.subplots(figsize=(6, 3.6))
        for shipped in (True, False):
            sel = [(lv, m) for lv, m in pts if lv.shipped == shipped]
            if sel:
                ax.errorbar([lv.bits_per_weight for lv, _ in sel], [m.value for _, m in sel], fmt="o",
                            yerr=[[m.value - m.ci_low for _, m in sel], [m.ci_high - m.value for _, m in sel]],
                            capsize=3, mfc=None if shipped else "white", label="shipped" if shipped else "not shipped")
        for i, (lv, m) in enumerate(pts):  # alternate offsets: 16-bit levels share one x
            ax.annotate(lv.name, (lv.bits_per_weight, m.value), textcoords="offset points",
                        xytext=(5, 6 if i % 2 else -12), fontsize=7)
        base = next((lv.metrics.get(metric) for lv in report.levels if lv.name == "base"), None)
        if base:
            ax.axhline(base.value, ls="--", c="grey", lw=1, label="base")
        ax.set(xlabel="bits per weight", ylabel=metric, title=f"{metric} vs bits per weight (95% CI)")
        ax.legend(fontsize=7)
        names.append(_save(fig, folder / f"{slug}-{_slug(metric.replace('/', '_'))}.png"))
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for metric in HEADLINE:
        pts = sorted(((lv, m) for lv in levels if (m := lv.metrics.get(metric))), key=lambda p: p[0].size_bytes)
        if pts:
            ax.errorbar([lv.size_bytes / 2**20 for lv, _ in pts], [m.value for _, m in pts], marker="o", capsize=3,
                        yerr=[[m.value - m.ci_low for _, m in pts], [m.ci_high - m.value for _, m in pts]], label=metric)
    ax.set(xlabel="file size (MiB)", ylabel="score", title="Size vs score (95% CI)")
    ax.legend(fontsize=7)
    names.append(_save(fig, folder / f"{slug}-size-vs-score.png"))
    return names


def _save(fig: plt.Figure, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)  # figures pile up in pyplot's registry otherwise
    return path.name


def _verdict(report: Report) -> str:
    ok = report.gate.passed
    return f'<span class="verdict-{"pass" if ok else "fail"}">{"PASSED" if ok else "FAILED"}</span>'


def _compression(report: Report) -> str:
    rows = compression_rows(report)
    heads = ["level", "file", "size_mib", "bpw", *HEADLINE, "kld/mean", "verdict"]
    return _table(["Level", "File", "Size (MiB)", "Bits/weight", *HEADLINE, "KLD mean", "Status"],
                  [[r[h] for h in heads] for r in rows])


def _release_page(run: Run, pngs: list[str]) -> str:
    r = run.report
    fails = "".join(f"- {md_escape(f)}\n" for f in failed_rules(r))
    out = [f"# Release {md_escape(r.release)}\n", f"Built {md_escape(r.created)} from base "
           f"<code>{md_escape(r.base_model or '?')}</code>. Gate: {_verdict(r)}\n", fails,
           "## Scores at every level\n", _compression(r), "## Plots\n"]
    out += [f"![{md_escape(p)}]({p})\n" for p in pngs]
    out += ["## Gate rules\n", _table(["Rule", "Subject", "Observed", "Limit", "Passed"], [
        [g.rule, g.subject, "–" if g.observed is None else f"{g.observed:.4g}", g.limit, "yes" if g.passed else "NO"]
        for g in r.gate.rules]) if r.gate.rules else "No rules recorded.\n"]
    out += ["## Checks\n", _table(["Check", "Passed", "Detail"], [
        [c.name, "yes" if c.passed else "NO", c.detail] for c in r.checks]) if r.checks else "No checks recorded.\n"]
    out += ["## Comparisons\n", "Paired over the same items; Δ is b − a.\n\n", _table(
        ["a", "b", "Metric", "Δ [95% CI]", "p-value", "n", "Test"],
        [[c.a, c.b, c.metric, f"{c.delta:+.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}]", f"{c.p_value:.3g}", c.n, c.test]
         for c in r.comparisons]) if r.comparisons else "No comparisons recorded.\n"]
    forget = forgetting_rows(r)
    if forget:
        keys = ["metric", "base", "bf16", "delta", "p", "test"]
        out += ["## Forgetting: base vs bf16\n", _table(["Metric", "base", "bf16", "Δ [95% CI]", "p-value", "Test"],
                                                        [[f[k] for k in keys] for f in forget])]
    if r.provenance:
        out += ["## Provenance\n", _table(["Tool", "Version"], [[k, v] for k, v in r.provenance.model_dump().items() if v])]
    out.append(f"\n[Failed items of this release](../failed/{run.slug}.md)\n")
    return "\n".join(out)


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


def _failed_page(run: Run) -> str:
    out = ["---\nsearch:\n  exclude: true\n---\n",  # untrusted text stays out of the search index
           f"# Failed items: {md_escape(run.report.release)}\n"]
    if not run.items:
        return "\n".join([*out, "No item-level outputs were stored for this run.\n"])
    order = [lv.name for lv in run.report.levels]
    levels = sorted({str(i["level"]) for i in run.items}, key=lambda n: (order.index(n) if n in order else 99, n))
    out.append(_table(["Level", "Failed items"], [[f"{lv}", sum(str(i["level"]) == lv for i in run.items)] for lv in levels]))
    for lv in levels:
        out.append(f"## {md_escape(lv)} {{#level-{_slug(lv)}}}\n")
        for item in sorted((i for i in run.items if str(i["level"]) == lv), key=lambda i: (str(i["task"]), str(i["item_id"]))):
            out.append(f"**{md_escape(item['task'])} · {md_escape(item['item_id'])}**\n")
            for key in ("prompt", "expected", "output"):
                if key in item:
                    out.append(f'<p>{key}</p>\n<pre class="item">{html.escape(_text(item[key]))}</pre>\n')
    return "\n".join(out)


def _trends(runs: list[Run]) -> str:
    out = ["# Trends across releases\n", _table(["Release", "Built", "Gate", "Shipped levels"], [
        [r.report.release, r.report.created, "passed" if r.report.gate.passed else "FAILED",
         ", ".join(lv.name for lv in r.report.levels if lv.shipped and lv.name != "base")] for r in reversed(runs)])]
    names = list(dict.fromkeys(lv.name for r in runs for lv in r.report.levels))
    for metric in HEADLINE:
        rows = []
        for r in reversed(runs):
            got = {lv.name: lv.metrics.get(metric) for lv in r.report.levels}
            rows.append([r.report.release, *(f"{m.value:.3f}" if (m := got.get(n)) else "–" for n in names)])
        out += [f"## {metric}\n", _table(["Release", *names], rows)]
    return "\n".join(out)


def _home(latest: Run, runs: list[Run]) -> str:
    r = latest.report
    return "\n".join([
        "# Release reports\n", f"Latest release: **[{md_escape(r.release)}](releases/{latest.slug}.md)**, "
        f"built {md_escape(r.created)}. Gate: {_verdict(r)}\n", "".join(f"- {md_escape(f)}\n" for f in failed_rules(r)),
        _compression(r), "## All releases\n",
        "".join(f"- [{md_escape(x.report.release)}](releases/{x.slug}.md) ({md_escape(x.report.created)})\n" for x in reversed(runs)),
        "See [Trends](trends.md) and [Methodology](methodology.md).\n"])


def _demote(md: str) -> str:
    """Headings one level down (they sit under the file's own section), code fences left alone."""
    out, fence = [], False
    for line in md.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        out.append("#" + line if not fence and re.match(r"#{1,5} ", line) else line)
    return "\n".join(out)


def _decisions(folder: Path) -> str | None:
    if not folder.is_dir():
        raise BadInput(folder, "decisions folder not found")
    # Names sort by date or number prefix (2026-11-29-..., 0007-...): reverse order is newest first.
    files = sorted(folder.glob("*.md"), key=lambda p: p.name, reverse=True)
    if not files:
        return None
    out = ["# Decisions\n"]
    for f in files:
        text = f.read_text(encoding="utf-8")
        m = re.match(r"#\s+(.+)\n", text)
        title, body = (m.group(1), text[m.end():]) if m else (f.stem, text)
        out += [f"## {title.strip()}\n", _demote(body), ""]
    return "\n".join(out)


def _mkdocs(config: Path, html_dir: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # the theme's banner is noise in our logs
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(html_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
        raise StageError(f"mkdocs build --strict failed for {config}:\n{tail}")


def build_site(runs: list[Path], out_dir: Path, decisions_dir: Path | None = None) -> Path:
    """Generate out_dir/src (mkdocs sources) from run folders and build it into out_dir/html."""
    if not (STATIC / "mkdocs.base.yml").is_file():
        raise StageError(f"static site sources missing: {STATIC}")
    loaded = _load_runs(runs)
    out_dir = out_dir.resolve()
    src, html_dir = out_dir / "src", out_dir / "html"
    shutil.rmtree(src, ignore_errors=True)  # a page from an earlier build must not linger
    shutil.copytree(STATIC / "docs", src / "docs")
    docs = src / "docs"
    (docs / "releases").mkdir()
    (docs / "failed").mkdir()
    for run in loaded:
        pngs = _plot_release(run.report, docs / "releases", run.slug)
        (docs / "releases" / f"{run.slug}.md").write_text(_release_page(run, pngs), encoding="utf-8")
        (docs / "failed" / f"{run.slug}.md").write_text(_failed_page(run), encoding="utf-8")
    (docs / "index.md").write_text(_home(loaded[-1], loaded), encoding="utf-8")
    (docs / "trends.md").write_text(_trends(loaded), encoding="utf-8")
    newest = list(reversed(loaded))
    nav: list[dict] = [{"Home": "index.md"},
                       {"Releases": [{r.report.release: f"releases/{r.slug}.md"} for r in newest]},
                       {"Trends": "trends.md"},
                       {"Failed items": [{r.report.release: f"failed/{r.slug}.md"} for r in newest]},
                       {"Methodology": "methodology.md"}]
    if decisions_dir is not None and (text := _decisions(decisions_dir)) is not None:
        (docs / "decisions.md").write_text(text, encoding="utf-8")
        nav.append({"Decisions": "decisions.md"})
    config = yaml.safe_load((STATIC / "mkdocs.base.yml").read_text(encoding="utf-8"))
    config.update(docs_dir="docs", nav=nav, use_directory_urls=False)
    (src / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    _mkdocs(src / "mkdocs.yml", html_dir)
    return html_dir
