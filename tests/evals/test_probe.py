"""harness/evals/probe.py: the EOS probe as a check, and run on the real F16 GGUF (stored, then reused)."""

from __future__ import annotations

import pytest

from harness.evals.probe import MAX_NEW_TOKENS, PROMPTS, probe_check, run_probe
from harness.evals.store import ResultStore
from harness.records.items import ItemResult


def _item(name: str, stopped: bool, n: int, text: str = "ok") -> ItemResult:
    return ItemResult("check/eos_probe", name, text, {"stopped": float(stopped), "new_tokens": float(n)})


def test_all_stopped_passes():
    check = probe_check("q8_0", [_item("a", True, 8), _item("b", True, 14)])
    assert check.passed and check.name == "eos_probe:q8_0" and check.level == "q8_0"
    assert "2/2 prompts ended" in check.detail and "8, 14" in check.detail


def test_a_runaway_fails_and_shows_its_tail():
    check = probe_check("q2_k", [_item("a", True, 8), _item("b", False, MAX_NEW_TOKENS, "la la " * 30 + "END")])
    assert not check.passed
    assert "1/2 prompts ended" in check.detail and "'b' ran to the bound" in check.detail and "END" in check.detail


def test_no_items_fails():
    assert not probe_check("f16", []).passed


@pytest.mark.slow
def test_real_gguf_stops_and_the_store_is_reused(embedded_f16_gguf, tmp_path):
    from harness.runners import open_runner

    with ResultStore(tmp_path / "r.sqlite") as store:
        runner = open_runner("gguf", embedded_f16_gguf, n_ctx=512)
        try:
            items = run_probe(runner, store, "sha-f16")
        finally:
            runner.close()
        check = probe_check("f16", items)
        assert check.passed, check.detail
        assert [i.item_id for i in items] == [name for name, _ in PROMPTS]
        assert all(1 <= i.scores["new_tokens"] < MAX_NEW_TOKENS for i in items)
        assert "Paris" in items[0].output
        assert run_probe(None, store, "sha-f16") == items  # stored: no model is needed the second time
