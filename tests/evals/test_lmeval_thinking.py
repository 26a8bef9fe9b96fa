"""harness-llama (the lm-eval model) under a thinking setting: chat prompts in the chosen mode, and
generations handed to lm-eval's scorers as the answer after the reasoning."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.evals.lmeval_llama import HarnessLlamaLM
from harness.runners._chat import ChatPromptMixin
from tests.qwen_fixtures import vendored_template


class Reasoner(ChatPromptMixin):
    kind, add_bos, bos_token, eos_token, path, n_ctx = "gguf", False, "", "<|im_end|>", Path("fake.gguf"), 4096

    def __init__(self) -> None:
        self.chat_template = vendored_template("Qwen3.5-4B.jinja")

    def generate(self, prompts, max_new_tokens):
        return ["Paris? Let me think.\nYes.\n</think>\n\nParis.\nQuestion: next"] * len(prompts)


def _req(*args):
    r = type("Req", (), {})()
    r.args = args
    return r


def test_thinking_on_prompt_and_answer():
    lm = HarnessLlamaLM(runner=Reasoner(), thinking="on")  # type: ignore[arg-type]
    prompt = lm.apply_chat_template([{"role": "user", "content": "Capitale ?"}])
    assert prompt.endswith("<|im_start|>assistant\n<think>\n")
    # `until` cuts the answer, not the reasoning (which holds a newline of its own).
    assert lm.generate_until([_req(prompt, {"until": ["\n"]})]) == ["Paris."]


def test_thinking_off_and_bad_values():
    lm = HarnessLlamaLM(runner=Reasoner(), thinking="off")  # type: ignore[arg-type]
    assert lm.apply_chat_template([{"role": "user", "content": "Capitale ?"}]).endswith("<think>\n\n</think>\n\n")
    with pytest.raises(ValueError, match="off or on"):
        HarnessLlamaLM(runner=Reasoner(), thinking="maybe")  # type: ignore[arg-type]
