"""The lm_head guard (Unsloth issue 4098 and successors).

Asking for `lm_head` or `embed_tokens` in LoRA `target_modules` is silently re-routed by some stacks,
and on tied-embedding models a trained head can be thrown away at merge. Our rule: such names are
moved to `modules_to_save` (trained in full), and on tied models weight tying is kept
(`ensure_weight_tying`) so the head and the embeddings stay one tensor through training and merge.
The merge stage then verifies the merged head equals the trained one.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_NAMES = ("lm_head", "embed_tokens")


@dataclass(frozen=True)
class HeadPlan:
    target_modules: list[str]
    modules_to_save: list[str]
    ensure_weight_tying: bool
    description: str


def plan_head(target_modules: list[str], tied: bool) -> HeadPlan:
    heads = [m for m in target_modules if m in HEAD_NAMES]
    rest = [m for m in target_modules if m not in HEAD_NAMES]
    if not heads:
        return HeadPlan(rest, [], False, "frozen" + (" (tied to embeddings)" if tied else ""))
    return HeadPlan(rest, heads, tied, f"{'+'.join(heads)} trained in full via modules_to_save"
                    + (", weight tying kept" if tied else ""))
