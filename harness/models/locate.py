"""Where an `hf` base model is on this machine: `base.path` (a local folder), else `base.hub_id` in the
local Hugging Face cache. Never downloads: a release must not depend on the Hub being reachable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from harness.errors import BadInput
from harness.profiles.model import BaseModelSpec


@dataclass(frozen=True)
class Source:
    folder: Path
    hub_id: str = ""  # set when found in the Hugging Face cache
    revision: str = ""  # that snapshot's commit


def hub_cache_dir() -> Path:
    """$HF_HUB_CACHE, else $HF_HOME/hub, else huggingface_hub's default; read now, not at import."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    from huggingface_hub import constants

    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    return Path(constants.HF_HUB_CACHE)


def from_hub_cache(repo_id: str, cache_dir: Path) -> Path | None:
    """The cached snapshot of `repo_id` (its main revision), or None when it is not cached."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, cache_dir=cache_dir, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError, FileNotFoundError):
        return None


def locate_base(spec: BaseModelSpec, where: str = "base") -> Source:
    """The folder an `hf` base is read from; BadInput naming every place tried when there is none."""
    tried = []
    if spec.path:
        folder = Path(spec.path).expanduser()
        if folder.is_dir():
            return Source(folder.resolve())
        tried.append(f"no folder {folder.resolve()}")
    elif spec.hub_id:
        tried.append("no base.path given")
    if spec.hub_id:
        cache = hub_cache_dir()
        snap = from_hub_cache(spec.hub_id, cache)
        if snap is not None and (snap / "config.json").is_file():
            return Source(snap, spec.hub_id, snap.name)
        tried.append(f"{spec.hub_id} is not in the Hugging Face cache {cache}")
    hint = f" (download it first: hf download {spec.hub_id})" if spec.hub_id else ""
    raise BadInput(where, f"base model {spec.name} not found: " + "; ".join(tried or ["no base.path or base.hub_id"]) + hint)


def source_key(spec: BaseModelSpec, where: str = "base") -> dict:
    """What stage `base`'s cache key holds of its source: the folder found now and each weight and config
    file's size and mtime (hashing a 9B checkpoint on every run would cost a minute)."""
    if spec.kind != "hf":
        return {}
    found = locate_base(spec, where)
    files = sorted(p for p in found.folder.iterdir() if p.is_file())
    return {"folder": str(found.folder), "files": [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files]}
