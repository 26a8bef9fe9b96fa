"""harness/training/lm_head.py plan_head: the lm_head / embed_tokens guard."""

from __future__ import annotations

from harness.training.lm_head import plan_head

LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj"]


def test_no_head_unchanged():
    for tied in (True, False):
        plan = plan_head(list(LINEAR), tied)
        assert plan.target_modules == LINEAR
        assert plan.modules_to_save == []
        assert plan.ensure_weight_tying is False
        assert "frozen" in plan.description
    assert "tied" in plan_head(LINEAR, True).description


def test_lm_head_on_tied_model():
    plan = plan_head(LINEAR + ["lm_head"], tied=True)
    assert plan.target_modules == LINEAR
    assert "lm_head" not in plan.target_modules
    assert plan.modules_to_save == ["lm_head"]
    assert plan.ensure_weight_tying is True
    assert "tying" in plan.description


def test_lm_head_on_untied_model():
    plan = plan_head(["lm_head"] + LINEAR, tied=False)
    assert plan.target_modules == LINEAR
    assert plan.modules_to_save == ["lm_head"]
    assert plan.ensure_weight_tying is False


def test_embed_tokens_too():
    plan = plan_head(LINEAR + ["embed_tokens", "lm_head"], tied=True)
    assert plan.target_modules == LINEAR
    assert plan.modules_to_save == ["embed_tokens", "lm_head"]
    assert plan.ensure_weight_tying is True
    only_embed = plan_head(["embed_tokens", "q_proj"], tied=False)
    assert only_embed.target_modules == ["q_proj"]
    assert only_embed.modules_to_save == ["embed_tokens"]
    assert only_embed.ensure_weight_tying is False


def test_input_not_mutated():
    targets = LINEAR + ["lm_head"]
    plan_head(targets, tied=True)
    assert targets == LINEAR + ["lm_head"]
