"""harness/evals/spread_driver.py and spread.py's checks, without Ray: tasks a worker skipped skipped on
every level, a split level's placement, workers' errors raised by the driver with their exit code, Ray's absence one clear line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.errors import BadInput, CheckFailed, StageError
from harness.evals.levels import Artifact
from harness.evals.shards import WHOLE, Shard
from harness.evals.spread_driver import Committer, LevelRun, level_placements, placement, skipped_tasks
from harness.evals.worker import Done, Failed, Started
from harness.profiles.model import EvalSpec


def _run(name: str, skipped: dict[str, str], shard: Shard = WHOLE) -> LevelRun:
    run = LevelRun(Artifact(name, "gguf", Path(f"{name}.gguf"), name * 8), shard)
    run.done = Done(skipped)
    return run


def test_a_task_a_worker_skipped_is_skipped_on_every_level_with_its_first_reason() -> None:
    a = _run("f16", {})
    b = _run("q8_0", {"fr/hub": "hub task failed: OSError"})
    c = _run("q4_k_m", {"fr/hub": "hub task failed: TimeoutError"})
    assert skipped_tasks([a, b, c]) == {"fr/hub": "hub task failed: OSError"}
    assert skipped_tasks([a]) == {}


def test_a_split_level_records_every_shard_and_its_first_shard_on_top() -> None:
    runs = [_run("f16", {}, Shard(k, 2)) for k in range(2)] + [_run("q8_0", {})]
    for k, run in enumerate(runs):
        Committer(None).handle(run, Started("n1", "10.0.0.2", f"host{k}", f"w{k}", 70 + k, [str(k)]))
        run.committed = 5 + k
    places = level_placements(runs)
    assert list(places) == ["f16", "q8_0"]
    f16 = places["f16"]
    assert (f16.hostname, f16.shard, f16.items_computed) == ("host0", 0, 5)
    assert [(p.hostname, p.shard, p.accelerators, p.items_computed, p.shards) for p in f16.shards] == \
        [("host0", 0, ["0"], 5, []), ("host1", 1, ["1"], 6, [])]
    assert places["q8_0"].shards == [] and places["q8_0"].hostname == "host2"


def test_a_workers_error_is_raised_by_the_driver_with_its_exit_code() -> None:
    run = LevelRun(Artifact("f16", "gguf", Path("f16.gguf"), "s"))
    with pytest.raises(BadInput, match=r"^f16\.gguf:3: damaged$"):
        Committer(None).handle(run, Failed("BadInput", "f16.gguf", "damaged", 3))
    with pytest.raises(CheckFailed, match="the probe ran away"):
        Committer(None).handle(run, Failed("CheckFailed", None, "the probe ran away"))


def test_placement_names_the_worker_and_says_when_nothing_was_computed() -> None:
    run = LevelRun(Artifact("f16", "gguf", Path("f16.gguf"), "s"), attempts=2)
    assert placement(run) is None  # never started: nothing to record
    Committer(None).handle(run, Started("n1", "10.0.0.2", "gpu-host", "w1", 77, ["3"]))
    p = placement(run)
    assert (p.node_ip, p.hostname, p.accelerators, p.attempts, p.engine, p.items_computed) == \
        ("10.0.0.2", "gpu-host", ["3"], 2, "", 0)


def test_without_ray_spreading_is_one_line_naming_the_extra(monkeypatch) -> None:
    from harness.evals.spread import evaluate_levels_spread

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(StageError, match=r"pip install 'release-harness\[distributed\]'"):
        evaluate_levels_spread([], EvalSpec(workers=2), None, {})


def test_the_command_line_overrides_the_profiles_workers_and_cluster() -> None:
    from harness.cli.release import with_workers
    from harness.profiles import load_profile

    prof = load_profile("demo")
    assert with_workers(prof, None, None) is prof and prof.eval.workers == 0
    spread = with_workers(prof, 2, "10.0.0.1:6379").eval
    assert (spread.workers, spread.cluster, spread.tasks) == (2, "10.0.0.1:6379", prof.eval.tasks)
    with pytest.raises(BadInput, match="^--cluster: eval.cluster is used only to spread levels: set eval.workers"):
        with_workers(prof, None, "10.0.0.1:6379")
    assert with_workers(prof, 4, None, 2).eval.shards == 2
    with pytest.raises(BadInput, match="^--shards: eval.shards splits levels over workers"):
        with_workers(prof, None, None, 3)
    with pytest.raises(BadInput, match="^--workers/--shards: .*greater than or equal to 0"):
        with_workers(prof, 2, None, -1)
