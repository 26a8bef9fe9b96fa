"""harness/evals/worker.py and spread_driver.py without Ray: a level evaluated by the worker code in this
process (a tiny real GGUF, llama.cpp), its messages committed by the driver's Committer. What it stores is
what the serial path stores; a level resubmitted after its worker died redoes only the items not sent."""

from __future__ import annotations

import pytest
from gguf_files import write_tiny_llama_gguf

from harness.cache import sha256_file
from harness.errors import BadInput
from harness.evals.levels import Artifact, evaluate_levels
from harness.evals.spread_driver import Committer, LevelRun, placement
from harness.evals.store import ResultStore
from harness.evals.worker import Bar, Done, Engine, Failed, Put, Started, _stream, run_level
from harness.profiles.model import EvalSpec

SPEC = EvalSpec(tasks=["fr/short", "fr/mc", "fc/bfcl_simple"], limit=2, max_new_tokens=4, n_ctx=256)
HERE = Started("node-a", "10.0.0.1", "host-a", "worker-a", 123, [])


@pytest.fixture(scope="module")
def level(tmp_path_factory) -> Artifact:
    path = write_tiny_llama_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf", blocks=2)
    return Artifact("tiny", "gguf", path, sha256_file(path))


def _messages(artifact: Artifact, rows=(), spec: EvalSpec = SPEC) -> list:
    return list(_stream(lambda send: run_level(artifact, spec, list(rows), send, HERE)))


def _rows(store: ResultStore, sha: str) -> list:
    return sorted(store.rows(sha))


def test_worker_messages_committed_by_the_driver_store_what_the_serial_path_stores(level, tmp_path) -> None:
    msgs = _messages(level)
    assert isinstance(msgs[0], Started) and isinstance(msgs[-1], Done)
    assert any(isinstance(m, Engine) and m.info.engine == "llama.cpp" for m in msgs)
    assert any(isinstance(m, Bar) and m.total == 2 for m in msgs)  # the worker's bars reach the driver
    run = LevelRun(level)
    with ResultStore(tmp_path / "spread.sqlite") as spread, ResultStore(tmp_path / "serial.sqlite") as serial:
        committer = Committer(spread)
        for m in msgs:
            committer.handle(run, m)
        probes: dict = {}
        results, suites = evaluate_levels([level], SPEC, serial, probes)
        assert _rows(spread, level.sha256) == _rows(serial, level.sha256)
        assert spread.engine(level.sha256) == serial.engine(level.sha256)
        # The driver's assembly from what it committed (no model opened) is the serial run's, probes too.
        built: dict = {}
        assert evaluate_levels([level], SPEC, spread, built, stored=run.done.skipped) == (results, suites)
        assert built == probes
    assert run.done == Done({})
    assert run.committed == 2 * 3 + 3  # every item once: 3 tasks of 2, and the 3 EOS probe prompts
    where = placement(run)
    assert (where.hostname, where.pid, where.engine, where.device, where.items_computed) == \
        ("host-a", 123, "llama.cpp", run.engine.device, 9)


def test_a_level_resubmitted_after_its_worker_died_redoes_only_what_was_not_committed(level, tmp_path) -> None:
    full = _messages(level)
    puts = [m for m in full if isinstance(m, Put)]
    with ResultStore(tmp_path / "r.sqlite") as store:
        run = LevelRun(level)
        committer = Committer(store)
        for m in full[: full.index(puts[2]) + 1]:  # the worker died after its third batch reached the driver
            committer.handle(run, m)
        kept = {(r[0], r[3]) for r in store.rows(level.sha256)}
        sent = sum(len(p.results) for p in puts[:3])
        assert len(kept) == sent < 9
        again = _messages(level, store.rows(level.sha256))  # the resubmission: the store as it now is
        redone = {(r.task, r.item_id) for m in again if isinstance(m, Put) for r in m.results}
        assert not redone & kept and len(redone) == 9 - sent
        for m in again:
            committer.handle(run, m)
        assert run.committed == 9
        with ResultStore(tmp_path / "serial.sqlite") as serial:
            expected = evaluate_levels([level], SPEC, serial, {})
            assert _rows(store, level.sha256) == _rows(serial, level.sha256)
        # What the driver then builds from the store (no model opened) is the serial run's.
        assert evaluate_levels([level], SPEC, store, {}, stored=run.done.skipped) == expected
    assert run.done == Done({})


def test_a_level_all_stored_loads_no_model_on_the_worker(level, tmp_path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        evaluate_levels([level], SPEC, store, {})
        rows = store.rows(level.sha256)
    gone = Artifact("tiny", "gguf", tmp_path / "gone.gguf", level.sha256)  # nothing to open or hash
    msgs = _messages(gone, rows)
    assert not [m for m in msgs if isinstance(m, (Put, Engine))]
    assert isinstance(msgs[-1], Done)


def test_a_file_that_differs_on_the_worker_is_one_line_naming_it(level, tmp_path) -> None:
    wrong = Artifact("tiny", "gguf", level.path, "0" * 64)
    msgs = _messages(wrong)
    (failed,) = [m for m in msgs if isinstance(m, Failed)]
    with pytest.raises(BadInput, match=r"tiny\.gguf: on worker host .* has sha256 .* the release hashed 000000000000"):
        Committer(None).handle(LevelRun(wrong), failed)


class _Exited(Exception):
    pass


def test_the_exit_hook_ends_the_worker_on_the_first_attempt_only(level, monkeypatch) -> None:
    """HARNESS_WORKER_EXIT_AFTER, the fault injection of the Ray tests (tests/evals/test_spread_ray.py, where
    it really ends the worker process): here its exit is caught, to see when it fires."""
    def exit_(code: int) -> None:
        raise _Exited(code)

    monkeypatch.setattr("harness.evals.worker.os._exit", exit_)
    monkeypatch.setenv("HARNESS_WORKER_EXIT_AFTER", "2")
    sent: list = []
    with pytest.raises(_Exited):
        for m in _stream(lambda send: run_level(level, SPEC, [], send, HERE, 0)):
            sent.append(m)
    first = sum(len(m.results) for m in sent if isinstance(m, Put))
    assert 2 <= first < 9  # it fired on the first batch past 2 items, mid-level
    again = _messages_at(level, attempt=1)
    assert sum(len(m.results) for m in again if isinstance(m, Put)) == 9 and isinstance(again[-1], Done)


def _messages_at(artifact: Artifact, attempt: int) -> list:
    return list(_stream(lambda send: run_level(artifact, SPEC, [], send, HERE, attempt)))
