"""The `harness` command. Errors from the one hierarchy become exit codes here and only here:
0 success, 1 a gate or check failed, 2 bad input or usage (one line on stderr, no traceback)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="Release harness: train, merge, export GGUF at every precision, score, gate, publish.")

ProfileArg = Annotated[str, typer.Argument(help="Built-in profile (demo, 4b, 9b) or a path to a YAML profile.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output root; a run lands in OUT/<profile name>/.")]


class Thinking(str, Enum):
    off = "off"
    on = "on"


ThinkingOpt = Annotated[Thinking, typer.Option(
    help="Reasoning mode of the chat template (`enable_thinking`) in every render; templates without the switch "
         "are unchanged.")]


def _load(profile: str):
    from harness.profiles import load_profile

    return load_profile(profile)


def _out_dir(path: Path) -> Path:
    """An --out folder: refused at once when it is a file (not hours later, when a stage writes)."""
    from harness.errors import BadInput

    if path.exists() and not path.is_dir():
        raise BadInput(path, "--out must be a folder, and this is a file")
    return path


@app.command()
def release(profile: ProfileArg, out: OutOpt = Path("runs"),
            baseline: Annotated[Optional[Path], typer.Option(help="Previous report.json or run folder to gate against.")] = None,
            site: Annotated[bool, typer.Option(help="Render the model card and build the static site.")] = True):
    """Run the whole loop: base, train, merge, export every level, check, eval, report, gate, card, site.

    Every stage is cached by its inputs under OUT/<name>/stages; a rerun with nothing changed does no work."""
    from harness import progress
    from harness.gate import load_baseline
    from harness.gate.render import gate_text
    from harness.pipeline.release import profile_digest
    from harness.pipeline.release import release as run_release

    prof = _load(profile)
    _out_dir(out)
    base = load_baseline(baseline) if baseline else None
    report = run_release(prof, out, profile_digest(profile), base)
    run_dir = out / prof.name
    if site:
        _publish(report, run_dir)
    # Plain and full width: rich would wrap at 80 columns without a TTY (CI logs) and read any
    # [brackets] in a level name as markup.
    progress.console.print(gate_text(report.gate), markup=False, highlight=False, soft_wrap=True)
    progress.console.print(f"report: {run_dir / 'report.json'}", markup=False, soft_wrap=True)
    _exit_on_gate(report.gate.passed)


def _publish(report, run_dir: Path) -> None:
    from harness import progress
    from harness.publish.card import write_card
    from harness.publish.site import build_site

    with progress.stage("card"):
        write_card(report, run_dir / "card")
    with progress.stage("site"):
        build_site([run_dir], run_dir / "site")
    progress.note(f"site: {run_dir / 'site' / 'html' / 'index.html'}")


def _exit_on_gate(passed: bool) -> None:
    if not passed:
        raise typer.Exit(1)


@app.command("check-template")
def check_template(reference: Annotated[Path, typer.Argument(help="Reference HF folder or GGUF file.")],
                   candidates: Annotated[list[Path], typer.Argument(help="HF folders or GGUF files to compare.")],
                   thinking: ThinkingOpt = Thinking.off):
    """Compare CANDIDATES against REFERENCE: fixed conversations rendered by each artifact's chat template and
    tokenized by its own tokenizer, plus BOS/EOS/pad, add_bos, generation config and stop tokens (exit 1 on drift)."""
    from harness.checks.template import compare

    failed = False
    for cand in candidates:
        check = compare(reference, cand, variables={"enable_thinking": thinking is Thinking.on})
        mark = "PASS" if check.passed else "FAIL"
        typer.echo(f"{mark} {cand}: {check.detail}")
        failed |= not check.passed
    _exit_on_gate(not failed)


@app.command("eval")
def eval_artifact(artifact: Annotated[Path, typer.Argument(help="An HF folder or a GGUF file.")],
                  tasks: Annotated[Optional[list[str]], typer.Option("--task", help="Task name; repeat. Default: all.")] = None,
                  limit: Annotated[Optional[int], typer.Option(help="Items per task.", min=1)] = 20,
                  items: Annotated[Optional[Path], typer.Option(
                      help="Your own items for the one --task given, in that task's JSONL format (fc/fr_fc).")] = None,
                  out: Annotated[Path, typer.Option("--out", help="Folder for results.sqlite and eval.json.")] = Path("runs/eval"),
                  thinking: ThinkingOpt = Thinking.off):
    """Score one artifact alone on the suites; items are cached in OUT/results.sqlite."""
    from harness.cache import sha256_file, sha256_tree, write_atomic
    from harness.evals.aggregate import metrics
    from harness.evals.store import ResultStore
    from harness.pipeline.eval_levels import evaluate_levels
    from harness.pipeline.release import Artifact
    from harness.profiles.model import EvalSpec

    _out_dir(out)
    if not artifact.exists():
        from harness.errors import BadInput

        raise BadInput(artifact, "no such file or folder")
    from harness.checks.template import artifact_info

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
    _out_dir(out).mkdir(parents=True, exist_ok=True)
    with ResultStore(out / "results.sqlite") as store:
        results, suites = evaluate_levels([Artifact(artifact.name, kind, artifact, sha)], spec, store)
    m = metrics(results[artifact.name])
    write_atomic(out / "eval.json", "{" + ",".join(f'"{k}": {v.model_dump_json()}' for k, v in m.items()) + "}")
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


@app.command()
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
    from harness.cache import write_atomic
    from harness.gate import evaluate_gate, load_baseline
    from harness.gate.render import gate_markdown, gate_text
    from harness.report.items import load_item_scores
    from harness.report.model import load_report, report_json

    rep = load_report(report)
    policy = _load(profile).gate
    for target in markdown or []:
        if not target.parent.is_dir() or target.is_dir():
            from harness.errors import BadInput

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
    _exit_on_gate(result.passed)


@app.command()
def card(report: Annotated[Path, typer.Argument(help="report.json or a run folder.")],
         out: Annotated[Path, typer.Option("--out", help="Folder for README.md.")] = Path("card"),
         repo_id: Annotated[Optional[str], typer.Option(help="Hub repo the card is for (org/name): recipes "
                                                             "download from it.")] = None,
         license: Annotated[Optional[str], typer.Option(help="License id; default: the report's.")] = None):
    """Render the model card (Markdown with Hub front matter) from a report."""
    from harness.publish.card import write_card
    from harness.report.model import load_report

    typer.echo(write_card(load_report(report), _out_dir(out), repo_id=repo_id, license=license))


@app.command()
def site(runs: Annotated[list[Path], typer.Argument(help="Run folders (each with report.json).")],
         out: Annotated[Path, typer.Option("--out", help="Site folder; HTML lands in OUT/html.")] = Path("site-build"),
         decisions: Annotated[Optional[Path], typer.Option(help="Folder of Markdown decision notes.")] = None):
    """Build the static report site (mkdocs-material) from run folders."""
    from harness.publish.site import build_site

    typer.echo(build_site(runs, _out_dir(out), decisions))


def _stage_command(upto: str):
    def command(profile: ProfileArg, out: OutOpt = Path("runs")):
        from harness.pipeline.partial import run_until

        prof = _load(profile)
        typer.echo(run_until(prof, _out_dir(out), upto))
    command.__doc__ = {"train": "Build the base HF folder and train the LoRA adapter (cached).",
                       "merge": "Train (cached) and merge the adapter into a 16-bit HF folder.",
                       "export": "Merge (cached) and export the GGUF ladder of the profile."}[upto]
    return command


for _name in ("train", "merge", "export"):
    app.command(_name)(_stage_command(_name))


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


def _click_exceptions():
    try:
        from typer._click import exceptions  # typer 0.2x carries its own copy of click
    except ImportError:
        from click import exceptions
    return exceptions


def main() -> None:
    from harness.errors import HarnessError

    click = _click_exceptions()

    try:
        # Not standalone: click's usage errors reach us instead of being drawn as a boxed panel.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except click.NoArgsIsHelpError as e:
        typer.echo(e.ctx.get_help() if e.ctx else "harness --help")
        sys.exit(2)  # as click does: no command is a usage error, help shown
    except click.UsageError as e:
        where = f"harness {e.ctx.info_name}" if e.ctx and e.ctx.parent else "harness"
        print(f"harness: error: {where}: {' '.join(e.format_message().split())} (see --help)", file=sys.stderr)
        sys.exit(2)
    except typer.Abort:
        print("harness: interrupted", file=sys.stderr)
        sys.exit(130)
    except HarnessError as e:
        print(f"harness: error: {e}", file=sys.stderr)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        print("harness: interrupted; finished stages and eval items are kept", file=sys.stderr)
        sys.exit(130)
    except OSError as e:
        if e.errno in _BAD_PATH and e.filename:
            # A path the user gave that cannot be written or read as asked (an --out that is a file,
            # a folder without permission): their input, one line.
            print(f"harness: error: {e.filename}: {e.strerror}", file=sys.stderr)
            sys.exit(2)
        if e.errno not in _DISK_FULL:
            raise
        # Stages write to a partial folder renamed when complete, the store commits per batch:
        # what was finished before the disk filled is intact, and a rerun resumes from it.
        print(f"harness: error: {e.filename or _out_folder()}: disk full ({e.strerror}); finished stages and "
              "eval items are kept, free space and rerun", file=sys.stderr)
        sys.exit(2)
    except Exception as e:  # SQLite reports a full disk as its own error
        if type(e).__name__ != "OperationalError" or "full" not in str(e):
            raise
        print(f"harness: error: results store: disk full ({e}); finished eval items are kept, free space and rerun",
              file=sys.stderr)
        sys.exit(2)


_DISK_FULL = {28, 27, 122}  # ENOSPC, EFBIG (file size limit), EDQUOT
_BAD_PATH = {1, 2, 13, 17, 20, 21, 30, 36, 40}  # EPERM ENOENT EACCES EEXIST ENOTDIR EISDIR EROFS ENAMETOOLONG ELOOP


def _out_folder() -> str:
    """The folder being written, from --out (a plain write() error carries no file name)."""
    args = sys.argv[1:]
    for i, a in enumerate(args):
        if a == "--out" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--out="):
            return a.split("=", 1)[1]
    return "output folder"


if __name__ == "__main__":
    main()
