"""Every task the harness knows, by name: our solvers' tasks, lm-eval's local ones and its Hub ones.
Importing this module imports the suite modules, which register their tasks (harness/evals/core.py)."""

from __future__ import annotations

from collections.abc import Sequence

from harness.errors import BadInput
from harness.evals import bfcl, fc, french, general, hub  # noqa: F401  (registration by import)
from harness.evals.core import _REGISTRY, Task
from harness.names import suite_of


def task_names() -> list[str]:
    return sorted(_REGISTRY)


def get_task(name: str) -> Task:
    """The registered task (KeyError for an unknown name)."""
    return _REGISTRY[name]


def groups() -> dict[str, str]:
    """task name -> the group its items are also pooled in (e.g. every BFCL category -> fc/bfcl)."""
    return {name: t.group for name, t in _REGISTRY.items() if t.group}


def _run_order(t: Task) -> int:
    # Our solvers first, then lm-eval's local tasks, then its Hub tasks: the report lists suites so.
    return 2 if t.hub else 1 if t.solver == "lm_eval" else 0


def resolve(suites: list[str], names: list[str] | None, replaced: Sequence[Task] = ()) -> list[Task]:
    """The tasks of a profile's eval spec, in run order: the named ones, or every task of its suites.
    A task in `replaced` stands in for the registered one of its name (e.g. the user's own items)."""
    wanted = names if names is not None else sorted(n for n in _REGISTRY if suite_of(n) in suites)
    unknown = [n for n in wanted if n not in _REGISTRY]
    if unknown:
        raise BadInput("profile", f"eval.tasks: unknown task(s) {unknown} (known: {task_names()})")
    instead = {t.name: t for t in replaced}
    tasks = [instead.get(n, _REGISTRY[n]) for n in wanted]
    return sorted(tasks, key=_run_order)  # stable: the spec's order within each kind
