"""LoRA targets by architecture: `auto` adapts Qwen3.5's Gated DeltaNet projections as well as its
attention and MLP, never the vision tower or the MTP block; a Llama-style model keeps the classic
seven; a name the model lacks is a clear profile error. Tiny random-init models on CPU."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from tests.training.conftest import llama_text, qwen35_multimodal, qwen35_text
from harness.training.targets import ATTENTION, LINEAR_ATTENTION, MLP, adapted_modules, resolve_targets

# The tiny Qwen3.5: layers 0-2 linear attention, layer 3 full attention, an MLP in each.
QWEN35_COUNTS = {**{n: 3 for n in LINEAR_ATTENTION}, **{n: 1 for n in ATTENTION}, **{n: 4 for n in MLP}}


def _adapt(model, plan):
    from peft import LoraConfig, get_peft_model

    cfg = LoraConfig(r=4, lora_alpha=4, target_modules=plan.names, exclude_modules=plan.exclude)
    return get_peft_model(model, cfg)


def test_qwen35_auto_adds_the_linear_attention_projections() -> None:
    plan = resolve_targets(qwen35_text(), "auto")
    assert set(plan.names) == set(LINEAR_ATTENTION) | set(ATTENTION) | set(MLP)
    assert plan.exclude is None  # nothing outside the decoder shares a name
    assert dict(adapted_modules(_adapt(qwen35_text(), plan))) == QWEN35_COUNTS


def test_vision_tower_and_mtp_are_never_adapted() -> None:
    model = qwen35_multimodal()
    plan = resolve_targets(model, "auto")
    # The MTP block's q_proj/gate_proj/... share the decoder's names: PEFT must be told to skip them.
    assert plan.exclude is not None
    peft_model = _adapt(model, plan)
    adapted = [n for n, m in peft_model.named_modules() if hasattr(m, "lora_A")]
    assert adapted and not [n for n in adapted if ".mtp." in n or ".visual." in n]
    assert dict(adapted_modules(peft_model)) == QWEN35_COUNTS
    # The vision tower's own linear layers (qkv, proj, linear_fc1/2) are not even candidates.
    assert not {"qkv", "proj", "linear_fc1", "linear_fc2", "fc"} & set(plan.names)


def test_llama_auto_is_the_classic_seven() -> None:
    plan = resolve_targets(llama_text(), "auto")
    assert sorted(plan.names) == sorted(ATTENTION + MLP)


def test_named_targets_are_checked_against_the_model() -> None:
    plan = resolve_targets(qwen35_text(), ["q_proj", "in_proj_qkv", "lm_head"])
    assert plan.names == ["q_proj", "in_proj_qkv", "lm_head"]  # the head goes on to harness/training/lm_head.py
    with pytest.raises(BadInput, match=r"target_modules: qkv_proj not in Qwen3_5ForCausalLM .*in_proj_qkv"):
        resolve_targets(qwen35_text(), ["q_proj", "qkv_proj"])


def test_stray_adapter_is_refused() -> None:
    """Without the exclusion the MTP block's q_proj would get an adapter: caught before training."""
    from harness.errors import StageError
    from harness.training.targets import TargetPlan

    peft_model = _adapt(qwen35_multimodal(), TargetPlan(["q_proj"], None, "no exclusion"))
    with pytest.raises(StageError, match="outside the text decoder: .*mtp"):
        adapted_modules(peft_model)
