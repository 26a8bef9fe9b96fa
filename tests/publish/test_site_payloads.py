"""The site built from a report and items full of payloads (tags, event handlers, attr_list braces,
javascript: links, fences, jinja delimiters, 1 MB outputs) runs nothing on any page, searched or not.

alert/confirm/prompt are hooked before any page script runs; every page is loaded, every item opened,
the search is used with the payloads' words; no hook fires, and no element carries an event handler
attribute or a javascript: link.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.publish.browser import chromium, find_chromium, open_page
from harness.publish.site import build_site

pytestmark = pytest.mark.slow
if find_chromium() is None:
    pytest.skip("no Chromium on this machine: apt-get install chromium (.ci/run installs it)", allow_module_level=True)

HOOK = """
window.__fired = [];
for (const name of ['alert', 'confirm', 'prompt']) window[name] = (x) => { window.__fired.push(name + ':' + x); };
"""
ACTIVE = ("[onerror],[onload],[onfocus],[onmouseover],[onclick],[autofocus],a[href^='javascript:'],"
          "img[src='x'],svg[onload]")


@pytest.fixture(scope="module")
def site(hostile_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site([hostile_run], tmp_path_factory.mktemp("hostile-site") / "out")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _inert(page) -> None:
    page.wait_for_timeout(300)  # event handlers (onerror of a broken image) fire asynchronously
    assert page.evaluate("window.__fired") == []
    assert page.evaluate(f"document.querySelectorAll({ACTIVE!r}).length") == 0
    assert page.evaluate("[...document.scripts].filter(s => s.text.includes('alert(')).length") == 0


def test_no_page_runs_a_payload(site: Path, browser) -> None:
    pages = sorted(set(site.rglob("*.html")) - {site / "404.html"})
    assert len(pages) >= 6, pages  # home, release, trends, methodology, explorer index and levels
    for path in pages:
        page, log = open_page(browser, path.as_uri(), init_script=HOOK)
        try:
            for summary in page.locator("article details > summary").all():
                summary.click()
            _inert(page)
            assert not any("uncaught" in e for e in log.errors), (path, log.errors)
        finally:
            page.close()


def test_payloads_are_shown_as_text(site: Path, browser) -> None:
    page, _ = open_page(browser, (site / "index.html").as_uri(), init_script=HOOK)
    try:
        nav = page.locator("nav.md-nav--primary").inner_text()
        assert "demo‹img src=x onerror=alert(1)›" in nav  # look-alike brackets: the same text, inert anywhere
        assert "demo<img src=x onerror=alert(1)>" in page.locator("article").inner_text()
    finally:
        page.close()


@pytest.mark.parametrize("query", ["alert", "onerror", "script", "autofocus"])
def test_search_results_run_nothing(site: Path, browser, query: str) -> None:
    page, _ = open_page(browser, (site / "index.html").as_uri(), init_script=HOOK)
    try:
        page.focus("input.md-search__input")
        page.keyboard.type(query, delay=20)
        page.wait_for_selector(".md-search-result__meta", timeout=10_000)
        page.wait_for_timeout(500)
        _inert(page)
    finally:
        page.close()
