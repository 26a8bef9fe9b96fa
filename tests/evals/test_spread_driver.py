"""harness/evals/spread_driver.py and spread.py's checks, without Ray: levels merged as the serial path
merges them, workers' errors raised by the driver with their exit code, Ray's absence one clear line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.errors import BadInput, CheckFailed, StageError
from harness.evals.levels import Artifact
from harness.evals.spread_driver import Committer, LevelRun, merge, placement
from harness.evals.worker import Done, Failed, Started
from harness.profiles.model import EvalSpec
from harness.records.items import ItemResult
from harness.records.report import Suite


def _run(name: str, results: dict, suites: list[Suite]) -> LevelRun:
    run = LevelRun(Artifact(name, "gguf", Path(f"{name}.gguf"), name * 8))
    run.done = Done(results, suites, [ItemResult("check/eos_probe", "capital", name, {"stopped": 1.0})])
    return run


def _item(task: str, k: int) -> ItemResult:
    return ItemResult(task, f"{task}-{k}", "x", {"ok": float(k % 2)})


def test_levels_merge_in_release_order_and_a_task_skipped_on_one_level_is_dropped_from_all() -> None:
    a = _run("f16", {"fr/mc": [_item("fr/mc", 0)], "fr/hub": [_item("fr/hub", 0)]},
             [Suite(name="fr/mc", version="1", n_items=1), Suite(name="fr/hub", version="h1", n_items=1)])
    b = _run("q8_0", {"fr/mc": [_item("fr/mc", 1)]},
             [Suite(name="fr/mc", version="1", n_items=1),
              Suite(name="fr/hub", version="h1", n_items=0, skipped="hub task failed: OSError")])
    out, suites, probes = merge([a, b])
    assert list(out) == ["f16", "q8_0"]
    assert out == {"f16": {"fr/mc": [_item("fr/mc", 0)]}, "q8_0": {"fr/mc": [_item("fr/mc", 1)]}}
    assert suites == [Suite(name="fr/mc", version="1", n_items=1),
                      Suite(name="fr/hub", version="h1", n_items=0, skipped="hub task failed: OSError")]
    assert probes["q8_0"][0].output == "q8_0"


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
    with pytest.raises(BadInput, match="--cluster: .*--workers 2 or more"):
        with_workers(prof, None, "10.0.0.1:6379")
