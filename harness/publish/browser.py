"""Headless Chromium for the site's browser tests and the README screenshot.

The browser is the system's own (Debian/Ubuntu: `apt-get install chromium`), driven through
Playwright's Python API with `executable_path`: nothing is downloaded at run time (`playwright
install` is never needed). HARNESS_CHROMIUM names another binary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import StageError

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """HARNESS_CHROMIUM if set, else the first Chromium-like binary on PATH."""
    if exe := os.environ.get("HARNESS_CHROMIUM"):
        return exe if Path(exe).is_file() else None
    return next((p for name in NAMES if (p := shutil.which(name))), None)


@contextmanager
def chromium() -> Iterator[object]:
    """A launched headless playwright Browser on the system's Chromium."""
    exe = find_chromium()
    if exe is None:
        raise StageError("no Chromium found: install it (apt-get install chromium) or set HARNESS_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise StageError("playwright is not installed: pip install playwright (no browser download needed)") from None
    # Chromium's sandbox cannot start as root (containers, CI); /dev/shm is tiny in containers.
    args = ["--disable-dev-shm-usage", *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=args, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageLog:
    """What a page did while it loaded: console errors, uncaught exceptions, failed and outside requests."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} ({r.failure})"))
        page.on("request", lambda r: self.requests.append(r.url))


def open_page(browser, url: str, width: int = 1280, height: int = 900, init_script: str | None = None):
    """A new page at `url`, loaded and idle; returns (page, PageLog). `init_script` runs before any
    of the page's own scripts (the payload tests hook alert with it)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    if init_script:
        page.add_init_script(init_script)
    log = PageLog()
    log.watch(page)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, log
