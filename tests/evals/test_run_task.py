"""harness/evals/run_task.py: stored outputs are re-scored by the current scorer without generating
again, and generation runs items in prompt order (shared tool preambles back to back)."""

from __future__ import annotations

from harness.evals.core import Sample, Task
from harness.evals.run_task import run_task, settings_key
from harness.evals.store import ResultStore
from harness.records.items import ItemResult

SAMPLES = [Sample(id=f"i{k}", messages=[{"role": "user", "content": text}])
           for k, text in enumerate(["zeta", "alpha two", "mid", "alpha one"])]


def _task(scorer, version: str = "t-1") -> Task:
    return Task(name="fr/demo", version=version, dataset=lambda: list(SAMPLES), solver="generate",
                scorer=scorer, metrics=("ok",))


class RecordingRunner:
    """Answers each prompt with its own text upper-cased; records what was generated, in order."""

    def __init__(self) -> None:
        self.generated: list[str] = []

    def chat_prompt(self, messages, tools) -> str:
        return "<preamble>" + messages[-1]["content"]

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[str]:
        self.generated += prompts
        return [p.upper() for p in prompts]


def _strict(sample: Sample, output: str) -> dict[str, float]:
    return {"ok": float(output.endswith("A"))}


def _lenient(sample: Sample, output: str) -> dict[str, float]:
    return {"ok": 1.0}


def test_generation_runs_in_prompt_order_and_results_keep_dataset_order(tmp_path) -> None:
    runner = RecordingRunner()
    with ResultStore(tmp_path / "r.sqlite") as store:
        items = run_task(runner, _task(_strict), None, store, "sha", 16, 512, "lvl")
    assert runner.generated == sorted(runner.generated)  # "alpha one", "alpha two", "mid", "zeta"
    assert [r.item_id for r in items] == ["i0", "i1", "i2", "i3"]
    assert [r.scores["ok"] for r in items] == [1.0, 0.0, 0.0, 0.0]  # only "ZETA" ends with A


def test_stored_outputs_are_rescored_not_regenerated(tmp_path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        run_task(RecordingRunner(), _task(_strict), None, store, "sha", 16, 512, "lvl")
        again = RecordingRunner()
        items = run_task(again, _task(_lenient), None, store, "sha", 16, 512, "lvl")
        assert again.generated == []  # same task version: every output came from the store
        assert all(r.scores == {"ok": 1.0} for r in items)
        assert [r.output for r in items] == ["<PREAMBLE>ZETA", "<PREAMBLE>ALPHA TWO", "<PREAMBLE>MID", "<PREAMBLE>ALPHA ONE"]
        stored = store.get("sha", "fr/demo", "t-1", settings_key(_task(_lenient), 16, 512))
        assert all(r.scores == {"ok": 1.0} for r in stored.values())  # the store follows the new scorer
        # A new task version (new data or prompt) generates again.
        fresh = RecordingRunner()
        run_task(fresh, _task(_lenient, version="t-2"), 2, store, "sha", 16, 512, "lvl")
        assert len(fresh.generated) == 2


def test_partial_store_generates_only_the_missing_items(tmp_path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        settings = settings_key(_task(_strict), 16, 512)
        store.put("sha", "t-1", settings, [ItemResult("fr/demo", "i2", "<PREAMBLE>MID", {"ok": 0.0})])
        runner = RecordingRunner()
        items = run_task(runner, _task(_strict), None, store, "sha", 16, 512, "lvl")
    assert sorted(runner.generated) == ["<preamble>alpha one", "<preamble>alpha two", "<preamble>zeta"]
    assert len(items) == 4


def test_store_commits_per_item_unless_the_runner_batches():
    from types import SimpleNamespace

    from harness.evals.run_task import commit_every

    assert commit_every(SimpleNamespace()) == 1  # llama.cpp: one item at a time, committed each
    assert commit_every(SimpleNamespace(batch_size=8)) == 8  # transformers: the batch computed together


def _docs(limit):
    return [{"item_id": i} for i in ["Mercury_7041825", "ACTAAP_2011_5_12", "LEAP_2011_8_10436"]][:limit]


def test_an_lm_eval_task_keeps_one_item_order_computed_or_stored(tmp_path, monkeypatch) -> None:
    """A spread run builds its levels from the store: the order there must be the fresh run's (docs order
    for local tasks, (subtask, doc id) for Hub tasks), not the store's."""
    import harness.evals.lmeval as lmeval

    local = Task(name="general/x", version="v1", solver="lm_eval", docs=_docs)
    scrambled = [ItemResult("general/x", d["item_id"], "0", {"acc": 1.0}) for d in reversed(_docs(3))]
    monkeypatch.setattr(lmeval, "run_lm_eval", lambda runner, task, limit, offline: list(scrambled))
    with ResultStore(tmp_path / "r.sqlite") as store:
        fresh = run_task(None, local, 3, store, "sha", 16, 512, "lvl")
        stored = run_task(None, local, 3, store, "sha", 16, 512, "lvl")
    assert [r.item_id for r in fresh] == [r.item_id for r in stored] == [d["item_id"] for d in _docs(3)]

    hub = Task(name="general/h", version="v1", solver="lm_eval", lm_eval=("arc_easy",))
    ids = ["mmlu_b/10", "mmlu_a/2", "mmlu_b/9", "mmlu_a/11"]
    monkeypatch.setattr(lmeval, "run_lm_eval",
                        lambda runner, task, limit, offline: [ItemResult("general/h", i, "0", {}) for i in ids])
    with ResultStore(tmp_path / "h.sqlite") as store:
        fresh = run_task(None, hub, None, store, "sha", 16, 512, "lvl")
        stored = run_task(None, hub, None, store, "sha", 16, 512, "lvl")
    assert [r.item_id for r in fresh] == [r.item_id for r in stored] == ["mmlu_a/2", "mmlu_a/11", "mmlu_b/9", "mmlu_b/10"]
