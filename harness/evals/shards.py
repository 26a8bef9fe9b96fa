"""A level's items split over several workers (`eval.shards`): shard k of n scores items k, k+n, k+2n, ...
of every item-by-item task (the generate and choices solvers), and the lm-eval tasks k, k+n, ... whole
(lm-eval stores a task in one transaction: its items cannot be split without changing what is stored).
The shards' items go to the one store under the serial run's keys, so a serial rerun reuses them and the
driver builds the level's results from the store with the serial code: the same results, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"shard {self.index} of {self.count}")

    @property
    def whole(self) -> bool:
        return self.count == 1

    def items(self, samples: list[T]) -> list[T]:
        """This shard's share of a task's items (every n-th: long and short items spread evenly)."""
        return samples[self.index :: self.count]

    def takes(self, position: int) -> bool:
        """Whether this shard runs the task at `position` among the level's whole (lm-eval) tasks."""
        return position % self.count == self.index

    @property
    def label(self) -> str:
        return "" if self.whole else f"[{self.index + 1}/{self.count}]"


WHOLE = Shard()


def shards_per_level(levels: int, workers: int, requested: int = 0) -> int:
    """`requested` (eval.shards) when given, else as many as keep every worker busy to the end: 8 levels
    on 2 workers are not split; 2 levels on 4 workers are split in 2; 3 levels on 2 workers are split in
    2, so that no worker idles through a last level (each shard loads the model once more: seconds on a
    level of minutes)."""
    if requested:
        return requested
    levels = max(1, levels)
    if levels < workers:
        return -(-workers // levels)
    return 1 if levels % workers == 0 else 2
