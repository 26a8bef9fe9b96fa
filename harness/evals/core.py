"""A task is a dataset, a solver and a scorer, declared by a small decorated factory (as in inspect_ai).

Solvers: "generate" (greedy chat completion, scored on the text) and "choices" (log-likelihood of each
choice after the chat prompt; the output is the index of the best one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Solver = Literal["generate", "choices"]


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
    dataset: Callable[[], list[Sample]]
    solver: Solver
    scorer: Scorer
    metrics: tuple[str, ...]  # the per-item scores this task produces
    max_new_tokens: int | None = None
    # `version` keys the stored outputs (data, prompt, solver); `scoring` versions the scorer alone:
    # stored outputs are re-scored on every read, so a scorer fix needs no new generation.
    scoring: str = ""
    group: str | None = None  # e.g. "fc/bfcl": items also pooled into "<group>/<metric>"
    # Reads the user's own items (same JSONL format as the task's file): `harness eval --items`.
    dataset_from: Callable[[Path], list[Sample]] | None = None

    @property
    def suite(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def full_version(self) -> str:
        """What a report records: outputs and scores are comparable only between equal full versions."""
        return f"{self.version}+{self.scoring}" if self.scoring else self.version


TASKS: dict[str, Callable[[], Task]] = {}


GROUPS: dict[str, str] = {}  # task name -> group name, for tasks that declare one


def task(factory: Callable[[], Task]) -> Callable[[], Task]:
    """Register a task factory under the name of the task it builds."""
    built = factory()
    TASKS[built.name] = factory
    if built.group:
        GROUPS[built.name] = built.group
    return factory


def select(limit: int | None, samples: list[Sample]) -> list[Sample]:
    """The first `limit` samples of a task's fixed order (datasets are pre-shuffled with a fixed seed)."""
    return samples if limit is None else samples[:limit]
