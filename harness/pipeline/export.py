"""The export ladder: merged HF folder -> 16-bit GGUF -> [importance matrix] -> every quant level.

Shared by `harness release` and `harness export`; each step is a cached stage (harness/pipeline/stages.py)
and each GGUF carries its verification record (harness/export/verify.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.cache import StageCache
from harness.export.toolchain import Toolchain, require_imatrix, resolve_toolchain
from harness.names import gguf_reference
from harness.pipeline import stages
from harness.profiles.model import Profile
from harness.records.gguf import GGUFRecord


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
    conv_dir, conv_rec = stages.convert(cache, profile.name, merged_dir, merged_sha, outtype, tools)
    ref = Exported(gguf_reference(outtype), conv_dir / conv_rec.outputs["file"],
                   conv_rec.outputs["sha256"], GGUFRecord.model_validate(conv_rec.outputs["gguf"]))
    im_file, im_rec = None, None
    if profile.export.imatrix:
        im_dir, rec = stages.imatrix(cache, profile, merged_dir, merged_sha, ref.path, ref.sha256)
        im_file, im_rec = im_dir / rec.outputs["file"], rec.outputs
    out = [ref]
    for qtype in profile.export.ladder:
        q_dir, q_rec = stages.quantize(cache, profile.name, ref.path, ref.sha256, qtype, tools, im_file, im_rec)
        out.append(Exported(q_rec.stage.removeprefix("quantize-"), q_dir / q_rec.outputs["file"],
                            q_rec.outputs["sha256"], GGUFRecord.model_validate(q_rec.outputs["gguf"])))
    return out
