"""`harness site --out DIR` never removes a file it did not write, and one build runs at a time."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.publish.site import build_site
from harness.publish.site_out import LOCK, MANIFEST, owned_output

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "report_release_demo.json"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_user_files_are_never_removed(tmp_path: Path, make_run) -> None:
    run = make_run(tmp_path / "run", REAL, "demo", "2026-11-29T12:00:00+00:00")
    out = tmp_path / "out"
    # A folder with someone's files and no manifest: refused, untouched.
    (out / "src").mkdir(parents=True)
    (out / "src" / "notes.md").write_text("mine")
    (out / "html").mkdir()
    (out / "html" / "keep.html").write_text("mine too")
    before = _tree(out)
    with pytest.raises(BadInput, match=r"not empty \(html, src\) .*\(no \.harness-site\.json\)"):
        build_site([run], out)
    assert {k: v for k, v in _tree(out).items() if k != LOCK} == before

    # A site the harness built: rebuilt in place, files next to src/ and html/ left alone.
    site = tmp_path / "site"
    build_site([run], site)
    (site / "README.txt").write_text("the team's note beside the site")
    first = set(json.loads((site / MANIFEST).read_text())["files"])
    assert "html/index.html" in first and "src/mkdocs.yml" in first
    build_site([run], site)
    assert (site / "README.txt").read_text() == "the team's note beside the site"
    assert set(json.loads((site / MANIFEST).read_text())["files"]) == first
    assert not list(site.glob(".harness-site-tmp-*"))

    # A file someone put inside html/ afterwards: refused by name before anything is removed.
    (site / "html" / "extra.html").write_text("added by hand")
    before = _tree(site)
    with pytest.raises(BadInput, match=r"html/extra\.html: not written by `harness site`"):
        build_site([run], site)
    assert _tree(site) == before


def test_failed_build_keeps_the_old_site(tmp_path: Path, make_run) -> None:
    run = make_run(tmp_path / "run", REAL, "demo", "2026-11-29T12:00:00+00:00")
    site = tmp_path / "site"
    build_site([run], site)
    before = _tree(site)
    (run / "items.jsonl").write_text("{not json\n")
    with pytest.raises(BadInput, match="items.jsonl"):
        build_site([run], site)
    assert _tree(site) == before


def test_second_build_into_one_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another build holds the folder
        with pytest.raises(BadInput, match="another `harness site` is building into this folder"):
            with owned_output(out):
                pass


def test_out_that_is_a_file_is_one_line(tmp_path: Path, make_run) -> None:
    import subprocess
    import sys

    run = make_run(tmp_path / "run", REAL, "demo", "2026-11-29T12:00:00+00:00")
    (tmp_path / "file").write_text("x")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "site", str(run), "--out", str(tmp_path / "file")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "file: --out must be a folder" in proc.stderr and (tmp_path / "file").read_text() == "x"
