"""`harness release PROFILE`: the whole loop, read top to bottom.

base -> train -> merge -> convert (16-bit GGUF) -> quantize ladder -> checks -> eval every level ->
KL divergence -> report.json -> gate -> model card -> site. Every stage is cached by its inputs; eval
items are cached one by one in the results store, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import fcntl
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from harness import __version__, progress
from harness.cache import StageCache, sha256_file, write_atomic
from harness.checks.fidelity import fidelity_check
from harness.checks.probe import probe_check
from harness.errors import BadInput
from harness.evals.store import ResultStore
from harness.gate import Baseline, evaluate_gate
from harness.models.inspect import read_hf_info
from harness.names import BASE, BF16, LM_HEAD_MERGE
from harness.pipeline import stages
from harness.pipeline.eval_levels import evaluate_levels, kld_stage
from harness.pipeline.export import export_ladder, export_tools
from harness.profiles.model import Profile
from harness.records.base import BaseRecord
from harness.records.gguf import GGUFRecord
from harness.records.items import from_results, write_item_scores
from harness.records.report import Check, Level, Provenance, Report, Thinking, TrainData, TrainSummary, report_json


@dataclass(frozen=True)
class Artifact:
    name: str
    kind: str  # hf | gguf
    path: Path
    sha256: str
    record: GGUFRecord | None = None  # GGUF: the export's verification record


@contextmanager
def exclusive(run_dir: Path):
    """One release per output folder at a time: a second one is refused, not interleaved."""
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BadInput(run_dir, "another release is running on this output folder") from None
        yield


def release(profile: Profile, out_root: Path, profile_sha: str = "", baseline: Baseline | None = None) -> Report:
    run_dir = out_root / profile.name
    progress.quiet_libraries()
    tools = export_tools(profile)
    stages.base_source(profile)  # a base model that is nowhere on this machine: exit 2 before anything is written
    with exclusive(run_dir):
        cache = StageCache(run_dir)

        # 1-3. Base as a 16-bit HF folder, LoRA training, merge back to 16-bit.
        base_dir, base_rec = stages.base(cache, profile)
        base_sha = base_rec.outputs["sha256"]
        train_dir, train_rec = stages.train(cache, profile, base_dir, base_sha)
        merged_dir, merge_rec = stages.merge(cache, base_dir, base_sha, train_dir, train_rec.key)
        merged_sha = merge_rec.outputs["sha256"]

        # 4. Export: the 16-bit GGUF, then every rung of the ladder from it, each read back and verified.
        exported = export_ladder(cache, profile, tools, merged_dir, merged_sha)
        artifacts = [Artifact(BASE, "hf", base_dir, base_sha), Artifact(BF16, "hf", merged_dir, merged_sha)]
        artifacts += [Artifact(e.name, "gguf", e.path, e.sha256, e.record) for e in exported]

        # 5. Integrity checks: the template, tokenizer and special tokens survive merge and conversion.
        checks = [Check(name=LM_HEAD_MERGE, passed=True,
                        detail="merged head equals the trained head (verified at merge)"
                        if merge_rec.outputs.get("method") != "full" else "full fine-tune: the head is the model's own")]
        pairs = [(BF16, base_dir, base_sha, merged_dir, merged_sha)]
        pairs += [(a.name, merged_dir, merged_sha, a.path, a.sha256) for a in artifacts if a.kind == "gguf"]
        rendered = stages.template_checks(cache, pairs, stages.chat_variables(profile))  # the release's thinking mode
        checks += [Check.model_validate(c) for c in rendered]
        checks.append(contamination(profile))

        # 6-7. Evaluate every level (per-item store) with its EOS probe, then KL divergence of each GGUF
        # vs 16-bit; the 16-bit GGUF's against the merged HF model is the conversion fidelity check.
        probes: dict = {}
        with ResultStore(run_dir / "results.sqlite") as store:
            results, suites = evaluate_levels(artifacts, profile.eval, store, probes)
        checks += [probe_check(a.name, probes[a.name]) for a in artifacts]
        ggufs = [a for a in artifacts if a.kind == "gguf"]
        kld = kld_stage(cache, profile.eval, merged_dir, merged_sha, ggufs)
        checks.append(fidelity_check(ggufs[0].name, kld.get(ggufs[0].name, {}), profile.export.fidelity_max_kld_mean,
                                     profile.export.fidelity_max_kld))

        # 8. report.json (per-item scores beside it, for later baselines) and the gate.
        report = build_report(profile, run_dir, artifacts, results, suites, kld, checks, train_dir, profile_sha, tools)
        report.base = BaseRecord.model_validate(base_rec.outputs)  # the source and what the text model left out
        scores = from_results(profile.name, {a.name: a.sha256 for a in artifacts}, results)
        write_item_scores(run_dir, scores)  # before report.json: a report never lacks its scores
        if baseline is not None and baseline.scores is not None:  # each level against the same level before
            from harness.evals.aggregate import baseline_comparisons, same_versions

            report.comparisons += baseline_comparisons(scores, baseline.scores, same_versions(report, baseline.report))
        report.gate = evaluate_gate(report, profile.gate, baseline, scores)
        write_atomic(run_dir / "report.json", report_json(report))
        write_failed_items(run_dir, artifacts, results)
        return report


def contamination(profile: Profile) -> Check:
    """Training data against every eval item the release scores (fails the release on a shared 13-gram)."""
    from harness.checks.contamination import check_contamination, release_eval_texts
    from harness.evals.registry import resolve

    tasks, general = resolve(profile.eval.suites, profile.eval.tasks)
    limits = {n: profile.eval.limits.get(n, profile.eval.limit) for n in general}
    return check_contamination(list(profile.train.mixture), release_eval_texts([t.name for t in tasks], general, limits))


def build_report(profile, run_dir, artifacts, results, suites, kld, checks, train_dir, profile_sha, tools) -> Report:
    from harness.evals.aggregate import compare, metrics
    from harness.records.gate import GateResult
    from training.manifest import TrainManifest

    ship = set(profile.gate.ship) if profile.gate.ship is not None else None
    merged_info = read_hf_info(artifacts[1].path)
    levels = []
    for a in artifacts:
        # A GGUF's numbers come from its verification record: reading the file again costs seconds.
        bpw = a.record.bits_per_weight if a.record else read_hf_info(a.path).bits_per_weight
        size = a.record.size_bytes if a.record else read_hf_info(a.path).size_bytes
        m = metrics(results[a.name])
        m.update(kld.get(a.name, {}))
        levels.append(Level(name=a.name, kind=a.kind, path=str(a.path.relative_to(run_dir)), sha256=a.sha256,
                            size_bytes=size, bits_per_weight=round(bpw, 3),
                            shipped=ship is None or a.name in ship, metrics=m, gguf=a.record))
    comparisons = compare(BASE, results[BASE], BF16, results[BF16])
    for a in artifacts[2:]:
        comparisons += compare(BF16, results[BF16], a.name, results[a.name])
    manifest = TrainManifest.model_validate_json((train_dir / "manifest.json").read_text())
    train = TrainSummary(
        backend=manifest.backend, method=manifest.method, device=manifest.device, steps=manifest.steps,
        train_examples=manifest.train_examples, heldout_examples=manifest.heldout_examples,
        learning_rate=float(manifest.hyperparameters["learning_rate"]), lora_r=int(manifest.hyperparameters["r"]),
        seed=manifest.seed, wall_seconds=manifest.wall_seconds, final_loss=manifest.final_loss,
        heldout_loss=manifest.heldout_loss, gpu_hours=manifest.gpu_hours, cost=manifest.cost,
        data_files={d.path: d.sha256 for d in manifest.data}, hyperparameters=manifest.hyperparameters,
        data=[TrainData(name=d.name, records=d.records, train=d.train, heldout=d.heldout, weight=d.weight,
                        sha256=d.sha256) for d in manifest.data],
        lm_head=manifest.lm_head, versions=manifest.versions)
    return Report(
        release=profile.name, created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        base_model=profile.base.hub_id or profile.base.name, levels=levels, comparisons=comparisons, checks=checks,
        gate=GateResult(passed=False), suites=suites, train=train, stop_tokens=_stop_tokens(merged_info),
        chat_template=merged_info.chat_template or "", license=profile.base.license,
        thinking=thinking_record(profile, merged_info.chat_template or ""),
        provenance=Provenance(harness=__version__, converter=tools.converter, quantizer=tools.quantizer,
                              llama_cpp=stages.version_of("llama-cpp-python"), gguf_py=stages.version_of("gguf"),
                              llama_cpp_build=str(tools.root or ""),
                              transformers=stages.version_of("transformers"), torch=stages.version_of("torch"),
                              lm_eval=stages.version_of("lm-eval"), profile_sha256=profile_sha),
    )


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


def write_failed_items(run_dir: Path, artifacts, results) -> None:
    """items.jsonl: every item a level got wrong, for the site's explorer (outputs escaped there)."""
    from harness.evals.core import TASKS
    from harness.records.failed_items import FailedItem
    from harness.records.failed_items import write_failed_items as write

    samples = {name: {s.id: s for s in TASKS[name]().dataset()} for name in results[BASE] if name in TASKS}
    failed = []
    for a in artifacts:
        for task_name, items in results[a.name].items():
            for item in items:
                if all(v >= 1.0 for v in item.scores.values()):
                    continue
                sample = samples.get(task_name, {}).get(item.item_id)
                prompt = sample.messages[-1].get("content", "") if sample else item.item_id
                expected = _expected(sample) if sample else ""
                failed.append(FailedItem(level=a.name, task=task_name, item_id=item.item_id, prompt=prompt,
                                         expected=expected, output=item.output))
    write(run_dir, failed)


def _expected(sample) -> str:
    target = sample.target
    if sample.choices is not None and isinstance(target, int):
        return sample.choices[target]
    if isinstance(target, list) and target and hasattr(target[0], "allowed"):
        return "; ".join(f"{e.name}({json.dumps(e.allowed, ensure_ascii=False)})" for e in target)
    if target == [] or target is None:
        return "(no tool call)" if sample.tools else ""
    from harness.evals.fc import ANY_CALL

    if target == ANY_CALL:  # BFCL relevance: any well-formed call
        return "(any tool call)"
    return json.dumps(target, ensure_ascii=False)


def profile_digest(path_or_name: str) -> str:
    from harness.profiles.model import BUILTIN_DIR

    p = Path(path_or_name)
    p = p if p.is_file() else BUILTIN_DIR / f"{path_or_name}.yaml"
    return sha256_file(p) if p.is_file() else ""

