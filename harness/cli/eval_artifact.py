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
    from harness.cache import sha256_file, sha256_tree
    from harness.checks.template import artifact_info
    from harness.errors import BadInput
    from harness.evals.aggregate import metrics
    from harness.evals.store import ResultStore
    from harness.pipeline.eval_levels import evaluate_levels
    from harness.pipeline.release import Artifact
    from harness.profiles.model import EvalSpec
    from harness.records.eval_scores import write_eval_scores

    out_dir(out)
    if not artifact.exists():
        raise BadInput(artifact, "no such file or folder")
    if items is not None:
        _use_items(items, tasks)
    artifact_info(artifact)  # a damaged or incomplete artifact is refused before any work starts
    kind = "hf" if artifact.is_dir() else "gguf"
    if kind == "hf":
        from harness.models.inspect import require_safetensors

        require_safetensors(artifact)
    sha = sha256_tree(artifact) if kind == "hf" else sha256_file(artifact)
    spec = EvalSpec(tasks=tasks, limit=limit, thinking=thinking.value)
    typer.echo(_thinking_line(spec, kind, artifact))
    out_dir(out).mkdir(parents=True, exist_ok=True)
    with ResultStore(out / "results.sqlite") as store:
        results, suites = evaluate_levels([Artifact(artifact.name, kind, artifact, sha)], spec, store)
    m = metrics(results[artifact.name])
    write_eval_scores(out, m)
    for name, metric in m.items():
        typer.echo(f"{name:40s} {metric.value:.3f} [{metric.ci_low:.3f}, {metric.ci_high:.3f}] n={metric.n}")
    for suite in suites:
        if suite.skipped:
            typer.echo(f"{suite.name:40s} skipped: {suite.skipped}")


def _thinking_line(spec, kind: str, artifact: Path) -> str:
    from harness.pipeline.eval_levels import artifact_chat

    chat = artifact_chat(spec, kind, artifact)
    if "enable_thinking" not in chat.variables:
        return "thinking: the chat template has no enable_thinking switch; prompts unchanged"
    budget = f", up to {chat.budget(spec.max_new_tokens)} new tokens, scored after </think>" if chat.thinks else ""
    return f"thinking: {spec.thinking}{budget}"


def _use_items(path: Path, tasks: list[str] | None) -> None:
    """Swap the task's dataset for the user's file, checked now, before any model loads. Its version
    gets the file's hash, so stored outputs never mix with the built-in items'."""
    from dataclasses import replace

    from harness.cache import sha256_file
    from harness.errors import BadInput
    from harness.evals import registry  # noqa: F401  (registers every task)
    from harness.evals.core import TASKS

    if not tasks or len(tasks) != 1 or tasks[0] not in TASKS or TASKS[tasks[0]]().dataset_from is None:
        ok = sorted(n for n, f in TASKS.items() if f().dataset_from is not None)
        raise BadInput(path, f"--items needs exactly one --task among {ok}")
    if not path.is_file():
        raise BadInput(path, "no such items file")
    task = TASKS[tasks[0]]()
    try:
        samples = task.dataset_from(path)
    except KeyError as e:
        raise BadInput(path, f"an item lacks the field {e}") from None
    except RecursionError:
        raise BadInput(path, "JSON nested too deeply") from None
    except UnicodeDecodeError as e:
        raise BadInput(path, f"not UTF-8 text (byte {e.start})") from None
    except (TypeError, ValueError, AttributeError, IndexError) as e:
        raise BadInput(path, f"malformed item: {type(e).__name__}: {e}") from None
    custom = replace(task, dataset=lambda: samples, version=f"{task.version}+items-{sha256_file(path)[:12]}")
    TASKS[task.name] = lambda: custom
