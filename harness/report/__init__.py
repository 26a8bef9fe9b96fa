"""report.json: the typed, versioned record of a release run (the contract in DESIGN.md)."""

from harness.report.model import Check, Comparison, GateResult, Level, Metric, Report

__all__ = ["Check", "Comparison", "GateResult", "Level", "Metric", "Report"]
