"""French tasks that live on the Hugging Face Hub (lm-eval's french_bench, belebele, global_mmlu),
run only where the Hub is reachable; elsewhere each is recorded as skipped, with the reason.

They run through lm-eval's own task definitions (its prompts, its dataset download), on the same
in-process models as the `general` suite (harness/evals/lmeval.py). `limit` applies to each lm-eval
subtask. Untested offline by construction: this machine's tests cover the skip path and the declarations.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from urllib.parse import urlparse

from harness.evals.core import Task, registry_add

_DECLARED = (
    # french_bench's official multiple-choice tasks (its `french_bench_mc` tag).
    Task(name="fr/hub_french_bench", version="french_bench_mc-1", solver="lm_eval", metrics=("acc", "acc_norm"),
         lm_eval=("french_bench_arc_challenge", "french_bench_grammar", "french_bench_hellaswag",
                  "french_bench_vocab")),
    Task(name="fr/hub_belebele_fra", version="belebele_fra_Latn-1", solver="lm_eval", metrics=("acc", "acc_norm"),
         lm_eval=("belebele_fra_Latn",)),
    Task(name="fr/hub_global_mmlu_fr", version="global_mmlu_fr-1", solver="lm_eval", metrics=("acc", "acc_norm"),
         lm_eval=("global_mmlu_fr",)),
)
for _task in _DECLARED:
    registry_add(_task)


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
