"""`harness card` and `harness site`: the model card and the static report site, from reports alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from harness.cli.options import out_dir


def card(report: Annotated[Path, typer.Argument(help="report.json or a run folder.")],
         out: Annotated[Path, typer.Option("--out", help="Folder for README.md.")] = Path("card"),
         repo_id: Annotated[Optional[str], typer.Option(help="Hub repo the card is for (org/name): recipes "
                                                             "download from it.")] = None,
         license: Annotated[Optional[str], typer.Option(help="License id; default: the report's.")] = None):
    """Render the model card (Markdown with Hub front matter) from a report."""
    from harness.publish.card import write_card
    from harness.records.report import load_report

    typer.echo(write_card(load_report(report), out_dir(out), repo_id=repo_id, license=license))


def site(runs: Annotated[list[Path], typer.Argument(help="Run folders (each with report.json).")],
         out: Annotated[Path, typer.Option("--out", help="Site folder; HTML lands in OUT/html.")] = Path("site-build"),
         decisions: Annotated[Optional[Path], typer.Option(help="Folder of Markdown decision notes.")] = None):
    """Build the static report site (mkdocs-material) from run folders."""
    from harness.publish.site import build_site

    typer.echo(build_site(runs, out_dir(out), decisions))
