"""Static report site: mkdocs sources generated from run folders, built with `mkdocs build --strict`.

Layout of the generated docs: index.md (latest release), releases/<slug>.md (+ its PNG plots),
failed/<slug>/index.md and failed/<slug>/<level>.md (the explorer), trends.md (+ img/), the static
methodology page with an appendix about these reports, and decisions.md from a folder of notes.
Pages link each other relatively and mkdocs writes page.html files: any static host or file:// works.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from harness.errors import BadInput, StageError
from harness.publish import pages, plots
from harness.publish.explorer import slug, write_pages
from harness.publish.metrics import headline, plain_title, suites
from harness.publish.pages import Run
from harness.publish.site_out import owned_output
from harness.records.failed_items import FILE_NAME as FAILED_ITEMS
from harness.records.failed_items import load_failed_items
from harness.records.report import load_report

# The static pages and theme config, shipped inside the package (package data): a wheel install
# builds the site as a checkout does.
STATIC = Path(__file__).resolve().parent / "static"


def _load_runs(runs: list[Path]) -> list[Run]:
    if not runs:
        raise BadInput(None, "no run folders given")
    loaded = sorted(((load_report(p), p) for p in runs), key=lambda rp: rp[0].created)
    out: list[Run] = []
    for report, path in loaded:
        name = slug(report.release)
        while any(r.slug == name for r in out):  # the same release built twice: keep both pages
            name += "-" + str(len(out))
        folder = path if path.is_dir() else path.parent
        out.append(Run(report, name, load_failed_items(folder / FAILED_ITEMS)))
    return out


def _release_plots(run: Run, folder: Path) -> list[str]:
    r, stem = run.report, folder / run.slug
    made = [plots.score_vs_bpw(r, s, Path(f"{stem}-{slug(s)}-vs-bpw.png")) for s in suites(r)]
    made += [plots.size_vs_score(r, Path(f"{stem}-size-vs-score.png")), plots.kld_vs_bpw(r, Path(f"{stem}-kld.png"))]
    return [m for m in made if m]


def _trend_plots(runs: list[Run], folder: Path) -> dict[str, str]:
    folder.mkdir(exist_ok=True)
    reports = [run.report for run in runs]
    out = {}
    for metric in dict.fromkeys(m for r in reports for m in headline(r)):
        if (name := plots.trend(reports, metric, folder / f"trend-{slug(metric.replace('/', '_'))}.png")):
            out[metric] = f"img/{name}"
    return out


def _mkdocs(config: Path, html_dir: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # the theme's banner is noise in our logs
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(html_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
        raise StageError(f"mkdocs build --strict failed for {config}:\n{tail}")


def write_sources(runs: list[Path], src: Path, decisions_dir: Path | None = None) -> Path:
    """Generate the mkdocs project (src/mkdocs.yml + src/docs); returns the config's path."""
    if not (STATIC / "mkdocs.base.yml").is_file():
        raise StageError(f"static site sources missing: {STATIC}")
    loaded = _load_runs(runs)
    notes = pages.decisions(decisions_dir) if decisions_dir is not None else None
    if src.exists() and (not src.is_dir() or any(src.iterdir())):
        raise BadInput(src, "exists and is not empty: the site sources go into a new folder")
    shutil.copytree(STATIC / "docs", src / "docs")
    docs = src / "docs"
    (docs / "releases").mkdir()
    for run in loaded:
        run.plots = _release_plots(run, docs / "releases")
        run.failed = write_pages(docs / "failed" / run.slug, run.report, run.items, run.slug)
        (docs / "releases" / f"{run.slug}.md").write_text(pages.release_page(run), encoding="utf-8")
    (docs / "index.md").write_text(pages.home(loaded), encoding="utf-8")
    (docs / "trends.md").write_text(pages.trends(loaded, _trend_plots(loaded, docs / "img")), encoding="utf-8")
    with open(docs / "methodology.md", "a", encoding="utf-8") as f:
        f.write(pages.methodology_appendix(loaded))
    newest = list(reversed(loaded))
    nav: list[dict] = [
        {"Home": "index.md"}, {"Releases": [{plain_title(r.report.release): f"releases/{r.slug}.md"} for r in newest]},
        {"Trends": "trends.md"},
        {"Failed items": [{plain_title(r.report.release): [
            {"All levels": f"failed/{r.slug}/index.md"},
            *({plain_title(lv): f"failed/{r.slug}/{page}"} for lv, (page, _) in r.failed.items())]} for r in newest]},
        {"Methodology": "methodology.md"}]
    if notes is not None:
        (docs / "decisions.md").write_text(notes, encoding="utf-8")
        nav.append({"Decisions": "decisions.md"})
    config = yaml.safe_load((STATIC / "mkdocs.base.yml").read_text(encoding="utf-8"))
    config.update(docs_dir="docs", nav=nav, use_directory_urls=False)
    (src / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return src / "mkdocs.yml"


def build_site(runs: list[Path], out_dir: Path, decisions_dir: Path | None = None) -> Path:
    """Generate out_dir/src (mkdocs sources) from run folders and build it into out_dir/html.

    Only what an earlier build wrote is ever replaced (harness/publish/site_out.py)."""
    out_dir = out_dir.resolve()
    with owned_output(out_dir) as tmp:
        config = write_sources(runs, tmp / "src", decisions_dir)
        _mkdocs(config, tmp / "html")
    return out_dir / "html"
