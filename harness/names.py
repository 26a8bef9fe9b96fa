"""The names a release is read by, in one table: levels, checks and the grammar of metric names.

report.json, the gate's rules, the card and the site all look things up by these strings, so they are
spelled here once and built by these functions everywhere else.
"""

from __future__ import annotations

# Levels. The base model and the merged 16-bit HF model are always there; the GGUF levels are named
# after their file type (f16, q8_0, q4_k_m, ...).
BASE = "base"  # the profile's base model, as a 16-bit HF folder
BF16 = "bf16"  # the merged fine-tune, the reference every GGUF level is compared with


def gguf_reference(outtype: str) -> str:
    """The 16-bit GGUF level: `f16`, or `bf16-gguf` for a BF16 export (next to the HF `bf16`)."""
    return outtype if outtype == "f16" else f"{outtype}-gguf"


# Checks: `kind:subject`, the subject mostly a level.
LM_HEAD_MERGE = "lm_head:merge"
CONTAMINATION = "contamination"
CHAT_TEMPLATE = "chat_template"
EOS_PROBE = "eos_probe"
FIDELITY = "fidelity"


def check_name(kind: str, subject: str) -> str:
    return f"{kind}:{subject}"


# Metric names: `<pool>/<leaf>`, the pool a task ("fc/bfcl_simple"), a group of tasks ("fc/bfcl") or a
# suite ("fc"); a task is `<suite>/<task>`. So `fc/bfcl_simple/call_exact`, `fc/bfcl/call_exact` and
# `fc/call_exact` pool the same per-item leaf `call_exact` three ways.
SEP = "/"
KLD = "kld"  # the suite of the KL-divergence metrics (measured on text, not on items)
# Comparisons against a baseline release name their `a` side "baseline:<level>".
BASELINE_PREFIX = "baseline:"


def metric_name(pool: str, leaf: str) -> str:
    return f"{pool}{SEP}{leaf}"


def suite_of(name: str) -> str:
    """The suite of a task or metric name: `fc/bfcl_simple/call_exact` -> `fc`."""
    return name.split(SEP, 1)[0]


def leaf_of(metric: str) -> str:
    """The per-item score a metric pools: `fc/bfcl/call_exact` -> `call_exact`."""
    return metric.rsplit(SEP, 1)[-1]


# Rates where lower is better (parse failures, unfinished reasoning): every gate rule reads a drop as a
# regression, so a pattern such as "fc/*" must not pick these up the wrong way round.
LOWER_IS_BETTER_LEAVES = ("parse_fail", "no_call", "unfinished")


def lower_is_better(metric: str) -> bool:
    return leaf_of(metric) in LOWER_IS_BETTER_LEAVES


def is_suite_metric(metric: str) -> bool:
    """Pooled over a whole suite (`fc/call_exact`), not over one task or group."""
    return metric.count(SEP) == 1


def pools(task: str, group: str | None) -> list[str]:
    """Every pool one task's items count in: the task, its group if it has one, its suite."""
    return [task, *([group] if group else []), suite_of(task)]
