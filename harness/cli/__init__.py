"""The `harness` command: this file only declares and registers the commands (each one's body is in its own
module beside it) and turns errors into exit codes, here and only here: 0 success, 1 a gate or check failed,
2 bad input or usage (one line on stderr, no traceback). Known third-party errors: harness/errors.py."""

from __future__ import annotations

import sys

import typer

from harness.cli import check_template, doctor, eval_artifact, gate, publish, release

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="Release harness: train, merge, export GGUF at every precision, score, gate, publish.")

COMMANDS = {  # name -> the function typer reads the arguments, options and help from
    "release": release.release,
    "train": release.stage_command("train"),
    "merge": release.stage_command("merge"),
    "export": release.stage_command("export"),
    "check-template": check_template.check_template,
    "eval": eval_artifact.eval_artifact,
    "gate": gate.gate,
    "card": publish.card,
    "site": publish.site,
    "doctor": doctor.doctor,
}
for _name, _command in COMMANDS.items():
    app.command(_name)(_command)


def _click_exceptions():
    try:
        from typer._click import exceptions  # typer 0.2x carries its own copy of click
    except ImportError:
        from click import exceptions
    return exceptions


def main() -> None:
    from harness.errors import known_error

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
    except KeyboardInterrupt:
        print("harness: interrupted; finished stages and eval items are kept", file=sys.stderr)
        sys.exit(130)
    except Exception as e:
        err = known_error(e, _out_folder())
        if err is None:
            raise  # not an error we know: a bug, with its traceback
        print(f"harness: error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)


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
