"""`harness site` from an installed wheel: the static pages and theme config ship as package data,
so a site builds with no checkout in sight."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel and a site (about 20 s)

ROOT = Path(__file__).resolve().parents[2]


def test_site_builds_from_an_installed_wheel(tmp_path: Path, make_run) -> None:
    src = tmp_path / "src"  # a copy, so the build leaves no build/ or egg-info in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("harness", "evalsets"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(wheels), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    target = tmp_path / "installed"
    wheel = next(wheels.glob("*.whl"))
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (target / "harness" / "publish" / "static" / "mkdocs.base.yml").is_file()
    assert (target / "harness" / "training" / "data" / "fc_en.jsonl").is_file()  # the built-in mixture ships
    assert not (target / "training").exists() and not list(target.rglob("make_mixture.py"))  # generators stay in scripts/
    assert (target / "harness" / "publish" / "static" / "docs" / "javascripts" / "iframe-worker.js").is_file()

    run = make_run(tmp_path / "run", ROOT / "tests" / "data" / "report_release_demo.json", "demo",
                   "2026-11-29T12:00:00+00:00")
    script = ("import sys, pathlib; sys.path.insert(0, sys.argv[1]); import harness;"
              "assert harness.__file__.startswith(sys.argv[1]), harness.__file__;"
              "from harness.cli import main; sys.argv = ['harness', 'site', sys.argv[2], '--out', sys.argv[3]]; main()")
    work = tmp_path / "elsewhere"  # not the checkout: nothing can be found relative to it
    work.mkdir()
    proc = subprocess.run([sys.executable, "-c", script, str(target), str(run), str(tmp_path / "site")], cwd=work,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    html = (tmp_path / "site" / "html")
    assert (html / "index.html").is_file() and (html / "methodology.html").is_file()
    assert "Methodology" in (html / "methodology.html").read_text()
