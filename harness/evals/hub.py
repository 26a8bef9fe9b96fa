"""French tasks that live on the Hugging Face Hub (lm-eval's french_bench, belebele, global_mmlu),
run only where the Hub is reachable; elsewhere each is recorded as skipped, with the reason.

They run through lm-eval's own task definitions (its prompts, its dataset download), on the same
in-process models as the `general` suite. `limit` applies to each lm-eval subtask. Untested offline
by construction: this machine's tests cover the skip path and the declarations.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlparse

from harness.records.items import ItemResult


@dataclass(frozen=True)
class HubTask:
    version: str
    lm_eval: tuple[str, ...]  # lm-eval task or group names


HUB_TASKS: dict[str, HubTask] = {
    # french_bench's official multiple-choice tasks (its `french_bench_mc` tag).
    "fr/hub_french_bench": HubTask("french_bench_mc-1", ("french_bench_arc_challenge", "french_bench_grammar",
                                                         "french_bench_hellaswag", "french_bench_vocab")),
    "fr/hub_belebele_fra": HubTask("belebele_fra_Latn-1", ("belebele_fra_Latn",)),
    "fr/hub_global_mmlu_fr": HubTask("global_mmlu_fr-1", ("global_mmlu_fr",)),
}
_online = False  # set once hub tasks are about to run: other suites then leave the Hub switched on


def keep_offline() -> bool:
    """Whether other suites may switch the Hub off for this process (HF_HUB_OFFLINE)."""
    return not _online


@cache
def hub_status() -> str:
    """'' when the Hub answers, else why it cannot be used (checked once per process, 3 s at most)."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "hub unreachable: HF_HUB_OFFLINE is set"
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host, port = url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as e:
        return f"hub unreachable: {host}:{port}: {e.strerror or type(e).__name__}"
    return ""


def run_hub(runner: Any, name: str, limit: int | None) -> list[ItemResult]:
    """One hub task on one level; items are `<lm-eval subtask>/<doc id>`, scored acc (and acc_norm)."""
    global _online
    _online = True
    from lm_eval import evaluator
    from lm_eval.tasks import TaskManager

    from harness.evals.general import chosen, make_lm

    tasks = TaskManager().load(list(HUB_TASKS[name].lm_eval))  # lm-eval's prompts, its dataset download
    res = evaluator.evaluate(make_lm(runner), tasks, limit=limit, log_samples=True, bootstrap_iters=0)
    items = []
    for sub, samples in sorted((res or {}).get("samples", {}).items()):
        for s in sorted(samples, key=lambda s: s["doc_id"]):
            scores = {m: float(s[m]) for m in ("acc", "acc_norm") if m in s}
            items.append(ItemResult(task=name, item_id=f"{sub}/{s['doc_id']}", output=str(chosen(s)), scores=scores))
    return items
