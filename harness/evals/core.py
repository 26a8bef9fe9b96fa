"""A task is a dataset, a solver and a scorer, declared once and registered by name (as in inspect_ai).

Solvers: "generate" (greedy chat completion, scored on the text), "choices" (log-likelihood of each
choice after the chat prompt; the output is the index of the best one) and "lm_eval" (lm-eval runs the
task, on the harness's in-process models: local docs built here, or lm-eval's own Hub tasks). Every
task of every kind lives in one registry; a modified task (`task_with`) is a copy, never a changed entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from harness.names import suite_of

Solver = Literal["generate", "choices", "lm_eval"]


@dataclass(frozen=True)
class Sample:
    id: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None
    target: Any = None
    choices: list[str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


Scorer = Callable[[Sample, str], dict[str, float]]


@dataclass(frozen=True)
class Task:
    name: str  # "suite/task", e.g. "fc/bfcl_simple"
    version: str
    solver: Solver
    dataset: Callable[[], list[Sample]] | None = None  # our solvers' items
    scorer: Scorer | None = None
    metrics: tuple[str, ...] = ()  # the per-item scores this task produces
    max_new_tokens: int | None = None
    # `version` keys the stored outputs (data, prompt, solver); `scoring` versions the scorer alone:
    # stored outputs are re-scored on every read, so a scorer fix needs no new generation.
    scoring: str = ""
    group: str | None = None  # e.g. "fc/bfcl": items also pooled into "<group>/<metric>"
    # Reads the user's own items (same JSONL format as the task's file): `harness eval --items`.
    dataset_from: Callable[[Path], list[Sample]] | None = None
    # lm-eval tasks: normalized docs of the scored subset (limit -> docs; local data), or lm-eval's own
    # task names (run where the Hugging Face Hub answers: its prompts, its dataset download).
    docs: Callable[[int | None], list[dict[str, Any]]] | None = None
    lm_eval: tuple[str, ...] = ()

    @property
    def hub(self) -> bool:
        return bool(self.lm_eval)

    @property
    def suite(self) -> str:
        return suite_of(self.name)

    @property
    def full_version(self) -> str:
        """What a report records: outputs and scores are comparable only between equal full versions."""
        return f"{self.version}+{self.scoring}" if self.scoring else self.version


_REGISTRY: dict[str, Task] = {}  # every task by name; filled by the suite modules (harness/evals/registry.py)


def registry_add(t: Task) -> Task:
    """Register a task under its name; a second task of the same name is a programming error."""
    if t.name in _REGISTRY:
        raise ValueError(f"task {t.name!r} is registered twice")
    _REGISTRY[t.name] = t
    return t


def task(factory: Callable[[], Task]) -> Callable[[], Task]:
    """Decorator: register the task a factory builds (the factory stays callable)."""
    registry_add(factory())
    return factory


def task_with(t: Task, **changes: Any) -> Task:
    """A modified copy of a task (another dataset, version, ...); the registry keeps the original."""
    return replace(t, **changes)


def select(limit: int | None, samples: list[Sample]) -> list[Sample]:
    """The first `limit` samples of a task's fixed order (datasets are pre-shuffled with a fixed seed)."""
    return samples if limit is None else samples[:limit]
