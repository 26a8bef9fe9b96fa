"""harness/evals/shards.py: every item in exactly one shard, long and short items spread, whole tasks dealt
round the shards, and the default split keeping every worker busy to the end."""

from __future__ import annotations

import pytest

from harness.evals.shards import WHOLE, Shard, shards_per_level


def test_the_shards_of_a_task_are_disjoint_and_cover_every_item_in_turn() -> None:
    items = list(range(11))
    parts = [Shard(k, 3).items(items) for k in range(3)]
    assert parts == [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8]]
    assert sorted(sum(parts, [])) == items
    assert WHOLE.items(items) == items and WHOLE.whole and WHOLE.label == ""
    assert Shard(1, 3).label == "[2/3]"


def test_whole_tasks_are_dealt_round_the_shards() -> None:
    assert [[p for p in range(5) if Shard(k, 2).takes(p)] for k in range(2)] == [[0, 2, 4], [1, 3]]


def test_a_shard_outside_its_count_is_refused() -> None:
    with pytest.raises(ValueError):
        Shard(2, 2)


@pytest.mark.parametrize(("levels", "workers", "requested", "expected"), [
    (8, 2, 0, 1),  # 4 levels a worker, none idles
    (8, 4, 0, 1),
    (2, 4, 0, 2),  # fewer levels than workers: each level split
    (1, 3, 0, 3),
    (3, 2, 0, 2),  # a last level alone would leave a worker idle
    (8, 3, 0, 2),
    (8, 2, 3, 3),  # eval.shards wins
])
def test_the_default_split_keeps_every_worker_busy(levels, workers, requested, expected) -> None:
    assert shards_per_level(levels, workers, requested) == expected
