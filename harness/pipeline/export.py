"""The export ladder: merged HF folder -> 16-bit GGUF -> [importance matrix] -> every quant level.

Shared by `harness release` and `harness export`; each step is a cached stage with a typed output model,
and each GGUF carries its verification record (harness/export/verify.py).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness.cache import Stage, StageCache, run_stage, sha256_file
from harness.errors import StageError
from harness.export.toolchain import Toolchain, require_imatrix, resolve_toolchain
from harness.names import gguf_reference
from harness.pipeline.stages import chat_variables
from harness.profiles.model import Profile
from harness.provenance import code_digest, version_of
from harness.records.common import Record
from harness.records.gguf import GGUFRecord


class GGUFOutputs(Record):
    file: str  # in the stage folder
    sha256: str
    gguf: GGUFRecord  # read back and verified


class ImatrixOutputs(Record):
    file: str
    entries: int  # matrices
    chunks: int
    tokens: int
    skipped_linear: list[str] = []
    sha256: str


@dataclass(frozen=True)
class Exported:
    name: str  # the level name: f16 | bf16-gguf | q8_0 | ...
    path: Path
    sha256: str
    record: GGUFRecord


def export_tools(profile: Profile) -> Toolchain:
    """Resolved before any stage runs: a wrong llama.cpp path or a missing imatrix API is exit 2 at once."""
    tools = resolve_toolchain(profile.export.llama_cpp)
    if profile.export.imatrix:
        require_imatrix(tools)
    return tools


def export_ladder(cache: StageCache, profile: Profile, tools: Toolchain, merged_dir: Path, merged_sha: str) -> list[Exported]:
    outtype = profile.export.outtype
    conv = convert(cache, profile.name, merged_dir, merged_sha, outtype, tools)
    ref = Exported(gguf_reference(outtype), conv.path / conv.outputs.file, conv.outputs.sha256, conv.outputs.gguf)
    im = imatrix(cache, profile, merged_dir, merged_sha, ref.path, ref.sha256) if profile.export.imatrix else None
    out = [ref]
    for qtype in profile.export.ladder:
        q = quantize(cache, profile.name, ref.path, ref.sha256, qtype, tools, im)
        out.append(Exported(q.name.removeprefix("quantize-"), q.path / q.outputs.file, q.outputs.sha256,
                            q.outputs.gguf))
    return out


def convert(cache: StageCache, release: str, merged_dir: Path, merged_sha: str, outtype: str,
            tools: Toolchain) -> Stage[GGUFOutputs]:
    from gguf import LlamaFileType

    from harness.export.verify import verify_gguf

    def work(out: Path) -> GGUFOutputs:
        target = out / f"{release}-{outtype}.gguf"
        # The converter names the model (general.name, basename, version) after the folder it reads; the merge
        # stage's folder carries its cache key, so the GGUF's bytes would change with the key alone. Reading
        # through a link named after the release keeps one set of weights one sha256.
        with tempfile.TemporaryDirectory(prefix="convert-") as tmp:
            named = Path(tmp) / release
            named.symlink_to(merged_dir.resolve(), target_is_directory=True)
            cmd, env = tools.convert_command(named, target, outtype)
            # A subprocess: the converter ships its own `gguf` package and prints a lot.
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0 or not target.is_file():
            raise StageError(f"{tools.converter} failed: {proc.stderr.strip().splitlines()[-1:]}")
        sha = sha256_file(target)
        record = verify_gguf(target, LlamaFileType[f"MOSTLY_{outtype.upper()}"], sha, tools.converter)
        return GGUFOutputs(file=target.name, sha256=sha, gguf=record)
    # Version 2: the GGUF is read back and its verification record kept (outputs.gguf); 3: --no-mtp for
    # an MTP architecture saved without its MTP weights (harness/export/mtp.py); 4: named after the release.
    return run_stage(cache, "convert", 4, {"merged": merged_sha, "outtype": outtype, "tools": tools.key()}, work,
                     GGUFOutputs, outtype)


def imatrix(cache: StageCache, profile: Profile, merged_dir: Path, merged_sha: str, f16: Path,
            f16_sha: str) -> Stage[ImatrixOutputs]:
    """The importance matrix of the merged model over the training mixture (export.imatrix)."""
    from harness.training.mixture import load_source

    sources = list(profile.train.mixture)
    data = {n: load_source(n).sha256 for n in sources}

    def work(out: Path) -> ImatrixOutputs:
        from harness.chat.template import supports_tools
        from harness.export.imatrix import calibration_text, compute_imatrix
        from harness.models.inspect import read_hf_info

        info = read_hf_info(merged_dir)
        text = calibration_text(sources, info.chat_template or "", supports_tools(info.chat_template or ""),
                                _eos_string(merged_dir), chat_variables(profile))
        facts = compute_imatrix(merged_dir, f16, text, profile.export.imatrix_tokens, out / "imatrix.gguf",
                                f"training mixture ({', '.join(sources)})")
        return ImatrixOutputs(**facts, sha256=sha256_file(out / "imatrix.gguf"))
    return run_stage(cache, "imatrix", 1, {"merged": merged_sha, "f16": f16_sha, "data": data,
                                           "tokens": profile.export.imatrix_tokens, "code": code_digest("harness.export"),
                                           "transformers": version_of("transformers"),
                                           "template_vars": chat_variables(profile)},
                     work, ImatrixOutputs, f"{profile.export.imatrix_tokens} tokens of the training mixture")


def _eos_string(folder: Path) -> str:
    cfg = json.loads((folder / "tokenizer_config.json").read_text()) if (folder / "tokenizer_config.json").is_file() else {}
    eos = cfg.get("eos_token", "")
    return eos.get("content", "") if isinstance(eos, dict) else str(eos or "")


def quantize(cache: StageCache, release: str, f16: Path, f16_sha: str, qtype: str, tools: Toolchain,
             im: Stage[ImatrixOutputs] | None = None) -> Stage[GGUFOutputs]:
    """One rung of the ladder from the 16-bit GGUF, with the importance matrix `im` when given."""
    from harness.export.quant_types import level_name, parse_quant_type
    from harness.export.verify import verify_gguf

    ftype = parse_quant_type(qtype, imatrix=im is not None)
    im_file = im.path / im.outputs.file if im is not None else None
    how = ""
    if im is not None:
        how = (f"computed by the harness on the merged model (transformers), {im.outputs.tokens} tokens of "
               f"the training mixture, {im.outputs.entries} matrices, sha256 {im.outputs.sha256[:12]}")

    def work(out: Path) -> GGUFOutputs:
        target = out / f"{release}-{level_name(ftype)}.gguf"
        # A subprocess: llama.cpp logs to the C stderr, and a crash there must not take the run down.
        proc = subprocess.run(tools.quantize_command(f16, target, ftype, im_file), capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0 or not target.is_file():
            raise StageError(f"{tools.quantizer}: quantize to {ftype.name} failed: {proc.stderr.strip()[-300:]}")
        sha = sha256_file(target)
        record = verify_gguf(target, ftype, sha, tools.converter, tools.quantizer, how)
        return GGUFOutputs(file=target.name, sha256=sha, gguf=record)
    # Version 2: the GGUF is read back and its verification record kept (outputs.gguf).
    return run_stage(cache, f"quantize-{level_name(ftype)}", 2,
                     {"f16": f16_sha, "ftype": ftype.name, "tools": tools.key(),
                      "imatrix": im.outputs.sha256 if im is not None else ""},
                     work, GGUFOutputs, ftype.name + (" with imatrix" if im is not None else ""))
