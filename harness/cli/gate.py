"""`harness gate`: the release gate re-evaluated on a report, no models loaded (what CI runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from harness.cli.options import exit_on_gate, load


def gate(report: Annotated[Path, typer.Argument(help="report.json or a run folder.")],
         profile: Annotated[str, typer.Option(help="Profile whose gate policy applies.")] = "demo",
         baseline: Annotated[Optional[Path], typer.Option(
             help="Baseline report.json or run folder; paired per item when both have item_scores.json.gz.")] = None,
         markdown: Annotated[Optional[list[Path]], typer.Option(
             help="Append the verdict as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY, a PR comment body); "
                  "repeat for several.")] = None,
         json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the gate record as JSON.")] = None,
         update_report: Annotated[bool, typer.Option(
             help="Write the verdict into the report's gate record (report.json).")] = False):
    """Re-evaluate the gate on a report (no models loaded); exit 1 when a rule fails, 2 on bad input."""
    from harness.errors import BadInput
    from harness.files import write_atomic
    from harness.gate import evaluate_gate, load_baseline
    from harness.gate.render import gate_markdown, gate_text
    from harness.records.items import load_item_scores
    from harness.records.report import load_report, report_json

    rep = load_report(report)
    policy = load(profile).gate
    for target in markdown or []:
        if not target.parent.is_dir() or target.is_dir():
            raise BadInput(target, "--markdown needs a file in an existing folder")
    result = evaluate_gate(rep, policy, load_baseline(baseline) if baseline else None, load_item_scores(report, rep))
    typer.echo(gate_text(result))
    for target in markdown or []:
        with open(target, "a", encoding="utf-8") as f:
            f.write(gate_markdown(result, title=rep.release) + "\n")
    if json_out:
        write_atomic(json_out, result.model_dump_json(indent=2))
    if update_report:
        path = report / "report.json" if report.is_dir() else report
        write_atomic(path, report_json(rep.model_copy(update={"gate": result})))
    exit_on_gate(result.passed)
