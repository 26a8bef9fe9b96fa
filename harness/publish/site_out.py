"""The site's output folder: the harness removes only what it wrote there, and one build at a time.

`harness site --out DIR` writes DIR/src and DIR/html and records every file it wrote in
DIR/.harness-site.json. A rebuild first checks that src/ and html/ hold nothing else, builds the
new site in a temp folder inside DIR, and only then swaps: the files of the old manifest are
removed, the new folders renamed into place. A folder that is not empty and has no manifest is
refused (it is someone else's); a file in src/ or html/ that the manifest does not list is
refused by name. A failed build leaves the old site as it was. A second build into the same DIR
while one runs is refused (a lock on DIR/.harness-site.lock).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from harness.errors import BadInput

MANIFEST, LOCK = ".harness-site.json", ".harness-site.lock"
PARTS = ("src", "html")  # what a build owns inside DIR
_TMP_PREFIX = ".harness-site-tmp-"


class SiteManifest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # read tolerantly: a newer harness may add fields

    schema_version: Literal[1] = 1
    files: list[str]  # paths relative to DIR, under src/ and html/, each written by the harness


def _files(root: Path, parts: tuple[str, ...] = PARTS) -> list[str]:
    out = []
    for part in parts:
        for dirpath, dirnames, filenames in os.walk(root / part):  # links are listed, never followed
            base = Path(dirpath)
            out += [str((base / n).relative_to(root)) for n in filenames]
            out += [str((base / n).relative_to(root)) for n in dirnames if (base / n).is_symlink()]
    return sorted(out)


def _manifest(out: Path) -> SiteManifest | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        return SiteManifest.model_validate_json(path.read_bytes())
    except (ValidationError, OSError) as e:
        raise BadInput(path, f"not a site manifest the harness wrote ({type(e).__name__}); move the folder away") from None


def _check_owned(out: Path) -> SiteManifest | None:
    """The manifest of the site in `out`, after checking nothing foreign would be touched."""
    manifest = _manifest(out)
    if manifest is None:
        others = sorted(p.name for p in out.iterdir() if p.name != LOCK and not p.name.startswith(_TMP_PREFIX))
        if others:
            raise BadInput(out, f"not empty ({', '.join(others[:3])}{', …' if len(others) > 3 else ''}) and not a "
                                f"site built by `harness site` (no {MANIFEST}): give a new or empty folder")
        return None
    listed = set(manifest.files)
    foreign = [f for f in _files(out) if f not in listed]
    if foreign:
        raise BadInput(out / foreign[0], "not written by `harness site`, and the site is rebuilt here: move it away")
    return manifest


def _remove_old(out: Path, manifest: SiteManifest | None) -> None:
    """Only the files the manifest lists, then the folders left empty."""
    for rel in manifest.files if manifest else []:
        path = out / rel
        if path.is_symlink() or path.is_file():
            path.unlink()
    for part in PARTS:
        if (out / part).is_dir():
            for dirpath, _dirs, _files_ in sorted(os.walk(out / part), key=lambda t: -len(t[0])):
                if not os.listdir(dirpath):
                    os.rmdir(dirpath)


@contextmanager
def owned_output(out: Path) -> Iterator[Path]:
    """Lock `out`, check it, and yield a fresh temp folder inside it; on success its src/ and html/
    replace the old ones and the manifest is rewritten. On failure the old site stays untouched."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with _locked(out):
            yield from _build(out)
    except BaseException:
        if created and not (out / MANIFEST).exists():  # bad input: leave no trace of a folder we made
            (out / LOCK).unlink(missing_ok=True)
            if not any(out.iterdir()):
                out.rmdir()
        raise


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    with open(out / LOCK, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BadInput(out, "another `harness site` is building into this folder; run again when it is done") from None
        yield


def _build(out: Path) -> Iterator[Path]:
    """The build itself, with the lock held: check, temp folder, swap, manifest."""
    manifest = _check_owned(out)
    for stale in out.glob(f"{_TMP_PREFIX}*"):  # left by a build that was killed (we hold the lock)
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out / f"{_TMP_PREFIX}{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        yield tmp
        _remove_old(out, manifest)
        for part in PARTS:
            if (out / part).exists():  # emptied above unless something foreign appeared meanwhile
                raise BadInput(out / part, "changed during the build: not replacing it")
            os.rename(tmp / part, out / part)
        files = _files(out)
        part_file = out / f"{MANIFEST}.{secrets.token_hex(4)}.tmp"
        part_file.write_text(SiteManifest(files=files).model_dump_json(indent=1), encoding="utf-8")
        os.replace(part_file, out / MANIFEST)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the temp folder is ours alone
