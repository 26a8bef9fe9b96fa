"""The one error hierarchy. The CLI maps it to exit codes in one place (cli.main)."""

from __future__ import annotations

from pathlib import Path


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""

    exit_code = 2


class BadInput(HarnessError):
    """Input the user gave us is wrong: a file, a flag, a profile. Exit code 2."""

    def __init__(self, where: str | Path | None, what: str, line: int | None = None):
        self.where = str(where) if where is not None else None
        self.line = line
        self.what = " ".join(str(what).splitlines())  # one line on stderr, whatever the cause said
        loc = self.where or ""
        if loc and line is not None:
            loc = f"{loc}:{line}"
        super().__init__(f"{loc}: {self.what}" if loc else self.what)


class CheckFailed(HarnessError):
    """A gate or an integrity check failed: the release must not ship. Exit code 1."""

    exit_code = 1


class StageError(HarnessError):
    """A stage could not run (missing dependency, tool failure). Exit code 2, message names it."""
