"""report.json: the typed, versioned record of a release run (the contract in DESIGN.md), schema_version 1.
Fields may be added; none renamed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError, model_validator

from harness.errors import BadInput
from harness.records.base import BaseRecord
from harness.records.common import TOLERANT, MaybeNumber, Record, finite, first_error
from harness.records.engine import EngineInfo
from harness.records.gate import GateResult
from harness.records.gguf import GGUFRecord
from harness.records.placement import Placement


class Metric(Record):
    value: float
    ci_low: float
    ci_high: float
    n: int


class Level(Record):
    name: str  # base | bf16 | f16 | q8_0 | q4_k_m | ...
    kind: Literal["hf", "gguf"]
    path: str
    sha256: str
    size_bytes: int
    bits_per_weight: float
    shipped: bool = True  # gated and published as a release artifact
    metrics: dict[str, Metric] = {}
    gguf: GGUFRecord | None = None  # GGUF levels: the verification record of the export
    # What computed this level's items (engine, device, dtype, batch); None in reports from before it was
    # recorded, or when no item was ever computed with a known engine.
    engine: EngineInfo | None = None
    # Where the level ran when levels were spread over a cluster's workers (eval.workers); None when serial.
    placement: Placement | None = None
    # Metrics whose value or interval came out NaN or infinite: kept out of `metrics` (no rule can
    # pass on them: a rule on a missing metric fails) and named here, so the loss is explicit.
    not_computed: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _set_aside_not_finite(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
            return data
        bad = sorted(k for k, m in data["metrics"].items() if not _metric_finite(m))
        if not bad:
            return data
        return {**data, "metrics": {k: m for k, m in data["metrics"].items() if k not in bad},
                "not_computed": sorted({*data.get("not_computed", []), *bad})}


def _metric_finite(m: Any) -> bool:
    values = [m.get(k) for k in ("value", "ci_low", "ci_high")] if isinstance(m, dict) else \
        [getattr(m, k, None) for k in ("value", "ci_low", "ci_high")]
    return all(finite(v) for v in values)


class Comparison(Record):
    a: str
    b: str
    metric: str
    delta: float  # b - a
    ci_low: float
    ci_high: float
    p_value: float
    n: int = 0
    test: str = "paired_bootstrap"


class Check(Record):
    name: str  # kind:subject, e.g. chat_template:q4_k_m, fidelity:f16, eos_probe:bf16
    passed: bool
    detail: str = ""
    level: str | None = None  # the level it is about; the gate ignores failures of levels it does not gate


class Suite(Record):
    name: str  # task name, e.g. fc/bfcl_simple
    version: str  # outputs and scores compare only between equal versions
    n_items: int
    skipped: str = ""  # why the task did not run (e.g. "hub unreachable: ..."); n_items is then 0
    # Levels that scored the task on fewer items than n_items (eval.gguf_limits): level -> items.
    fewer_items: dict[str, int] = {}


class Provenance(Record):
    harness: str
    converter: str = ""
    llama_cpp: str = ""
    transformers: str = ""
    torch: str = ""
    lm_eval: str = ""
    profile_sha256: str = ""
    quantizer: str = ""  # what quantized the ladder (llama-cpp-python, or a user's llama.cpp build)
    gguf_py: str = ""
    llama_cpp_build: str = ""  # a user-supplied llama.cpp checkout used for export ("" = the pip packages)


class TrainData(Record):
    """One file of the training mixture, as the train manifest records it."""

    name: str
    records: int
    train: int
    heldout: int
    weight: float
    sha256: str


class TrainSummary(Record):
    backend: str
    method: str
    device: str
    steps: int
    train_examples: int
    heldout_examples: int
    learning_rate: float
    lora_r: int | None
    seed: int
    wall_seconds: float
    final_loss: MaybeNumber  # NaN (a diverged run) is recorded as missing
    heldout_loss: MaybeNumber
    gpu_hours: float
    cost: float
    data_files: dict[str, str]  # file name -> sha256
    # Added later (defaults keep older reports valid): the manifest's full recipe, for the card.
    hyperparameters: dict[str, float | int | str | list[str] | None] = {}
    data: list[TrainData] = []
    lm_head: str = ""
    versions: dict[str, str] = {}


class Thinking(Record):
    """The reasoning mode every render of the release used (the profile's eval.thinking)."""

    mode: Literal["off", "on"]
    in_template: bool  # the chat template reads `enable_thinking`; if not, the setting changed nothing
    reasoning: bool  # generations reason first: scores read the text after the last `</think>`
    max_new_tokens: int  # generation budget per item, reasoning included when `reasoning`
    template_kwargs: dict[str, str | bool | int | float] = {}  # the profile's extra template variables


class Report(Record):
    schema_version: Literal[1] = 1
    release: str
    created: str
    base_model: str = ""
    levels: list[Level]
    comparisons: list[Comparison] = []
    checks: list[Check] = []
    gate: GateResult
    suites: list[Suite] = []
    provenance: Provenance | None = None
    train: TrainSummary | None = None
    stop_tokens: list[str] = []  # strings that end an assistant turn, for deployment recipes
    chat_template: str = ""  # the merged model's jinja chat template (Ollama's TEMPLATE is derived from it)
    license: str = ""  # the profile's license (the base model's), for the card's front matter
    thinking: Thinking | None = None  # None in reports written before the setting existed
    base: BaseRecord | None = None  # what stage `base` read and saved, and what it dropped (vision, MTP) and why
    # Comparisons whose delta, interval or p-value came out NaN or infinite, as "a -> b metric":
    # kept out of `comparisons`, so a rule needing one fails as missing.
    not_computed: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _set_aside_not_finite(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("comparisons"), list):
            return data
        keep, bad = [], []
        for c in data["comparisons"]:
            get = c.get if isinstance(c, dict) else lambda k, c=c: getattr(c, k, None)
            ok = all(finite(get(k)) for k in ("delta", "ci_low", "ci_high", "p_value"))
            keep.append(c) if ok else bad.append(f"{get('a')} -> {get('b')} {get('metric')}")
        if not bad:
            return data
        return {**data, "comparisons": keep, "not_computed": [*data.get("not_computed", []), *bad]}

    def level(self, name: str) -> Level:
        for lv in self.levels:
            if lv.name == name:
                return lv
        raise KeyError(name)


def load_report(path: Path) -> Report:
    """report.json, or a run folder holding one; bad files are BadInput naming the file."""
    if path.is_dir():
        if path.suffix == ".json" and not (path / "report.json").exists():
            raise BadInput(path, "is a folder, not a report file")
        path = path / "report.json"
    try:
        return Report.model_validate_json(path.read_bytes(), context=TOLERANT)
    except FileNotFoundError:
        raise BadInput(path, "no such report") from None
    except IsADirectoryError:
        raise BadInput(path, "is a folder, not a report file") from None
    except OSError as e:
        raise BadInput(path, f"cannot read the report: {e.strerror}") from None
    except ValidationError as e:
        raise BadInput(path, f"not a valid report: {first_error(e)}") from None


def report_json(report: Report) -> str:
    """The report as written to disk, validated again first: a record built with model_copy (which
    skips validation) cannot put NaN, or anything the reader would refuse, into report.json."""
    return Report.model_validate(report.model_dump()).model_dump_json(indent=2)
