"""`harness eval`: one HF folder or GGUF scored alone on the suites, items cached in OUT/results.sqlite."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from harness.cli.options import Thinking, ThinkingOpt, out_dir


def eval_artifact(artifact: Annotated[Path, typer.Argument(help="An HF folder or a GGUF file.")],
                  tasks: Annotated[Optional[list[str]], typer.Option("--task", help="Task name; repeat. Default: all.")] = None,
                  limit: Annotated[Optional[int], typer.Option(help="Items per task.", min=1)] = 20,
                  items: Annotated[Optional[Path], typer.Option(
                      help="Your own items for the one --task given, in that task's JSONL format (fc/fr_fc).")] = None,
                  out: Annotated[Path, typer.Option("--out", help="Folder for results.sqlite and eval.json.")] = Path("runs/eval"),
                  thinking: ThinkingOpt = Thinking.off):
    """Score one artifact alone on the suites; items are cached in OUT/results.sqlite."""
    from harness.checks.template import artifact_info
    from harness.errors import BadInput
    from harness.evals.evaluate import evaluate_artifact
    from harness.evals.items import task_with_items
    from harness.profiles.model import EvalSpec

    out_dir(out)
    if not artifact.exists():
        raise BadInput(artifact, "no such file or folder")
    replaced = [task_with_items(items, tasks)] if items is not None else []
    artifact_info(artifact)  # a damaged or incomplete artifact is refused before any work starts
    kind = "hf" if artifact.is_dir() else "gguf"
    if kind == "hf":
        from harness.models.inspect import require_safetensors

        require_safetensors(artifact)
    spec = EvalSpec(tasks=tasks, limit=limit, thinking=thinking.value)
    typer.echo(_thinking_line(spec, kind, artifact))
    m, suites = evaluate_artifact(artifact, kind, spec, out_dir(out), replaced)
    for name, metric in m.items():
        typer.echo(f"{name:40s} {metric.value:.3f} [{metric.ci_low:.3f}, {metric.ci_high:.3f}] n={metric.n}")
    for suite in suites:
        if suite.skipped:
            typer.echo(f"{suite.name:40s} skipped: {suite.skipped}")


def _thinking_line(spec, kind: str, artifact: Path) -> str:
    from harness.evals.levels import artifact_chat

    chat = artifact_chat(spec, kind, artifact)
    if "enable_thinking" not in chat.variables:
        return "thinking: the chat template has no enable_thinking switch; prompts unchanged"
    budget = f", up to {chat.budget(spec.max_new_tokens)} new tokens, scored after </think>" if chat.thinks else ""
    return f"thinking: {spec.thinking}{budget}"
