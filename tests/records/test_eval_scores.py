"""eval.json of `harness eval`: metrics by name at the top level, versioned, tolerant on read."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from harness.errors import BadInput
from harness.records.eval_scores import EvalScores, load_eval_scores, write_eval_scores
from harness.records.report import Metric

M = Metric(value=0.5, ci_low=0.1, ci_high=0.9, n=4)


def test_metrics_sit_at_the_top_level_after_the_version(tmp_path) -> None:
    path = write_eval_scores(tmp_path, {"fc/fr_fc/json_valid": M})
    raw = json.loads(path.read_text())
    assert list(raw) == ["schema_version", "fc/fr_fc/json_valid"] and raw["fc/fr_fc/json_valid"]["n"] == 4
    assert load_eval_scores(path).metrics == {"fc/fr_fc/json_valid": M}


def test_strict_on_write_tolerant_on_read(tmp_path) -> None:
    with pytest.raises(ValidationError):
        EvalScores.model_validate({"not_a_metric_name": 1})
    path = tmp_path / "eval.json"
    path.write_text(json.dumps({"schema_version": 1, "added_later": {"x": 1},
                                "fr/mc_acc": {"value": 1.0, "ci_low": 0.5, "ci_high": 1.0, "n": 3, "new": 0}}))
    assert list(load_eval_scores(path).metrics) == ["fr/mc_acc"]
    path.write_text(json.dumps({"fr/mc_acc": {"value": "high"}}))
    with pytest.raises(BadInput, match="eval.json: not valid eval scores: fr/mc_acc"):
        load_eval_scores(path)
