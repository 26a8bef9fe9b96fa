"""The fine-tuning stages and the template checks, each a cached unit: inputs -> hash -> folder, with a
typed output model. Heavy imports stay inside. (The export ladder's stages: harness/pipeline/export.py.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harness import progress
from harness.cache import Stage, StageCache, run_stage, sha256_tree
from harness.profiles.model import Profile
from harness.provenance import code_digest, version_of
from harness.records.base import BaseRecord
from harness.records.common import MaybeNumber, Record
from harness.records.report import Check


class BaseOutputs(BaseRecord):
    sha256: str  # of the saved HF folder


class TrainOutputs(Record):
    final_loss: MaybeNumber  # the manifest (manifest.json in the folder) holds the rest


class MergeOutputs(Record):
    dtype: str
    tied: bool
    method: str = ""  # "full": a full fine-tune saved as it is (no adapter merged)
    sha256: str


class ChecksOutputs(Record):
    passed: int
    failed: int  # the checks themselves: checks.json in the folder


def base_source(profile: Profile) -> dict:
    """The base's source as stage `base` keys it (BadInput, naming the places tried, when it is missing)."""
    from harness.models.locate import source_key

    return source_key(profile.base, f"profile {profile.name}")


def base(cache: StageCache, profile: Profile) -> Stage[BaseOutputs]:
    def work(out: Path) -> BaseOutputs:
        from harness.models.base import materialize_base

        return BaseOutputs(**materialize_base(profile.base, out), sha256=sha256_tree(out))
    # Version 2: an hf base is found in the Hugging Face cache too, multimodal checkpoints keep their text
    # model (what was dropped is recorded), and tokenizer files and generation config are copied as they are.
    return run_stage(cache, "base", 2, {"base": profile.base.model_dump(exclude={"hub_id"}),
                                        "source": base_source(profile),
                                        "code": code_digest("harness.models"),
                                        "transformers": version_of("transformers")},
                     work, BaseOutputs, profile.base.name)


def chat_variables(profile: Profile) -> dict:
    """The template variables of every render of a release (thinking mode, template_kwargs)."""
    from harness.chat.thinking import ChatSettings

    return ChatSettings.from_eval(profile.eval).variables()


def train(cache: StageCache, profile: Profile, base_dir: Path, base_sha: str) -> Stage[TrainOutputs]:
    from harness.training.mixture import load_source

    data = {n: load_source(n).sha256 for n in profile.train.mixture}
    variables = chat_variables(profile)

    def work(out: Path) -> TrainOutputs:
        from harness.training.recipe import train as run_training

        # Training renders with the eval's thinking mode: the completion is the turn the eval prompt opens.
        manifest = run_training(base_dir, profile.train, out, profile.base.name, base_sha,
                                log=lambda s: progress.note(s), template_vars=variables)
        (out / "manifest.json").write_text(manifest.model_dump_json(indent=2))
        return TrainOutputs(final_loss=manifest.final_loss)
    return run_stage(cache, "train", 1, {"base": base_sha, "train": profile.train.model_dump(), "data": data,
                                         "recipe": code_digest("harness.training"),
                                         "trl": version_of("trl"), "peft": version_of("peft"),
                                         "template_vars": variables},
                     work, TrainOutputs, f"{profile.train.max_steps} steps, LoRA r={profile.train.lora.r}")


def merge(cache: StageCache, base_dir: Path, base_sha: str, train_dir: Path, train_key: str) -> Stage[MergeOutputs]:
    def work(out: Path) -> MergeOutputs:
        from harness.training.merge import merge_or_save

        return MergeOutputs(**merge_or_save(base_dir, train_dir, out), sha256=sha256_tree(out))
    return run_stage(cache, "merge", 1, {"base": base_sha, "train": train_key}, work, MergeOutputs)


@dataclass(frozen=True)
class FineTuned:
    """Stages base, train and merge of a release, as far as they were asked for."""

    base: Stage[BaseOutputs]
    train: Stage[TrainOutputs]
    merged: Stage[MergeOutputs] | None


def fine_tune(cache: StageCache, profile: Profile, upto: str = "merge") -> FineTuned:
    """The base as a 16-bit HF folder, LoRA training, and (unless `upto` is "train") the merge back."""
    base_stage = base(cache, profile)
    train_stage = train(cache, profile, base_stage.path, base_stage.outputs.sha256)
    if upto == "train":
        return FineTuned(base_stage, train_stage, None)
    merged = merge(cache, base_stage.path, base_stage.outputs.sha256, train_stage.path, train_stage.key)
    return FineTuned(base_stage, train_stage, merged)


def template_checks(cache: StageCache, pairs: list[tuple[str, Path, str, Path, str]],
                    variables: dict | None = None) -> list[Check]:
    """chat_template:<label> of each (label, reference, its sha, candidate, its sha): renders, tokens and
    special tokens (harness/checks/template.py), cached by the artifacts' hashes and the check's code;
    conversations rendered with `variables` (the release's thinking mode)."""
    def work(out: Path) -> ChecksOutputs:
        from harness.checks.template import compare

        checks = [compare(ref, cand, label, variables) for label, ref, _, cand, _ in pairs]
        (out / "checks.json").write_text(json.dumps([c.model_dump() for c in checks], indent=2, ensure_ascii=False))
        return ChecksOutputs(passed=sum(c.passed for c in checks), failed=sum(not c.passed for c in checks))
    code = "".join(code_digest(p)[:16] for p in ("harness.checks", "harness.chat", "harness.models"))
    inputs = {"pairs": [[label, rsha, csha] for label, _, rsha, _, csha in pairs], "code": code,
              "transformers": version_of("transformers"), "llama_cpp": version_of("llama-cpp-python"),
              **({"template_vars": variables} if variables else {})}
    done = run_stage(cache, "checks", 1, inputs, work, ChecksOutputs,
                     f"chat templates and tokenizers of {len(pairs)} artifacts")
    return [Check.model_validate(c) for c in json.loads((done.path / "checks.json").read_text())]
