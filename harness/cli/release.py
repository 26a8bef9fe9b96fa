"""`harness release` (the whole loop) and `harness train|merge|export` (the loop up to that stage)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from harness.cli.options import OutOpt, ProfileArg, exit_on_gate, load, out_dir


def release(profile: ProfileArg, out: OutOpt = Path("runs"),
            baseline: Annotated[Optional[Path], typer.Option(help="Previous report.json or run folder to gate against.")] = None,
            site: Annotated[bool, typer.Option(help="Render the model card and build the static site.")] = True,
            workers: Annotated[Optional[int], typer.Option(
                min=0, help="Levels evaluated at once on a Ray cluster's workers (overrides eval.workers; 0 or 1 = "
                            "serial).")] = None,
            cluster: Annotated[Optional[str], typer.Option(
                help="Ray cluster address for --workers (overrides eval.cluster; default: a local cluster).")] = None,
            shards: Annotated[Optional[int], typer.Option(
                min=0, help="Split each level's items over this many workers (overrides eval.shards; 0 = enough "
                            "to keep every worker busy to the end).")] = None):
    """Run the whole loop: base, train, merge, export every level, check, eval, report, gate, card, site.

    Every stage is cached by its inputs under OUT/<name>/stages; a rerun with nothing changed does no work."""
    from harness import progress
    from harness.gate import load_baseline
    from harness.gate.render import gate_text
    from harness.pipeline.release import profile_digest
    from harness.pipeline.release import release as run_release

    prof = with_workers(load(profile), workers, cluster, shards)
    out_dir(out)
    base = load_baseline(baseline) if baseline else None
    report = run_release(prof, out, profile_digest(profile), base)
    run_dir = out / prof.name
    if site:
        _publish(report, run_dir)
    # Plain and full width: rich would wrap at 80 columns without a TTY (CI logs) and read any
    # [brackets] in a level name as markup.
    progress.console.print(gate_text(report.gate), markup=False, highlight=False, soft_wrap=True)
    progress.console.print(f"report: {run_dir / 'report.json'}", markup=False, soft_wrap=True)
    exit_on_gate(report.gate.passed)


def with_workers(prof, workers: int | None, cluster: str | None, shards: int | None = None):
    """The profile with the command line's --workers / --cluster / --shards in its eval section, checked by
    the profile's own rules (a cluster or shards need 2 workers or more)."""
    from pydantic import ValidationError

    from harness.errors import BadInput

    given = (("workers", workers), ("cluster", cluster), ("shards", shards))
    update = {k: v for k, v in given if v is not None}
    if not update:
        return prof
    try:
        spec = type(prof.eval).model_validate({**prof.eval.model_dump(), **update})
    except ValidationError as e:
        what = "; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors())
        raise BadInput("--" + "/--".join(update), what) from None
    return prof.model_copy(update={"eval": spec})


def _publish(report, run_dir: Path) -> None:
    from harness import progress
    from harness.publish.card import write_card
    from harness.publish.site import build_site

    with progress.stage("card"):
        write_card(report, run_dir / "card")
    with progress.stage("site"):
        build_site([run_dir], run_dir / "site")
    progress.note(f"site: {run_dir / 'site' / 'html' / 'index.html'}")


_STAGE_HELP = {"train": "Build the base HF folder and train the LoRA adapter (cached).",
               "merge": "Train (cached) and merge the adapter into a 16-bit HF folder.",
               "export": "Merge (cached) and export the GGUF ladder of the profile."}


def stage_command(upto: str):
    """The command that runs the loop up to stage `upto` (same cache as release)."""
    def command(profile: ProfileArg, out: OutOpt = Path("runs")):
        from harness.pipeline.partial import run_until

        prof = load(profile)
        typer.echo(run_until(prof, out_dir(out), upto))
    command.__doc__ = _STAGE_HELP[upto]
    return command
