"""The static site: built with mkdocs --strict, plots linked relatively, model text only ever escaped."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput, StageError
from harness.publish.site import build_site

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "report_demo.json"
SCRIPT = "<script>alert(1)</script>"
ITEMS = [
    {"level": "q4_k_m", "task": "fc/bfcl_simple", "item_id": "simple_17", "prompt": "Weather in Paris?\n\nUse the tool.",
     "expected": {"name": "get_weather", "arguments": {"city": "Paris"}}, "output": SCRIPT},
    {"level": "q2_k", "task": "fr/mc", "item_id": "12", "prompt": "Quelle est la bonne réponse ?",
     "expected": "B", "output": "</pre><img src=x onerror=alert(2)> | `x`"},
]


def _run(folder: Path, release: str, created: str, items: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True)
    report = json.loads(DATA.read_text())
    report.update(release=release, created=created)
    (folder / "report.json").write_text(json.dumps(report))
    if items is not None:
        (folder / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    decisions = tmp / "decisions"
    decisions.mkdir()
    (decisions / "2026-10-01-q4.md").write_text("# Ship Q4_K_M by default\n\nIt fits.\n\n```sh\n# not a heading\n```\n")
    (decisions / "2026-11-20-f16.md").write_text("# Publish F16 too\n\n## Why\nFor converters.\n")
    runs = [_run(tmp / "runs" / "new", "demo", "2026-11-29T12:00:00+00:00", ITEMS),
            _run(tmp / "runs" / "old", "demo-prev", "2026-10-01T12:00:00+00:00")]
    html = build_site(runs, tmp / "out", decisions_dir=decisions)
    assert html == tmp / "out" / "html"  # build_site returns only after mkdocs build --strict succeeded
    return html


def test_pages_exist(site: Path) -> None:
    for page in ("index", "releases/demo", "releases/demo-prev", "trends", "methodology",
                 "failed/demo", "failed/demo-prev", "decisions"):
        assert (site / f"{page}.html").is_file(), page
    assert (site.parent / "src" / "mkdocs.yml").is_file()
    home = (site / "index.html").read_text()
    assert 'href="releases/demo.html"' in home and "PASSED" in home  # the latest release leads


def test_plots_exist_and_are_linked_relatively(site: Path) -> None:
    page = site / "releases" / "demo.html"
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]+\.png)"', page.read_text())
    assert len(srcs) == 5  # one per headline metric + size vs score
    for src in srcs:
        assert not src.startswith(("/", "http:", "https:", "file:")), src
        target = (page.parent / src).resolve()
        assert target.is_file() and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_model_text_only_escaped(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert SCRIPT not in text, page
        assert "<img src=x" not in text, page
    failed = (site / "failed" / "demo.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in failed
    assert "&lt;/pre&gt;&lt;img src=x onerror=alert(2)&gt;" in failed
    assert "Weather in Paris?\n\nUse the tool.</pre>" in failed  # blank lines kept inside the block
    # Untrusted text stays out of the search index, whose snippets the theme renders as HTML.
    for index in (site / "search").glob("search_index.*"):
        assert "alert(" not in index.read_text()


def test_release_page_sections(site: Path) -> None:
    text = (site / "releases" / "demo.html").read_text()
    for needle in ("demo-Q4_K_M.gguf", "compression", "chat_template:q4_k_m", "mcnemar", "general/arc_easy/acc"):
        assert needle in text, needle


def test_trends_and_decisions(site: Path) -> None:
    trends = (site / "trends.html").read_text().split("<h1", 1)[1]  # the page body, not the nav
    assert trends.index("<td>demo-prev</td>") > trends.index("<td>demo</td>")  # newest release first
    decisions = (site / "decisions.html").read_text().split("<h1", 1)[1]
    assert decisions.index("Publish F16 too") < decisions.index("Ship Q4_K_M by default")
    assert "# not a heading" in decisions and "<h3" in decisions  # fences untouched, headings demoted


def test_strict_build_fails_loudly(tmp_path: Path) -> None:
    decisions = tmp_path / "decisions"
    decisions.mkdir()
    (decisions / "0001.md").write_text("# Broken\n\nSee [missing](nowhere.md).\n")
    run = _run(tmp_path / "run", "demo", "2026-11-29T12:00:00+00:00")
    with pytest.raises(StageError, match="nowhere.md"):
        build_site([run], tmp_path / "out", decisions_dir=decisions)


def test_bad_items_line_is_bad_input(tmp_path: Path) -> None:
    run = _run(tmp_path / "run", "demo", "2026-11-29T12:00:00+00:00")
    (run / "items.jsonl").write_text(json.dumps(ITEMS[0]) + "\n{not json\n")
    with pytest.raises(BadInput) as err:
        build_site([run], tmp_path / "out")
    assert err.value.line == 2 and "items.jsonl" in str(err.value)


def test_repo_root_static_site_builds(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(tmp_path / "html")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "html" / "methodology.html").is_file()
