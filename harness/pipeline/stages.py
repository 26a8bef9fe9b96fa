"""The release stages, each a cached unit: inputs -> hash -> folder. Heavy imports stay inside."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from harness import progress
from harness.cache import StageCache, sha256_file, sha256_tree
from harness.errors import StageError
from harness.profiles.model import Profile

if TYPE_CHECKING:
    from harness.export.toolchain import Toolchain


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


def base_source(profile: Profile) -> dict:
    """The base's source as stage `base` keys it (BadInput, naming the places tried, when it is missing)."""
    from harness.models.locate import source_key

    return source_key(profile.base, f"profile {profile.name}")


def base(cache: StageCache, profile: Profile):
    def work(out: Path):
        from harness.models.base import materialize_base

        facts = materialize_base(profile.base, out)
        return {**facts, "sha256": sha256_tree(out)}
    # Version 2: an hf base is found in the Hugging Face cache too, multimodal checkpoints keep their text
    # model (what was dropped is recorded), and tokenizer files and generation config are copied as they are.
    return run_stage(cache, "base", 2, {"base": profile.base.model_dump(exclude={"hub_id"}),
                                        "source": base_source(profile),
                                        "code": code_digest("harness.models"),
                                        "transformers": version_of("transformers")},
                     work, profile.base.name)


def chat_variables(profile: Profile) -> dict:
    """The template variables of every render of a release (thinking mode, template_kwargs)."""
    from harness.chat.thinking import ChatSettings

    return ChatSettings.from_eval(profile.eval).variables()


def train(cache: StageCache, profile: Profile, base_dir: Path, base_sha: str):
    from training.mixture import load_source

    data = {n: load_source(n).sha256 for n in profile.train.mixture}
    variables = chat_variables(profile)

    def work(out: Path):
        from training.recipe import train as run_training

        # Training renders with the eval's thinking mode: the completion is the turn the eval prompt opens.
        manifest = run_training(base_dir, profile.train, out, profile.base.name, base_sha,
                                log=lambda s: progress.note(s), template_vars=variables)
        (out / "manifest.json").write_text(manifest.model_dump_json(indent=2))
        return {"final_loss": manifest.final_loss}
    return run_stage(cache, "train", 1, {"base": base_sha, "train": profile.train.model_dump(), "data": data,
                                         "recipe": code_digest("training"),
                                         "trl": version_of("trl"), "peft": version_of("peft"),
                                         "template_vars": variables},
                     work, f"{profile.train.max_steps} steps, LoRA r={profile.train.lora.r}")


def merge(cache: StageCache, base_dir: Path, base_sha: str, train_dir: Path, train_key: str):
    def work(out: Path):
        from training.merge import merge_or_save

        facts = merge_or_save(base_dir, train_dir, out)
        return {**facts, "sha256": sha256_tree(out)}
    return run_stage(cache, "merge", 1, {"base": base_sha, "train": train_key}, work)


def convert(cache: StageCache, release: str, merged_dir: Path, merged_sha: str, outtype: str, tools: Toolchain):
    from gguf import LlamaFileType

    from harness.export.verify import verify_gguf

    def work(out: Path):
        target = out / f"{release}-{outtype}.gguf"
        cmd, env = tools.convert_command(merged_dir, target, outtype)
        # A subprocess: the converter ships its own `gguf` package and prints a lot.
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0 or not target.is_file():
            raise StageError(f"{tools.converter} failed: {proc.stderr.strip().splitlines()[-1:]}")
        sha = sha256_file(target)
        record = verify_gguf(target, LlamaFileType[f"MOSTLY_{outtype.upper()}"], sha, tools.converter)
        return {"file": target.name, "sha256": sha, "gguf": record.model_dump()}
    # Version 2: the GGUF is read back and its verification record kept (outputs["gguf"]); 3: --no-mtp for
    # an MTP architecture saved without its MTP weights (harness/export/mtp.py).
    return run_stage(cache, "convert", 3, {"merged": merged_sha, "outtype": outtype, "tools": tools.key()}, work,
                     outtype)


def template_checks(cache: StageCache, pairs: list[tuple[str, Path, str, Path, str]], variables: dict | None = None):
    """chat_template:<label> of each (label, reference, its sha, candidate, its sha): renders, tokens and
    special tokens (harness/checks/template.py), cached by the artifacts' hashes and the check's code;
    conversations rendered with `variables` (the release's thinking mode)."""
    import json

    def work(out: Path):
        from harness.checks.template import compare

        checks = [compare(ref, cand, label, variables) for label, ref, _, cand, _ in pairs]
        (out / "checks.json").write_text(json.dumps([c.model_dump() for c in checks], indent=2, ensure_ascii=False))
        return {"passed": sum(c.passed for c in checks), "failed": sum(not c.passed for c in checks)}
    code = "".join(code_digest(p)[:16] for p in ("harness.checks", "harness.chat", "harness.models"))
    inputs = {"pairs": [[label, rsha, csha] for label, _, rsha, _, csha in pairs], "code": code,
              "transformers": version_of("transformers"), "llama_cpp": version_of("llama-cpp-python"),
              **({"template_vars": variables} if variables else {})}
    path, _ = run_stage(cache, "checks", 1, inputs, work, f"chat templates and tokenizers of {len(pairs)} artifacts")
    return json.loads((path / "checks.json").read_text())


def imatrix(cache: StageCache, profile: Profile, merged_dir: Path, merged_sha: str, f16: Path, f16_sha: str):
    """The importance matrix of the merged model over the training mixture (export.imatrix)."""
    from training.mixture import load_source

    sources = list(profile.train.mixture)
    data = {n: load_source(n).sha256 for n in sources}

    def work(out: Path):
        from harness.chat.template import supports_tools
        from harness.export.imatrix import calibration_text, compute_imatrix
        from harness.models.inspect import read_hf_info

        info = read_hf_info(merged_dir)
        eos = _eos_string(merged_dir)
        text = calibration_text(sources, info.chat_template or "", supports_tools(info.chat_template or ""), eos,
                                chat_variables(profile))
        facts = compute_imatrix(merged_dir, f16, text, profile.export.imatrix_tokens, out / "imatrix.gguf",
                                f"training mixture ({', '.join(sources)})")
        return {**facts, "sha256": sha256_file(out / "imatrix.gguf")}
    return run_stage(cache, "imatrix", 1, {"merged": merged_sha, "f16": f16_sha, "data": data,
                                           "tokens": profile.export.imatrix_tokens, "code": code_digest("harness.export"),
                                           "transformers": version_of("transformers"),
                                           "template_vars": chat_variables(profile)},
                     work, f"{profile.export.imatrix_tokens} tokens of the training mixture")


def _eos_string(folder: Path) -> str:
    import json

    cfg = json.loads((folder / "tokenizer_config.json").read_text()) if (folder / "tokenizer_config.json").is_file() else {}
    eos = cfg.get("eos_token", "")
    return eos.get("content", "") if isinstance(eos, dict) else str(eos or "")


def quantize(cache: StageCache, release: str, f16: Path, f16_sha: str, qtype: str, tools: Toolchain,
             imatrix_file: Path | None = None, imatrix_record: dict | None = None):
    from harness.export.quant_types import level_name, parse_quant_type
    from harness.export.verify import verify_gguf

    ftype = parse_quant_type(qtype, imatrix=imatrix_file is not None)
    how = ""
    if imatrix_record:
        how = (f"computed by the harness on the merged model (transformers), {imatrix_record['tokens']} tokens of "
               f"the training mixture, {imatrix_record['entries']} matrices, sha256 {imatrix_record['sha256'][:12]}")

    def work(out: Path):
        target = out / f"{release}-{level_name(ftype)}.gguf"
        # A subprocess: llama.cpp logs to the C stderr, and a crash there must not take the run down.
        proc = subprocess.run(tools.quantize_command(f16, target, ftype, imatrix_file), capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0 or not target.is_file():
            raise StageError(f"{tools.quantizer}: quantize to {ftype.name} failed: {proc.stderr.strip()[-300:]}")
        sha = sha256_file(target)
        record = verify_gguf(target, ftype, sha, tools.converter, tools.quantizer, how)
        return {"file": target.name, "sha256": sha, "gguf": record.model_dump()}
    # Version 2: the GGUF is read back and its verification record kept (outputs["gguf"]).
    return run_stage(cache, f"quantize-{level_name(ftype)}", 2,
                     {"f16": f16_sha, "ftype": ftype.name, "tools": tools.key(),
                      "imatrix": (imatrix_record or {}).get("sha256", "")},
                     work, ftype.name + (" with imatrix" if imatrix_file else ""))

