"""Regenerate the README's screenshot of a release page with the headless Chromium.

    python scripts/screenshot.py runs/demo                  # builds the site, shoots the newest release
    python scripts/screenshot.py --html site-build/html     # an already built site
    python scripts/screenshot.py runs/demo --out docs/img/release.png --width 1440 --height 1150

The page is shot at the given viewport (the top of the release page: gate verdict, score table,
plots), then reduced to a 256-colour palette so the PNG stays small enough for the repository.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing it

from harness.publish.browser import chromium, open_page

LIMIT = 300 * 1024  # bytes: the README's image must stay light


def newest_release(html: Path) -> Path:
    """The release the home page leads with (its first link into releases/)."""
    import re

    home = (html / "index.html").read_text(encoding="utf-8").split("<article", 1)[-1]
    m = re.search(r'href="(releases/[^"#]+\.html)"', home)
    if m is None:
        raise SystemExit(f"{html / 'index.html'}: no release linked from the home page")
    return html / m.group(1)


def shoot(page_path: Path, out: Path, width: int, height: int) -> int:
    from PIL import Image

    with chromium() as browser:
        page, log = open_page(browser, page_path.as_uri(), width, height)
        for img in page.locator("article img").all():  # plots load lazily: bring each in, wait for it
            img.scroll_into_view_if_needed()
            img.evaluate("el => el.complete ? null : new Promise(ok => el.addEventListener('load', ok))")
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)  # the header shadow and sticky nav settle after scrolling back
        if log.errors:
            raise SystemExit(f"{page_path}: the page logged errors: {log.errors}")
        out.parent.mkdir(parents=True, exist_ok=True)
        raw = out.with_suffix(".raw.png")
        page.screenshot(path=str(raw))
    Image.open(raw).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(out, optimize=True)
    raw.unlink()
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="*", type=Path, help="run folders (each with report.json) to build the site from")
    ap.add_argument("--html", type=Path, help="an already built site (the html folder) instead of run folders")
    ap.add_argument("--page", help="page to shoot, relative to the site (default: the newest release)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "release.png")
    ap.add_argument("--width", type=int, default=1440)
    ap.add_argument("--height", type=int, default=1150)
    args = ap.parse_args(argv)
    if bool(args.runs) == bool(args.html):
        ap.error("give run folders or --html, not both")
    with tempfile.TemporaryDirectory() as tmp:
        html = args.html
        if html is None:
            from harness.publish.site import build_site

            html = build_site(args.runs, Path(tmp) / "site")
        page = html / args.page if args.page else newest_release(html)
        size = shoot(page, args.out, args.width, args.height)
    print(f"{args.out}: {size / 1024:.0f} KiB from {page.relative_to(html)}")
    if size > LIMIT:
        print(f"warning: over {LIMIT // 1024} KiB; lower --height or --width", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
