"""eval.json of `harness eval`: every metric of the one artifact scored, by name, at the top level
(`{"schema_version": 1, "fc/fr_fc/json_valid": {"value": ..., "ci_low": ..., "ci_high": ..., "n": ...}}`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator

from harness.errors import BadInput
from harness.files import write_atomic
from harness.names import SEP
from harness.records.common import TOLERANT, first_error
from harness.records.report import Metric

FILE_NAME = "eval.json"


class EvalScores(BaseModel):
    # The metrics are the extra keys, each a Metric (metric names hold a '/', field names never do).
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Metric]

    schema_version: Literal[1] = 1

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        tolerant = bool(info.context and info.context.get("tolerant"))
        odd = [k for k in data if k not in cls.model_fields and SEP not in k]
        if odd and not tolerant:
            raise ValueError(f"{odd[0]!r} is neither a field nor a metric name")
        return {k: v for k, v in data.items() if k not in odd}  # read: a newer harness's fields dropped

    @property
    def metrics(self) -> dict[str, Metric]:
        return dict(self.__pydantic_extra__)


def write_eval_scores(out: Path, metrics: dict[str, Metric]) -> Path:
    path = out / FILE_NAME
    write_atomic(path, EvalScores.model_validate(metrics).model_dump_json(indent=2))
    return path


def load_eval_scores(path: Path) -> EvalScores:
    try:
        return EvalScores.model_validate_json(path.read_bytes(), context=TOLERANT)
    except FileNotFoundError:
        raise BadInput(path, "no such file") from None
    except ValidationError as e:
        raise BadInput(path, f"not valid eval scores: {first_error(e)}") from None
