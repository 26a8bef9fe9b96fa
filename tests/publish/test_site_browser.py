"""The report site in a real headless Chromium: every page loads clean, plots render, model text stays text.

The browser is the system's Chromium (.ci/run installs it with apt-get), driven by Playwright without
any browser download. Pages are opened from file:// (the strictest host: no server at all) and once
over HTTP, as a static host would serve them.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from harness.publish.browser import chromium, find_chromium, open_page
from harness.publish.site import build_site

pytestmark = pytest.mark.slow
if find_chromium() is None:
    pytest.skip("no Chromium on this machine: apt-get install chromium (.ci/run installs it)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
PWN = "<script>window.__pwned=1</script>"
ITEMS = [
    {"level": "q4_k_m", "task": "fc/bfcl_simple", "item_id": "simple_1", "prompt": "Call the tool.\n" + PWN,
     "expected": PWN, "output": PWN},
    {"level": "q4_k_m", "task": "fr/mc", "item_id": "7", "prompt": "Choisis.",
     "expected": "B", "output": '<img src=x onerror="window.__pwned=2"><svg onload="window.__pwned=3"></svg>'},
    {"level": "q2_k", "task": "general/arc_easy", "item_id": "3", "prompt": "Q?", "expected": "A",
     "output": "</pre></details><script>window.__pwned=4</script>"},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, make_run) -> Path:
    tmp = tmp_path_factory.mktemp("browser-site")
    notes = tmp / "decisions"
    notes.mkdir()
    (notes / "2026-11-29-q4.md").write_text("# Ship Q4_K_M by default\n\nSmallest level that passes.\n")
    runs = [make_run(tmp / "new", DATA / "report_release_demo.json", "demo", "2026-11-29T12:00:00+00:00", ITEMS),
            make_run(tmp / "old", DATA / "report_release_demo.json", "demo-prev", "2026-10-01T12:00:00+00:00")]
    return build_site(runs, tmp / "out", decisions_dir=notes)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _pages(site: Path) -> list[Path]:
    # 404.html links from the host's root by design (it is served at any depth): not a file:// page.
    return sorted(set(site.rglob("*.html")) - {site / "404.html"})


def test_every_page_loads_without_errors(site: Path, browser) -> None:
    pages = _pages(site)
    # home, 2 releases, trends, methodology, decisions, 2 explorer indexes, 2 explorer levels
    assert len(pages) == 10, pages
    for path in pages:
        page, log = open_page(browser, path.as_uri())
        try:
            assert log.errors == [], (path, log.errors)
            outside = [u for u in log.requests if not u.startswith("file://")]
            assert outside == [], (path, outside)  # nothing fetched from the network
            assert page.locator("article h1").first.is_visible(), path
        finally:
            page.close()


def _assert_images_render(page, minimum: int) -> None:
    images = page.locator("article img")
    assert images.count() >= minimum
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()  # plots load lazily
        img.evaluate("el => el.complete ? null : new Promise(ok => el.addEventListener('load', ok))")
        width = img.evaluate("el => el.naturalWidth")
        box = img.bounding_box()
        assert width > 300 and box is not None and box["width"] > 200 and box["height"] > 100, (i, width, box)


def test_plots_render(site: Path, browser) -> None:
    for name, minimum in (("releases/demo.html", 5), ("index.html", 1), ("trends.html", 3)):
        page, log = open_page(browser, (site / name).as_uri())
        try:
            _assert_images_render(page, minimum)
            assert log.errors == [], log.errors
        finally:
            page.close()


@pytest.mark.parametrize("level", ["q4_k_m", "q2_k"])
def test_model_output_is_text_and_runs_nothing(site: Path, browser, level: str) -> None:
    page, log = open_page(browser, (site / "failed" / "demo" / f"{level}.html").as_uri())
    try:
        summaries = page.locator("article details.item > summary")
        for i in range(summaries.count()):
            summaries.nth(i).click()  # open every item: its text is now laid out and visible
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("[...document.scripts].filter(s => s.text.includes('__pwned')).length") == 0
        text = page.locator("article").inner_text()
        if level == "q4_k_m":
            assert text.count(PWN) == 4  # the summary's gist of the prompt, prompt, expected, output
            assert '<img src=x onerror="window.__pwned=2">' in text
            assert page.locator("article pre.item", has_text=PWN).first.is_visible()
        else:
            assert "</pre></details><script>window.__pwned=4</script>" in text
        assert log.errors == [], log.errors
    finally:
        page.close()


def test_search_works_from_file(site: Path, browser) -> None:
    """The theme searches in a Web Worker, which file:// forbids; the site's own shim makes it work."""
    page, log = open_page(browser, (site / "index.html").as_uri())
    try:
        page.focus("input.md-search__input")
        page.keyboard.type("forgetting", delay=20)
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
        first = page.locator(".md-search-result__item a").first.get_attribute("href")
        assert "releases/demo" in first
        assert log.errors == [], log.errors
    finally:
        page.close()


def test_served_over_http(site: Path, browser) -> None:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep pytest's output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        for name in ("index.html", "releases/demo.html", "failed/demo/q4_k_m.html"):
            page, log = open_page(browser, base + name)
            try:
                assert log.errors == [], (name, log.errors)
                assert all(u.startswith(base) for u in log.requests), log.requests
                if name.startswith("releases"):
                    _assert_images_render(page, 5)
            finally:
                page.close()
    finally:
        server.shutdown()
        server.server_close()


def test_screenshot_script(site: Path, tmp_path: Path) -> None:
    """scripts/screenshot.py, which regenerates the README's image, shoots the newest release page."""
    from PIL import Image

    out = tmp_path / "shot.png"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshot.py"), "--html", str(site), "--out",
                           str(out), "--width", "1000", "--height", "700"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "from releases/demo.html" in proc.stdout  # the newest of the two releases
    with Image.open(out) as im:
        assert im.size == (1000, 700) and im.mode == "P"  # palette: small enough to commit
        assert len(im.getcolors(256) or []) > 8  # a real page, not a blank frame
    assert out.stat().st_size < 300 * 1024
