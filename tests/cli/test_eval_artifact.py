"""`harness eval --thinking`: the line it prints says what the setting does to this artifact's template."""

from __future__ import annotations

from harness.cli.eval_artifact import _thinking_line
from harness.profiles.model import EvalSpec


def test_qwen35_folder(qwen35_checkpoint):
    assert _thinking_line(EvalSpec(thinking="on"), "hf", qwen35_checkpoint) == \
        "thinking: on, up to 640 new tokens, scored after </think>"
    assert _thinking_line(EvalSpec(thinking="off"), "hf", qwen35_checkpoint) == "thinking: off"


def test_embedded_folder(embedded_hf_dir):
    assert "no enable_thinking switch" in _thinking_line(EvalSpec(thinking="on"), "hf", embedded_hf_dir)
