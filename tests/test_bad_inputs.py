"""The bad-input catalogue (tests/data/bad_inputs/catalogue.yaml): every case exits 2 with one line
that names the file and what is wrong, no traceback, and nothing written under the output folder."""

from __future__ import annotations

import gzip
import json
import re
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "bad_inputs"
CASES = yaml.safe_load((DATA / "catalogue.yaml").read_text(encoding="utf-8"))


def baseline_other_suite_version(tmp: Path) -> None:
    report = json.loads((ROOT / "tests" / "data" / "demo_run" / "report.json").read_text())
    for suite in report["suites"]:
        if suite["name"] == "fr/mc":
            suite["version"] = "2"
    (tmp / "baseline.json").write_text(json.dumps(report))
    shutil.copy(ROOT / "tests" / "data" / "demo_run" / "item_scores.json.gz", tmp / "item_scores.json.gz")


def _hf_copy(tmp: Path, src: Path, skip) -> Path:
    dst = tmp / "hf"
    dst.mkdir()
    for f in src.iterdir():
        if not skip(f.name):
            (dst / f.name).symlink_to(f)
    return dst


def hf_without_tokenizer(tmp: Path, embedded_hf_dir: Path) -> None:
    _hf_copy(tmp, embedded_hf_dir, lambda n: n.startswith(("tokenizer", "special_tokens", "chat_template")))


def hf_pickle_only(tmp: Path, embedded_hf_dir: Path) -> None:
    dst = _hf_copy(tmp, embedded_hf_dir, lambda n: n.endswith(".safetensors") or n.endswith(".index.json"))
    (dst / "pytorch_model.bin").write_bytes(gzip.compress(b"not even a pickle"))


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_catalogue_has_at_least_30_distinct_cases():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case, tmp_path, request):
    if case.get("build"):
        build = globals()[case["build"]]
        args = [tmp_path] + ([request.getfixturevalue("embedded_hf_dir")] if "embedded_hf_dir" in build.__code__.co_varnames else [])
        build(*args)
    argv = [a.format(data=DATA, tmp=tmp_path, root=ROOT) for a in case["argv"]]
    limit = case.get("fsize_limit")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, preexec_fn=_limit_file_size(limit) if limit else None)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith("harness: error: "), lines[0]
    assert re.search(case["expect"], lines[0]), lines[0]
    if not case.get("writes"):
        assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("*")), "bad input wrote output"
