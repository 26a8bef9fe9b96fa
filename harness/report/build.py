"""report.json of a release, built from what the recipe produced: levels with their metrics, paired
comparisons (base -> bf16, bf16 -> every GGUF level), checks, suites, training, provenance. The gate's
verdict is filled in afterwards (harness/gate)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from harness import __version__
from harness.evals.aggregate import compare, metrics
from harness.evals.evaluate import Evaluation
from harness.evals.levels import Artifact
from harness.export.toolchain import Toolchain
from harness.models.inspect import read_hf_info
from harness.names import BASE, BF16
from harness.profiles.model import Profile
from harness.provenance import version_of
from harness.records.base import BaseRecord
from harness.records.gate import GateResult
from harness.records.report import (
    Check,
    Comparison,
    Level,
    Provenance,
    Report,
    Thinking,
    TrainData,
    TrainSummary,
)
from harness.training.manifest import TrainManifest


def build_report(profile: Profile, run_dir: Path, artifacts: Sequence[Artifact], evaluation: Evaluation,
                 checks: list[Check], manifest: TrainManifest, base: BaseRecord, tools: Toolchain,
                 profile_sha: str) -> Report:
    """The report with every level, comparison and check; its gate not yet evaluated (passed=False)."""
    merged_info = read_hf_info(next(a for a in artifacts if a.name == BF16).path)
    return Report(
        release=profile.name, created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        base_model=profile.base.hub_id or profile.base.name, levels=levels(profile, run_dir, artifacts, evaluation),
        comparisons=comparisons(artifacts, evaluation), checks=checks, gate=GateResult(passed=False),
        suites=evaluation.suites, train=train_summary(manifest), stop_tokens=_stop_tokens(merged_info),
        chat_template=merged_info.chat_template or "", license=profile.base.license,
        thinking=thinking_record(profile, merged_info.chat_template or ""),
        provenance=provenance(tools, profile_sha), base=base)


def levels(profile: Profile, run_dir: Path, artifacts: Sequence[Artifact], evaluation: Evaluation) -> list[Level]:
    ship = set(profile.gate.ship) if profile.gate.ship is not None else None
    out = []
    for a in artifacts:
        # A GGUF's numbers come from its verification record: reading the file again costs seconds.
        bpw = a.record.bits_per_weight if a.record else read_hf_info(a.path).bits_per_weight
        size = a.record.size_bytes if a.record else read_hf_info(a.path).size_bytes
        m = metrics(evaluation.results[a.name])
        m.update(evaluation.kld.get(a.name, {}))
        out.append(Level(name=a.name, kind=a.kind, path=str(a.path.relative_to(run_dir)), sha256=a.sha256,
                         size_bytes=size, bits_per_weight=round(bpw, 3),
                         shipped=ship is None or a.name in ship, metrics=m, gguf=a.record,
                         engine=evaluation.engines.get(a.name), placement=evaluation.placements.get(a.name)))
    return out


def comparisons(artifacts: Sequence[Artifact], evaluation: Evaluation) -> list[Comparison]:
    """Paired per item: the fine-tune against its base, then every GGUF level against the fine-tune."""
    res = evaluation.results
    out = compare(BASE, res[BASE], BF16, res[BF16])
    for a in artifacts:
        if a.name not in (BASE, BF16):
            out += compare(BF16, res[BF16], a.name, res[a.name])
    return out


def train_summary(manifest: TrainManifest) -> TrainSummary:
    return TrainSummary(
        backend=manifest.backend, method=manifest.method, device=manifest.device, steps=manifest.steps,
        train_examples=manifest.train_examples, heldout_examples=manifest.heldout_examples,
        learning_rate=float(manifest.hyperparameters["learning_rate"]), lora_r=int(manifest.hyperparameters["r"]),
        seed=manifest.seed, wall_seconds=manifest.wall_seconds, final_loss=manifest.final_loss,
        heldout_loss=manifest.heldout_loss, gpu_hours=manifest.gpu_hours, cost=manifest.cost,
        data_files={d.path: d.sha256 for d in manifest.data}, hyperparameters=manifest.hyperparameters,
        data=[TrainData(name=d.name, records=d.records, train=d.train, heldout=d.heldout, weight=d.weight,
                        sha256=d.sha256) for d in manifest.data],
        lm_head=manifest.lm_head, versions=manifest.versions)


def provenance(tools: Toolchain, profile_sha: str) -> Provenance:
    return Provenance(harness=__version__, converter=tools.converter, quantizer=tools.quantizer,
                      llama_cpp=version_of("llama-cpp-python"), gguf_py=version_of("gguf"),
                      llama_cpp_build=str(tools.root or ""), transformers=version_of("transformers"),
                      torch=version_of("torch"), lm_eval=version_of("lm-eval"), profile_sha256=profile_sha)


def thinking_record(profile: Profile, chat_template: str) -> Thinking:
    """The profile's thinking setting as the merged model's template applies it."""
    from harness.chat.thinking import ChatSettings, template_reads

    chat = ChatSettings.from_eval(profile.eval).for_template(chat_template)
    return Thinking(mode=profile.eval.thinking, in_template="enable_thinking" in template_reads(chat_template),
                    reasoning=chat.thinks, max_new_tokens=chat.budget(profile.eval.max_new_tokens),
                    template_kwargs=profile.eval.template_kwargs)


def _stop_tokens(info) -> list[str]:
    """The strings of the EOS ids, for deployment recipes (Ollama's PARAMETER stop, ...)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(info.path / "tokenizer.json"))
    return [t for t in (tok.id_to_token(i) for i in info.eos_token_ids) if t]
