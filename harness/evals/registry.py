"""Every task the harness knows, by name. Importing the suite modules registers their tasks."""

from __future__ import annotations

from harness.errors import BadInput
from harness.evals import bfcl, fc, french  # noqa: F401  (registration by import)
from harness.evals.core import TASKS, Task


def general_task_names() -> dict[str, str]:
    from harness.evals.general import GENERAL_TASKS

    return dict(GENERAL_TASKS)


def hub_names(suites: list[str], names: list[str] | None) -> list[str]:
    """Hub tasks of a profile's eval spec: named ones, or every one of its suites when none are named."""
    from harness.evals.hub import HUB_TASKS

    if names is not None:
        return [n for n in names if n in HUB_TASKS]
    return sorted(n for n in HUB_TASKS if n.split("/", 1)[0] in suites)


def resolve(suites: list[str], names: list[str] | None) -> tuple[list[Task], list[str]]:
    """(tasks run by our solvers, general task names run through lm-eval) for a profile's eval spec;
    hub tasks are accepted here and listed by hub_names."""
    from harness.evals.hub import HUB_TASKS

    general = general_task_names()
    known = set(TASKS) | set(general) | set(HUB_TASKS)
    wanted = names if names is not None else sorted(n for n in known if n.split("/", 1)[0] in suites)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise BadInput("profile", f"eval.tasks: unknown task(s) {unknown} (known: {sorted(known)})")
    return [TASKS[n]() for n in wanted if n in TASKS], [n for n in wanted if n in general]
