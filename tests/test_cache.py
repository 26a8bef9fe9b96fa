"""harness/cache.py StageCache: hash-addressed stage outputs, crash safety."""

from __future__ import annotations

import json

import pytest

from harness.cache import RECORD, StageCache, input_key, run_stage
from harness.records.common import Record


class Boom(RuntimeError):
    pass


def _work(calls: list, text: str = "hello"):
    def work(d):
        calls.append(d)
        (d / "out.txt").write_text(text)
        return {"file": "out.txt", "n": len(calls)}
    return work


def test_runs_once_then_cached(tmp_path):
    cache, calls = StageCache(tmp_path), []
    d1, rec1, cached1 = cache.run("merge", 1, {"model": "m", "steps": 3}, _work(calls))
    d2, rec2, cached2 = cache.run("merge", 1, {"model": "m", "steps": 3}, _work(calls))
    assert len(calls) == 1
    assert (cached1, cached2) == (False, True)
    assert d1 == d2 and d1.parent == tmp_path / "stages" and d1.name.startswith("merge-")
    assert rec1 == rec2
    assert rec2.outputs == {"file": "out.txt", "n": 1}
    assert (d1 / "out.txt").read_text() == "hello"
    assert (d1 / RECORD).is_file()
    assert not any((tmp_path / "stages" / ".partial").iterdir())


def test_different_inputs_different_folder(tmp_path):
    cache, calls = StageCache(tmp_path), []
    d1, _, _ = cache.run("merge", 1, {"model": "m", "steps": 3}, _work(calls))
    d2, _, c2 = cache.run("merge", 1, {"model": "m", "steps": 4}, _work(calls))
    d3, _, c3 = cache.run("merge", 2, {"model": "m", "steps": 3}, _work(calls))  # stage version bump
    d4, _, c4 = cache.run("export", 1, {"model": "m", "steps": 3}, _work(calls))
    assert len({d1, d2, d3, d4}) == 4
    assert not (c2 or c3 or c4)
    assert len(calls) == 4


def test_failed_work_leaves_no_final_folder_and_is_redone(tmp_path):
    cache = StageCache(tmp_path)
    inputs = {"model": "m"}

    def failing(d):
        (d / "half.bin").write_text("partial")
        raise Boom("killed")

    with pytest.raises(Boom):
        cache.run("convert", 1, inputs, failing)
    final = cache.path("convert", input_key("convert", 1, inputs))
    assert not final.exists()
    assert cache.lookup("convert", input_key("convert", 1, inputs)) is None

    calls = []
    d, rec, cached = cache.run("convert", 1, inputs, _work(calls))
    assert not cached and len(calls) == 1
    assert d == final
    assert not (d / "half.bin").exists()  # the partial folder was wiped, not reused
    assert sorted(p.name for p in d.iterdir()) == sorted(["out.txt", RECORD])


def test_stale_final_folder_without_record_is_replaced(tmp_path):
    cache = StageCache(tmp_path)
    inputs = {"a": 1}
    final = cache.path("s", input_key("s", 1, inputs))
    final.mkdir(parents=True)
    (final / "junk").write_text("old crash")
    d, _, cached = cache.run("s", 1, inputs, _work([]))
    assert not cached and d == final
    assert not (d / "junk").exists()


def test_input_key_order_independent():
    a = input_key("s", 1, {"x": 1, "y": {"b": 2, "a": [1, 2]}})
    b = input_key("s", 1, {"y": {"a": [1, 2], "b": 2}, "x": 1})
    assert a == b
    assert a != input_key("s", 1, {"x": 1, "y": {"b": 2, "a": [2, 1]}})  # list order matters
    assert a != input_key("s", 2, {"x": 1, "y": {"b": 2, "a": [1, 2]}})
    assert a != input_key("t", 1, {"x": 1, "y": {"b": 2, "a": [1, 2]}})


class _Out(Record):
    file: str
    n: int


def test_typed_stage_outputs_read_by_attribute_and_an_older_record_is_redone(tmp_path):
    cache, calls = StageCache(tmp_path), []

    def work(d):
        calls.append(d)
        return _Out(file="out.txt", n=len(calls))

    done = run_stage(cache, "merge", 1, {"model": "m"}, work, _Out)
    assert done.outputs == _Out(file="out.txt", n=1) and done.name == "merge" and done.inputs == {"model": "m"}
    assert run_stage(cache, "merge", 1, {"model": "m"}, work, _Out).outputs.n == 1  # cached, same key
    record = done.path / RECORD
    raw = json.loads(record.read_text())
    raw["outputs"]["added_later"] = True  # a newer harness's field: read, ignored
    record.write_text(json.dumps(raw))
    assert run_stage(cache, "merge", 1, {"model": "m"}, work, _Out).outputs.n == 1 and len(calls) == 1
    del raw["outputs"]["n"]  # an older harness recorded less: the stage runs again, once
    record.write_text(json.dumps(raw))
    again = run_stage(cache, "merge", 1, {"model": "m"}, work, _Out)
    assert again.outputs.n == 2 and again.key == done.key and len(calls) == 2
