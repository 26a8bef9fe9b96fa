"""The static site: built with mkdocs --strict, plots linked relatively, model text only ever escaped."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput, StageError
from harness.publish.site import build_site, write_sources

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "report_release_demo.json"  # a real `harness release demo` report
CANNED = ROOT / "tests" / "data" / "report_demo.json"  # an older, hand-made one: other metric names
SCRIPT = "<script>alert(1)</script>"
ITEMS = [
    {"level": "q4_k_m", "task": "fc/bfcl_simple", "item_id": "simple_17", "prompt": "Weather in Paris?\n\nUse the tool.",
     "expected": {"name": "get_weather", "arguments": {"city": "Paris"}}, "output": SCRIPT},
    {"level": "q4_k_m", "task": "fc/bfcl_simple", "item_id": "simple_3", "prompt": "p", "expected": "e", "output": "o"},
    {"level": "q2_k", "task": "fr/mc", "item_id": "12", "prompt": "Quelle est la bonne réponse ?",
     "expected": "B", "output": "</pre><img src=x onerror=alert(2)> | `x`"},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, make_run) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    decisions = tmp / "decisions"
    decisions.mkdir()
    (decisions / "2026-10-01-q4.md").write_text("# Ship Q4_K_M by default\n\nIt fits.\n\n```sh\n# not a heading\n```\n")
    (decisions / "2026-11-20-f16.md").write_text("# Publish F16 too\n\n## Why\nFor converters.\n")
    runs = [make_run(tmp / "runs" / "new", REAL, "demo", "2026-11-29T12:00:00+00:00", ITEMS),
            make_run(tmp / "runs" / "old", CANNED, "demo-prev", "2026-10-01T12:00:00+00:00")]
    html = build_site(runs, tmp / "out", decisions_dir=decisions)
    assert html == tmp / "out" / "html"  # build_site returns only after mkdocs build --strict succeeded
    return html


def _body(page: Path) -> str:
    """The page's article, without the navigation around it."""
    return page.read_text().split('<article', 1)[1].split("</article>", 1)[0]


def test_pages_exist(site: Path) -> None:
    for page in ("index", "releases/demo", "releases/demo-prev", "trends", "methodology", "decisions",
                 "failed/demo/index", "failed/demo/q4_k_m", "failed/demo/q2_k", "failed/demo-prev/index"):
        assert (site / f"{page}.html").is_file(), page
    assert (site.parent / "src" / "mkdocs.yml").is_file()
    home = _body(site / "index.html")
    assert 'href="releases/demo.html"' in home and "Release gate passed" in home  # the latest release leads
    assert home.index('href="releases/demo.html"') < home.index('href="releases/demo-prev.html"')


def test_release_plots_exist_and_are_linked_relatively(site: Path) -> None:
    page = site / "releases" / "demo.html"
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]+\.png)"', _body(page))
    # score vs bits per weight for each of the 3 suites, size vs score, KL divergence
    assert sorted(srcs) == ["demo-fc-vs-bpw.png", "demo-fr-vs-bpw.png", "demo-general-vs-bpw.png",
                            "demo-kld.png", "demo-size-vs-score.png"]
    for src in srcs:
        target = (page.parent / src).resolve()
        assert target.is_file() and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_link_and_asset_is_relative(site: Path) -> None:
    """Served from any static host or file://: no root-relative paths, no asset from the network.
    (404.html is the exception by design: a host serves it at any depth, so its links start at /.)"""
    for page in set(site.rglob("*.html")) - {site / "404.html"}:
        text = page.read_text()
        for attr, url in re.findall(r'\s(src|href)="([^"]*)"', text):
            assert not url.startswith(("/", "file:")), (page, url)
            if attr == "src" or url.endswith((".css", ".js")):
                assert not url.startswith(("http:", "https:", "//")), (page, url)
            elif not url.startswith(("http:", "https:", "#", "mailto:")):
                target = url.split("#")[0]
                assert not target or (page.parent / target).exists(), (page, url)


def test_model_text_only_escaped(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert SCRIPT not in text, page
        assert "<img src=x" not in text, page
    failed = (site / "failed" / "demo" / "q4_k_m.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in failed
    assert "Weather in Paris?\n\nUse the tool.</pre>" in failed  # blank lines kept inside the block
    assert failed.index("simple_3") < failed.index("simple_17")  # ids sort as numbers
    q2 = (site / "failed" / "demo" / "q2_k.html").read_text()
    assert "&lt;/pre&gt;&lt;img src=x onerror=alert(2)&gt;" in q2
    # Untrusted text stays out of the search index, whose snippets the theme renders as HTML.
    for index in (site / "search").glob("search_index.*"):
        assert "alert(" not in index.read_text()


def test_release_page_sections(site: Path) -> None:
    text = _body(site / "releases" / "demo.html")
    for needle in ("demo-q4_k_m.gguf", "Release gate passed", "compression", "chat_template:q4_k_m", "mcnemar",
                   "general/arc_easy/acc", "fc/bfcl_irrelevance/call_exact", "kld/top1_agree",
                   "All paired comparisons (150)", "frozen (tied to embeddings)", "Provenance"):
        assert needle in text, needle
    # The failed-items column links each level to its explorer page, with the count.
    assert '<a href="../failed/demo/q4_k_m.html">2</a>' in text and '<a href="../failed/demo/q2_k.html">1</a>' in text


def test_failed_gate_is_shown(tmp_path: Path) -> None:
    report = json.loads(REAL.read_text())
    rule = next(r for r in report["gate"]["rules"] if r["subject"].startswith("q4_k_m fc/call_exact"))
    rule.update(passed=False, observed=-0.3)
    report["gate"]["passed"] = False
    run = tmp_path / "run"
    run.mkdir()
    (run / "report.json").write_text(json.dumps(report))
    write_sources([run], tmp_path / "src")  # the Markdown only: mkdocs is tested above
    text = (tmp_path / "src" / "docs" / "releases" / "demo.md").read_text()
    assert '!!! failure "Release gate FAILED"' in text and "compression: q4_k_m fc/call_exact (vs bf16)" in text
    assert "| q4_k_m | <code>demo-q4_k_m.gguf</code> |" in text and "blocked: failed a rule" in text
    assert "| FAIL | compression | q4_k_m fc/call_exact (vs bf16) | -0.300 |" in text
    home = (tmp_path / "src" / "docs" / "index.md").read_text()
    assert '!!! failure "Release gate FAILED"' in home


def test_trends(site: Path) -> None:
    trends = _body(site / "trends.html")
    assert trends.index("<td>demo</td>") < trends.index("<td>demo-prev</td>")  # newest release first
    for metric in ("fc/call_exact", "fr/mc_acc", "general/acc"):
        png = site / "img" / f"trend-{metric.replace('/', '_')}.png"
        assert png.is_file() and f'src="img/{png.name}"' in trends
    assert "fr/lang_fr" in trends  # every pooled score gets a table, not only the headlines


def test_methodology_appendix(site: Path) -> None:
    text = _body(site / "methodology.html")
    assert "Wilson score" in text  # the static page
    assert "In these reports" in text and "bfcl-v4-simple_python-1" in text and "olmo-eval-0.9.0" in text
    assert "compression" in text and "forgetting" in text and "<code>chat_template</code>" in text


def test_decisions(site: Path) -> None:
    decisions = _body(site / "decisions.html")
    assert decisions.index("Publish F16 too") < decisions.index("Ship Q4_K_M by default")
    assert "# not a heading" in decisions and "<h3" in decisions  # fences untouched, headings demoted
    assert "2026-11-20" in decisions


def test_strict_build_fails_loudly(tmp_path: Path, make_run) -> None:
    decisions = tmp_path / "decisions"
    decisions.mkdir()
    (decisions / "0001.md").write_text("# Broken\n\nSee [missing](nowhere.md).\n")
    run = make_run(tmp_path / "run", REAL, "demo", "2026-11-29T12:00:00+00:00")
    with pytest.raises(StageError, match="nowhere.md"):
        build_site([run], tmp_path / "out", decisions_dir=decisions)


def test_bad_inputs(tmp_path: Path, make_run) -> None:
    run = make_run(tmp_path / "run", REAL, "demo", "2026-11-29T12:00:00+00:00")
    (run / "items.jsonl").write_text(json.dumps(ITEMS[0]) + "\n{not json\n")
    with pytest.raises(BadInput) as err:
        build_site([run], tmp_path / "out")
    assert err.value.line == 2 and "items.jsonl" in str(err.value)
    (run / "items.jsonl").write_text(json.dumps({"level": "q4_k_m"}) + "\n")
    with pytest.raises(BadInput, match="needs the keys"):
        build_site([run], tmp_path / "out")
    (run / "items.jsonl").unlink()
    with pytest.raises(BadInput, match="decisions folder not found"):
        build_site([run], tmp_path / "out", decisions_dir=tmp_path / "nope")


def test_repo_root_static_site_builds(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(tmp_path / "html")], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "html" / "methodology.html").is_file()
