"""harness/evals/spread.py on a real local Ray cluster of 2 workers (the same code path as several hosts):
three levels (tiny real GGUFs, llama.cpp), each split in 2 shards by default (3 levels on 2 workers), give
what the serial path gives, item for item; a worker killed mid-level (HARNESS_WORKER_EXIT_AFTER ends its
process) is resubmitted and nothing stored is computed again."""

from __future__ import annotations

import os

import pytest
from gguf_files import write_tiny_llama_gguf

from harness.cache import sha256_file
from harness.evals.levels import Artifact, evaluate_levels
from harness.evals.spread import evaluate_levels_spread
from harness.evals.store import ResultStore
from harness.evals.worker import EXIT_AFTER
from harness.profiles.model import EvalSpec

pytest.importorskip("ray")
pytestmark = pytest.mark.slow

SPEC = EvalSpec(tasks=["fr/short", "fr/mc", "fc/bfcl_simple"], limit=2, max_new_tokens=4, n_ctx=256)
SPREAD = SPEC.model_copy(update={"workers": 2})
PER_LEVEL = 2 * 3 + 3  # 3 tasks of 2 items, and the 3 EOS probe prompts
PER_SHARD = [3 + 3, 3]  # item k of each task on shard k; the probe on the first shard


@pytest.fixture(scope="module")
def levels(tmp_path_factory) -> list[Artifact]:
    folder = tmp_path_factory.mktemp("levels")
    paths = [write_tiny_llama_gguf(folder / f"l{blocks}.gguf", blocks=blocks) for blocks in (2, 3, 4)]
    return [Artifact(p.stem, "gguf", p, sha256_file(p)) for p in paths]


@pytest.fixture(scope="module")
def serial(levels, tmp_path_factory):
    with ResultStore(tmp_path_factory.mktemp("serial") / "results.sqlite") as store:
        probes: dict = {}
        results, suites = evaluate_levels(levels, SPEC, store, probes)
        rows = {a.name: sorted(store.rows(a.sha256)) for a in levels}
        engines = {a.name: store.engine(a.sha256) for a in levels}
    return results, suites, probes, rows, engines


def _spread(levels, path, spec=SPREAD):
    with ResultStore(path) as store:
        probes: dict = {}
        results, suites, placements = evaluate_levels_spread(levels, spec, store, probes)
        rows = {a.name: sorted(store.rows(a.sha256)) for a in levels}
        engines = {a.name: store.engine(a.sha256) for a in levels}
    return (results, suites, probes, rows, engines), placements


def _same(spread, serial) -> None:
    assert spread[:4] == serial[:4]  # results, suites, probes, every stored row
    for name, engine in spread[4].items():  # the engine records, but for the threads the worker was given
        assert engine.model_copy(update={"device_name": ""}) == serial[4][name].model_copy(update={"device_name": ""})


def test_levels_on_a_local_cluster_of_two_workers_equal_the_serial_run(levels, serial, tmp_path) -> None:
    spread, placements = _spread(levels, tmp_path / "results.sqlite")
    _same(spread, serial)
    cores = len(os.sched_getaffinity(0))
    assert {e.device_name for e in spread[4].values()} == {f"{max(1, cores // 2)} threads"}  # a share each
    assert list(placements) == [a.name for a in levels]
    for p in placements.values():
        assert [s.shard for s in p.shards] == [0, 1] and p == p.shards[0].model_copy(update={"shards": p.shards})
        for s in p.shards:
            assert s.pid != os.getpid() and s.engine == "llama.cpp" and s.device == "cpu" and s.accelerators == []
        assert [(s.attempts, s.items_computed) for s in p.shards] == [(1, n) for n in PER_SHARD]


def test_levels_not_split_or_split_in_three_equal_the_serial_run(levels, serial, tmp_path) -> None:
    for shards in (1, 3):
        spread, placements = _spread(levels, tmp_path / f"{shards}.sqlite", SPREAD.model_copy(update={"shards": shards}))
        _same(spread, serial)
        if shards == 1:
            assert all(p.shards == [] and p.items_computed == PER_LEVEL for p in placements.values())
        else:
            assert all(sum(s.items_computed for s in p.shards) == PER_LEVEL for p in placements.values())


def test_a_worker_killed_mid_level_is_resubmitted_and_nothing_stored_is_computed_again(
        levels, serial, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(EXIT_AFTER, "2")  # every level's first worker process exits after sending 2 items
    spread, placements = _spread(levels, tmp_path / "results.sqlite")
    _same(spread, serial)
    for p in placements.values():
        # Items that reached the driver before the death were committed and not computed again; those
        # in flight were computed again: every item committed exactly once.
        assert [(s.attempts, s.items_computed) for s in p.shards] == [(2, PER_SHARD[0]), (2, PER_SHARD[1])]
    again, placements = _spread(levels, tmp_path / "results.sqlite")  # a rerun: everything is stored
    _same(again, serial)
    assert all((s.attempts, s.items_computed, s.engine) == (1, 0, "") for p in placements.values() for s in p.shards)


def test_levels_the_cluster_cannot_place_stop_with_one_line_instead_of_waiting_forever(levels, tmp_path,
                                                                                       monkeypatch) -> None:
    import ray

    from harness.errors import StageError
    from harness.evals.spread import STALL_S

    monkeypatch.setenv(STALL_S, "3")
    ray.init(address="local", num_cpus=0, include_dashboard=False)  # a cluster with no CPU to give a worker
    try:
        with ResultStore(tmp_path / "results.sqlite") as store, pytest.raises(StageError, match="no word from"):
            evaluate_levels_spread(levels, SPREAD, store, {})
    finally:
        ray.shutdown()
