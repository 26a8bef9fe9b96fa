"""The lm-eval bridge: one lm-eval task (local docs or lm-eval's own Hub task) on one runner, its logged
samples turned into ItemResults.

Local tasks (suite `general`) are built in code as lm-eval `ConfigurableTask`s over already-selected
docs: lm-eval does the prompting, request building and acc/acc_norm scoring. Hub tasks are loaded by
lm-eval's TaskManager (its prompts, its dataset download). Models: our in-process llama.cpp model for
GGUF levels (harness/evals/lmeval_llama.py); for HF levels, the runner's own batched log-likelihood on the
GPU (harness/evals/lmeval_hf.py) and lm-eval's HFLM over the runner's model otherwise.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

from harness.errors import StageError
from harness.evals.core import Task
from harness.records.items import ItemResult


def lm_eval_name(name: str) -> str:
    """lm-eval's name for one of our local tasks ("general/arc_easy" -> "harness_arc_easy")."""
    return "harness_" + name.split("/", 1)[1]


@cache
def _task_class() -> type:
    from lm_eval.api.task import ConfigurableTask

    class LocalTask(ConfigurableTask):  # type: ignore[misc]
        def download(self, dataset_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
            # The docs are in memory already; lm-eval's custom_dataset path would log a warning per task.
            self.dataset = self.config.custom_dataset()

    return LocalTask


def build_task(name: str, docs: list[dict[str, Any]]) -> Any:
    """An lm-eval task over normalized docs {item_id, query, choices, gold} of a registered local task."""
    import datasets

    from harness.evals.registry import get_task

    table = datasets.Dataset.from_list(docs)
    config = {
        "task": lm_eval_name(name), "output_type": "multiple_choice", "test_split": "test",
        "custom_dataset": lambda: datasets.DatasetDict({"test": table}),
        "doc_to_text": lambda d: d["query"], "doc_to_choice": lambda d: d["choices"],
        "doc_to_target": lambda d: d["gold"], "target_delimiter": " ",
        "metric_list": [{"metric": m, "aggregation": "mean", "higher_is_better": True} for m in ("acc", "acc_norm")],
        "metadata": {"version": get_task(name).version},
    }
    return _task_class()(config=config)


def make_lm(runner: Any) -> Any:
    """An lm-eval model over a runner: our in-process llama.cpp model for GGUF; for HF, the runner's own
    log-likelihood scoring on the GPU (HFLM for the rest), else lm-eval's HFLM."""
    if runner.kind == "gguf":
        from harness.evals.lmeval_llama import HarnessLlamaLM

        return HarnessLlamaLM(runner=runner)
    if lm_eval_model(runner) == "harness-hf":
        from harness.evals.lmeval_hf import HarnessHFLM

        return HarnessHFLM(runner, lambda: hflm(runner))
    return hflm(runner)


def hflm(runner: Any) -> Any:
    """lm-eval's HFLM over an HF runner's loaded model and tokenizer, on its device, without its bars."""
    from lm_eval.models.huggingface import HFLM

    lm_log = logging.getLogger("lm_eval")
    level = lm_log.level
    lm_log.setLevel(logging.ERROR)  # HFLM warns whenever given a model object, which is our normal case
    try:
        return _quiet(HFLM)(pretrained=runner.model, tokenizer=runner.tokenizer, batch_size=runner.batch_size,
                            device=runner.device)
    finally:
        lm_log.setLevel(level)


def lm_eval_model(runner: Any) -> str:
    """Which lm-eval model scores an HF level's local tasks, as its engine record says (harness/runners/hf.py
    hf_engine: the runner's own scoring on the GPU, else HFLM)."""
    return getattr(getattr(runner, "engine", None), "lm_eval", "") or "hflm"


def _quiet(hflm: type) -> type:
    """HFLM without its own progress bars: lm-eval's evaluator never passes disable_tqdm, and tqdm's
    TQDM_DISABLE does not reach bars created with an explicit `disable=`; the harness's display is the one."""

    class QuietHFLM(hflm):
        def loglikelihood(self, requests, disable_tqdm: bool = False):
            return super().loglikelihood(requests, disable_tqdm=True)

        def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
            return super().loglikelihood_rolling(requests, disable_tqdm=True)

        def generate_until(self, requests, disable_tqdm: bool = False):
            return super().generate_until(requests, disable_tqdm=True)

    return QuietHFLM


def _hub_off() -> None:
    # Our data are local: lm-eval and datasets must not reach for the Hub. Only set when nothing of the
    # same evaluation needs the Hub (its Hub tasks): the caller says so.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def run_samples(runner: Any, task_names: list[str], limit: int | None, lm: Any = None,
                offline: bool = True) -> dict[str, list[dict]]:
    """lm-eval's logged samples per local task (doc, per-choice (loglikelihood, is_greedy), acc, acc_norm).
    `offline`: switch the Hub off for this process (False when Hub tasks run in the same evaluation)."""
    from harness.evals.registry import get_task

    if offline:
        _hub_off()
    logging.getLogger("lm_eval").setLevel(logging.WARNING)
    from lm_eval import evaluator

    tasks = {lm_eval_name(n): build_task(n, get_task(n).docs(limit)) for n in task_names}
    # bootstrap_iters=0: our own paired statistics come later; lm-eval's stderr would cost minutes.
    res = evaluator.evaluate(lm if lm is not None else make_lm(runner), tasks, limit=None,
                             log_samples=True, bootstrap_iters=0)
    if res is None:
        raise StageError("lm-eval returned no results")
    return {n: sorted(res["samples"][lm_eval_name(n)], key=lambda s: s["doc_id"]) for n in task_names}


def chosen(sample: dict[str, Any]) -> int:
    """Index of the answer the model picked (highest summed log-likelihood, as lm-eval's acc)."""
    lls = [float(r[0]) for r in sample["filtered_resps"]]
    return max(range(len(lls)), key=lls.__getitem__)


def run_general(runner: Any, task_names: list[str], limit: int | None,
                offline: bool = True) -> dict[str, list[ItemResult]]:
    samples = run_samples(runner, task_names, limit, offline=offline)
    return {n: [ItemResult(task=n, item_id=str(s["doc"]["item_id"]), output=str(chosen(s)),
                           scores={"acc": float(s["acc"]), "acc_norm": float(s["acc_norm"])})
                for s in samples[n]] for n in task_names}


def run_hub(runner: Any, task: Task, limit: int | None) -> list[ItemResult]:
    """One Hub task on one level; items are `<lm-eval subtask>/<doc id>`, scored acc (and acc_norm)."""
    from lm_eval import evaluator
    from lm_eval.tasks import TaskManager

    tasks = TaskManager().load(list(task.lm_eval))  # lm-eval's prompts, its dataset download
    res = evaluator.evaluate(make_lm(runner), tasks, limit=limit, log_samples=True, bootstrap_iters=0)
    items = []
    for sub, samples in sorted((res or {}).get("samples", {}).items()):
        for s in sorted(samples, key=lambda s: s["doc_id"]):
            scores = {m: float(s[m]) for m in ("acc", "acc_norm") if m in s}
            items.append(ItemResult(task=task.name, item_id=f"{sub}/{s['doc_id']}", output=str(chosen(s)),
                                    scores=scores))
    return items


def run_lm_eval(runner: Any, task: Task, limit: int | None, offline: bool) -> list[ItemResult]:
    """Any lm-eval task of the registry on one runner."""
    return run_hub(runner, task, limit) if task.hub else run_general(runner, [task.name], limit, offline)[task.name]
