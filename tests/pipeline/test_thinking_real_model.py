"""The thinking setting on a real model run by llama.cpp: the embedded GGUF with the official Qwen3.5
template put in place of its own (SmolLM2 knows the ChatML tokens it uses). Prompts end in the open
block, generations get the reasoning budget and are stored with the opener; a rerun loads nothing."""

from __future__ import annotations

import pytest

from harness.chat.thinking import ChatSettings
from harness.evals.probe import run_probe
from harness.evals.registry import get_task
from harness.evals.run_task import run_task
from harness.evals.store import ResultStore
from tests.qwen_fixtures import vendored_template


@pytest.mark.slow
def test_thinking_on_through_a_real_gguf_runner(embedded_f16_gguf, tmp_path):
    from harness.runners import open_runner

    template = vendored_template("Qwen3.5-4B.jinja")
    chat = ChatSettings("on", max_new_tokens=8, thinking_max_new_tokens=100).for_template(template)
    runner = open_runner("gguf", embedded_f16_gguf, n_ctx=1024, template_vars=chat.variables)
    runner.chat_template = template
    task = get_task("fr/short")
    try:
        prompt = runner.chat_prompt(task.dataset()[0].messages, None)
        assert prompt.endswith("<|im_start|>assistant\n<think>\n")
        with ResultStore(tmp_path / "r.sqlite") as store:
            items = run_task(runner, task, 2, store, "sha", 8, 1024, "f16", chat)
            probe = run_probe(runner, store, "sha", chat)
            assert run_task(None, task, 2, store, "sha", 8, 1024, "f16", chat) == items  # from the store
    finally:
        runner.close()
    for item in [*items, *probe]:
        assert item.output.startswith("<think>\n"), item
    # The probe's bound is the reasoning budget, not its plain 64 tokens.
    assert all(i.scores["bound"] == 100.0 for i in probe), probe
