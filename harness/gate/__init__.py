"""The release gate: a report's rules and verdict, rendered for CI summaries and the terminal."""

from harness.gate.policy import evaluate_gate
from harness.gate.regression import Baseline, load_baseline
from harness.gate.render import gate_markdown, gate_text

__all__ = ["Baseline", "evaluate_gate", "gate_markdown", "gate_text", "load_baseline"]
