"""Arguments and helpers several commands share. Light: typer and pathlib only, so `--help` stays fast."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

ProfileArg = Annotated[str, typer.Argument(help="Built-in profile (demo, 4b, 9b) or a path to a YAML profile.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output root; a run lands in OUT/<profile name>/.")]


class Thinking(str, Enum):
    off = "off"
    on = "on"


ThinkingOpt = Annotated[Thinking, typer.Option(
    help="Reasoning mode of the chat template (`enable_thinking`) in every render; templates without the switch "
         "are unchanged.")]


def load(profile: str):
    from harness.profiles import load_profile

    return load_profile(profile)


def out_dir(path: Path) -> Path:
    """An --out folder: refused at once when it is a file (not hours later, when a stage writes)."""
    from harness.errors import BadInput

    if path.exists() and not path.is_dir():
        raise BadInput(path, "--out must be a folder, and this is a file")
    return path


def exit_on_gate(passed: bool) -> None:
    """Exit code 1 when a gate rule or a check failed: the release must not ship."""
    if not passed:
        raise typer.Exit(1)
