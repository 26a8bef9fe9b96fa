"""harness/models/locate.py: an hf base from `base.path` or the local Hugging Face cache (offline), and
one line naming both places when it is in neither."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.models.base import materialize_base
from harness.models.locate import locate_base
from harness.profiles import load_profile

ROOT = Path(__file__).resolve().parents[2]
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def fake_hub_cache(root: Path, repo_id: str, checkpoint: Path) -> Path:
    """The layout huggingface_hub writes: refs/main names a snapshot whose files link to the fixture."""
    repo = root / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    snap = repo / "snapshots" / COMMIT
    snap.mkdir(parents=True)
    for f in checkpoint.iterdir():
        (snap / f.name).symlink_to(f)
    return snap


def test_4b_base_is_found_in_the_hub_cache(qwen35_checkpoint, tmp_path, monkeypatch):
    snap = fake_hub_cache(tmp_path / "hub", "Qwen/Qwen3.5-4B", qwen35_checkpoint)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    spec = load_profile("4b").base
    found = locate_base(spec)
    assert found.folder == snap and found.hub_id == "Qwen/Qwen3.5-4B" and found.revision == COMMIT
    out = tmp_path / "base"
    out.mkdir()
    record = materialize_base(spec, out)
    assert record["hub_id"] == "Qwen/Qwen3.5-4B" and record["revision"] == COMMIT
    assert record["source_architecture"] == "Qwen3_5ForConditionalGeneration"


def test_a_local_path_wins_over_the_cache(qwen3_checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    spec = load_profile("4b").base.model_copy(update={"path": str(qwen3_checkpoint)})
    assert locate_base(spec).folder == qwen3_checkpoint.resolve() and locate_base(spec).hub_id == ""


def test_neither_names_both_places(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    spec = load_profile("9b").base.model_copy(update={"path": str(tmp_path / "nowhere")})
    with pytest.raises(BadInput) as e:
        locate_base(spec, "profile 9b")
    msg = str(e.value)
    assert msg.startswith("profile 9b: base model Qwen3.5-9B not found: ")
    assert f"no folder {tmp_path / 'nowhere'}" in msg and f"not in the Hugging Face cache {tmp_path / 'empty'}" in msg


def test_release_4b_without_the_model_exits_2_with_one_line(tmp_path):
    env = {"HF_HUB_CACHE": str(tmp_path / "empty"), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "release", "4b", "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "no base.path given" in lines[0] and "Qwen/Qwen3.5-4B is not in the Hugging Face cache" in lines[0]
    assert "hf download Qwen/Qwen3.5-4B" in lines[0]
    assert not (tmp_path / "out" / "4b").exists()  # refused before anything is written
