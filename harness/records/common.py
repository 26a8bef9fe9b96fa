"""What every persisted record shares: strict on write, tolerant of added fields on read.

Each format of the harness (report.json, item_scores.json.gz, items.jsonl, eval.json, the stage records'
outputs) is a model derived from `Record`: built in code, an unknown field is an error; read with the
TOLERANT validation context, fields a newer harness added are dropped (the contract lets fields be added).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, model_validator

TOLERANT = {"tolerant": True}  # validation context of a read: fields added by a newer harness are ignored


class Record(BaseModel):
    """Strict on write (an unknown field is an error), tolerant on read: with TOLERANT as the
    validation context, fields a newer harness added are dropped (the contract lets fields be added)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_added_fields(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and info.context and info.context.get("tolerant"):
            return {k: v for k, v in data.items() if k in cls.model_fields}
        return data


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _missing_if_not_finite(value: Any) -> Any:
    """NaN or infinity is a number that could not be computed: recorded as missing (None)."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


MaybeNumber = Annotated[float | None, BeforeValidator(_missing_if_not_finite)]


def first_error(e: ValidationError) -> str:
    """The first problem of a failed validation as one line: `field.path: message`."""
    err = e.errors()[0]
    return f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
