"""Profile checks that need more than one field: a profile that loads but cannot mean what it says
is refused at load, naming the file and line, before any stage runs (an unknown task found only
after training and export costs hours on a 9B).

- eval.tasks and eval.suites name tasks and suites the harness knows; eval.limits and eval.gguf_limits only tasks it runs;
- the export ladder has no duplicates and does not repeat the 16-bit outtype;
- gate.ship names only levels the profile makes (a typo would gate nothing, and pass);
- gate.trained_for names only suites the profile evaluates (the target rule could never pass),
  each with a target metric that is higher-is-better.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness.errors import BadInput


def levels_made(profile) -> list[str]:
    """The report's level names this profile produces: the base, the merged 16-bit model, the 16-bit
    GGUF (named `bf16-gguf` when the outtype is bf16, next to the HF `bf16`) and every ladder rung."""
    from harness.names import BASE, BF16, gguf_reference

    return [BASE, BF16, gguf_reference(profile.export.outtype), *(q.lower() for q in profile.export.ladder)]


def known_tasks() -> set[str]:
    from harness.evals.registry import task_names

    return set(task_names())


def check_profile(profile, path: Path, line_of: Callable[[tuple], int | None]) -> None:
    """BadInput(path, what, line) for the first thing the profile cannot mean."""
    def refuse(loc: tuple, what: str) -> None:
        raise BadInput(path, f"{'.'.join(map(str, loc))}: {what}", line_of(loc))

    _check_ladder(profile, refuse)
    run = _check_eval(profile, refuse)
    made = levels_made(profile)
    for i, name in enumerate(profile.gate.ship or []):
        if name not in made:
            refuse(("gate", "ship", i), f"{name!r} is not a level this profile makes (levels: {', '.join(made)})")
    _check_target(profile, run, refuse)


def _check_ladder(profile, refuse) -> None:
    seen: set[str] = set()
    for i, q in enumerate(profile.export.ladder):
        if q in seen:
            refuse(("export", "ladder", i), f"{q} is listed twice")
        if q.lower() == profile.export.outtype:
            refuse(("export", "ladder", i), f"{q} repeats export.outtype ({profile.export.outtype}), "
                                           "which is always exported")
        seen.add(q)


def _check_eval(profile, refuse) -> set[str]:
    spec = profile.eval
    known = known_tasks()
    suites = sorted({n.split("/", 1)[0] for n in known})
    for i, s in enumerate(spec.suites):
        if s not in suites:
            refuse(("eval", "suites", i), f"unknown suite {s!r} (known: {', '.join(suites)})")
    for i, name in enumerate(spec.tasks or []):
        if name not in known:
            close = sorted(n for n in known if n.split("/", 1)[0] == name.split("/", 1)[0]) or sorted(known)
            refuse(("eval", "tasks", i), f"unknown task {name!r} (known: {', '.join(close)})")
    run = set(spec.tasks) if spec.tasks is not None else {n for n in known if n.split("/", 1)[0] in spec.suites}
    for field in ("limits", "gguf_limits"):
        for name in getattr(spec, field):
            if name not in run:
                refuse(("eval", field, name), f"{name!r} is not a task this profile runs"
                                              + ("" if name in known else " (no such task)"))
    return run


def _check_target(profile, run: set[str], refuse) -> None:
    from harness.names import lower_is_better

    gate = profile.gate
    evaluated = sorted({n.split("/", 1)[0] for n in run})
    for i, suite in enumerate(gate.trained_for):
        if suite not in evaluated:
            refuse(("gate", "trained_for", i),
                   f"suite {suite!r} is not evaluated by this profile (its suites: {', '.join(evaluated) or 'none'}), "
                   "so the target rule could never pass; list the suites the fine-tune is trained for "
                   "(default: fc, fr), or [] to turn the rule off")
        metric = gate.target_metric(suite)
        if metric is None:
            refuse(("gate", "trained_for", i), f"suite {suite!r} has no target metric: set gate.target_metrics.{suite}")
        if lower_is_better(metric):
            refuse(("gate", "target_metrics", suite), f"{metric} is lower-is-better: the target rule needs a gain")
        for name in gate.target_hold(suite):
            if lower_is_better(name):
                refuse(("gate", "target_holds", suite), f"{name} is lower-is-better: a hold fails on a drop")
