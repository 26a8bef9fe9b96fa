"""harness/evals/hub.py: hub tasks are declared, and without the Hub each is a skipped record, not a crash."""

from __future__ import annotations

import pytest

from harness.evals import hub
from harness.evals.core import task_with
from harness.evals.levels import Artifact, evaluate_levels
from harness.evals.registry import get_task, resolve, task_names
from harness.evals.store import ResultStore
from harness.profiles.model import EvalSpec


@pytest.fixture
def fresh_status(monkeypatch):
    hub.hub_status.cache_clear()
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    yield monkeypatch
    monkeypatch.undo()
    hub.hub_status.cache_clear()


def _hub(tasks) -> list[str]:
    return [t.name for t in tasks if t.hub]


def test_declared_tasks_are_registered_and_resolved_after_ours() -> None:
    hub_tasks = {n for n in task_names() if get_task(n).hub}
    assert hub_tasks == {"fr/hub_french_bench", "fr/hub_belebele_fra", "fr/hub_global_mmlu_fr"}
    assert all(get_task(n).solver == "lm_eval" and get_task(n).dataset is None for n in hub_tasks)
    assert _hub(resolve(["fr"], None)) == sorted(hub_tasks)
    assert _hub(resolve(["fc", "general"], None)) == []
    tasks = resolve(["fr"], ["fr/hub_belebele_fra", "fr/mc"])  # accepted; run after our own tasks
    assert [t.name for t in tasks] == ["fr/mc", "fr/hub_belebele_fra"] and _hub(tasks) == ["fr/hub_belebele_fra"]


def test_offline_setting_is_a_reason(fresh_status) -> None:
    fresh_status.setenv("HF_HUB_OFFLINE", "1")
    assert hub.hub_status() == "hub unreachable: HF_HUB_OFFLINE is set"


def test_unreachable_endpoint_is_a_reason(fresh_status) -> None:
    fresh_status.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens
    why = hub.hub_status()
    assert why.startswith("hub unreachable: 127.0.0.1:9: ")


def test_evaluation_records_skipped_hub_tasks_without_loading_a_model(fresh_status, tmp_path) -> None:
    fresh_status.setenv("HF_HUB_OFFLINE", "1")
    spec = EvalSpec(tasks=["fr/hub_belebele_fra", "fr/hub_global_mmlu_fr"], limit=2)
    # The artifact does not exist: a model opened by mistake would fail loudly.
    artifact = Artifact("q8_0", "gguf", tmp_path / "missing.gguf", "sha")
    with ResultStore(tmp_path / "r.sqlite") as store:
        results, suites = evaluate_levels([artifact], spec, store)
    assert results == {"q8_0": {}}
    assert [(s.name, s.n_items, s.skipped) for s in suites] == [
        ("fr/hub_belebele_fra", 0, "hub unreachable: HF_HUB_OFFLINE is set"),
        ("fr/hub_global_mmlu_fr", 0, "hub unreachable: HF_HUB_OFFLINE is set")]
    assert suites[0].version == get_task("fr/hub_belebele_fra").version


@pytest.mark.slow  # lm-eval indexes its thousands of task files first (seconds, no model)
def test_a_hub_task_that_fails_to_load_is_skipped_on_every_level(fresh_status, tmp_path) -> None:
    # The probe says the Hub answers, but the task cannot load (here: a name lm-eval does not know).
    fresh_status.setattr(hub, "hub_status", lambda: "")
    broken = task_with(get_task("fr/hub_belebele_fra"), version="x-1", lm_eval=("no_such_lm_eval_task_xyz",))
    spec = EvalSpec(tasks=["fr/hub_belebele_fra"], limit=1)
    levels = [Artifact(n, "gguf", tmp_path / f"{n}.gguf", n) for n in ("f16", "q8_0")]
    with ResultStore(tmp_path / "r.sqlite") as store:
        results, suites = evaluate_levels(levels, spec, store, replaced=[broken])
    assert results == {"f16": {}, "q8_0": {}}
    (suite,) = suites
    assert suite.name == "fr/hub_belebele_fra" and suite.n_items == 0
    assert suite.skipped.startswith("hub task failed: ") and "no_such_lm_eval_task_xyz" in suite.skipped
