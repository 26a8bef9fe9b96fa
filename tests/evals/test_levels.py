"""Every suite on the real embedded model (GGUF F16) through the release's eval path, small limits:
every BFCL category, the French function-calling set, the French sets, general through lm-eval, and a
hub task recorded as skipped offline. A second pass reads everything from the store, loading no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.evals.aggregate import metrics
from harness.evals.bfcl import CATEGORIES
from harness.evals.levels import Artifact, evaluate_levels
from harness.evals.registry import get_task
from harness.evals.store import ResultStore
from harness.profiles.model import EvalSpec

BFCL = [f"fc/bfcl_{c}" for c in CATEGORIES]
TASK_NAMES = [*BFCL, "fc/fr_fc", "fr/mc", "fr/short", "fr/lang", "general/arc_easy", "fr/hub_belebele_fra"]
LIMITS = {"fc/fr_fc": 2, "fr/mc": 2, "general/arc_easy": 2}


@pytest.mark.slow
def test_every_suite_runs_and_reruns_from_the_store(embedded_f16_gguf: Path, tmp_path: Path, monkeypatch) -> None:
    from harness.evals import hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.hub_status.cache_clear()
    spec = EvalSpec(tasks=TASK_NAMES, limit=1, limits=LIMITS, max_new_tokens=24, n_ctx=2048)
    sha = "f16-test"
    with ResultStore(tmp_path / "results.sqlite") as store:
        results, suites = evaluate_levels([Artifact("f16", "gguf", embedded_f16_gguf, sha)], spec, store)
        res = results["f16"]
        assert set(res) == set(TASK_NAMES) - {"fr/hub_belebele_fra"}
        for name, items in res.items():
            assert len(items) == LIMITS.get(name, 1), name
            for item in items:
                assert item.scores and all(v in (0.0, 1.0) for v in item.scores.values()), (name, item)
                assert set(item.scores) <= set(get_task(name).metrics)
        m = metrics(res)
        for name in BFCL:
            assert f"{name}/call_exact" in m
        assert m["fc/bfcl/call_exact"].n == len(BFCL) and m["fc/call_exact"].n == len(BFCL) + 2
        for key in ("fr/mc_acc", "fr/short_acc", "fr/lang_fr", "general/acc", "general/acc_norm"):
            assert key in m and 0.0 <= m[key].value <= 1.0
        by_name = {s.name: s for s in suites}
        assert by_name["fc/bfcl_simple"].version == get_task("fc/bfcl_simple").full_version
        assert by_name["fr/hub_belebele_fra"].skipped.startswith("hub unreachable")
        assert by_name["fr/hub_belebele_fra"].n_items == 0
        ran = store.engine(sha)  # what computed the items, kept beside them
        assert ran is not None and ran.engine == "llama.cpp" and ran.batch_size >= 1

        # The same artifact hash again, its file gone: every item must come from the store.
        gone = Artifact("f16", "gguf", tmp_path / "gone.gguf", sha)
        again, _ = evaluate_levels([gone], spec, store)
        assert store.engine(sha) == ran  # nothing ran this time: the record of what did is kept
    def as_sets(r):  # lm-eval tasks come back from the store in id order, not subset order
        return {n: sorted((i.item_id, i.output, sorted(i.scores.items())) for i in v) for n, v in r.items()}

    assert as_sets(again["f16"]) == as_sets(res)
    hub.hub_status.cache_clear()


@pytest.mark.slow
def test_gguf_limits_cap_a_gguf_level_not_an_hf_one(embedded_f16_gguf: Path, tmp_path: Path) -> None:
    """eval.gguf_limits: the GGUF level scores the first items of the HF levels' set, so the two pair on them."""
    spec = EvalSpec(tasks=["general/arc_easy"], limit=3, gguf_limits={"general/arc_easy": 2}, n_ctx=2048)
    with ResultStore(tmp_path / "results.sqlite") as store:
        capped, _ = evaluate_levels([Artifact("q", "gguf", embedded_f16_gguf, "q-test")], spec, store)
        full, _ = evaluate_levels([Artifact("q", "gguf", embedded_f16_gguf, "q-test")],
                                  spec.model_copy(update={"gguf_limits": {}}), store)
    ids = [i.item_id for i in capped["q"]["general/arc_easy"]]
    assert len(ids) == 2 and set(ids) < {i.item_id for i in full["q"]["general/arc_easy"]}


def test_suites_name_the_levels_that_scored_fewer_items() -> None:
    from harness.evals.levels import with_fewer_items
    from harness.records.items import ItemResult
    from harness.records.report import Suite

    def items(n: int) -> list[ItemResult]:
        return [ItemResult("general/hellaswag", str(i), "", {"acc": 1.0}) for i in range(n)]

    out = {"base": {"general/hellaswag": items(5)}, "bf16": {"general/hellaswag": items(5)},
           "q8_0": {"general/hellaswag": items(2)}, "q4_k_m": {"general/hellaswag": items(2)}}
    suites = [Suite(name="general/hellaswag", version="v", n_items=5), Suite(name="fr/hub", version="v", n_items=0,
                                                                               skipped="hub unreachable")]
    got = with_fewer_items(suites, out)
    assert got[0].fewer_items == {"q8_0": 2, "q4_k_m": 2} and got[1].fewer_items == {}
    assert Suite.model_validate({"name": "a", "version": "v", "n_items": 1}).fewer_items == {}  # older reports


def test_a_levels_assembly_from_the_store_never_opens_a_model(tmp_path: Path) -> None:
    """A spread run's driver builds the levels from the store (`stored=`): an item its workers did not
    store is one StageError line, not a model loaded on the driver."""
    from harness.errors import StageError

    level = Artifact("q8_0", "gguf", tmp_path / "absent.gguf", "sha-absent")
    spec = EvalSpec(tasks=["fr/short"], limit=1, max_new_tokens=4, n_ctx=256)
    with ResultStore(tmp_path / "results.sqlite") as store, \
            pytest.raises(StageError, match=r"^eval q8_0: items missing from the results store"):
        evaluate_levels([level], spec, store, stored={})
