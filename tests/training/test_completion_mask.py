"""Loss on the assistant turn only, on the embedded model's real tokenizer: the tokenized prompt is an
exact prefix of prompt + completion, so the completion mask covers the answer and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from harness.chat.template import supports_tools
from harness.models.inspect import read_hf_info
from harness.training.mixture import load_source, to_example


def test_completion_is_exactly_the_assistant_turn(embedded_hf_dir: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_hf_dir)
    template = read_hf_info(embedded_hf_dir).chat_template
    tools_ok = supports_tools(template)
    for name in ("fc_fr", "chat_fr"):
        for record in load_source(name).records[:20]:
            ex = to_example(name, record, template, tools_ok, tok.eos_token, tok.bos_token)
            prompt_ids = tok(ex.prompt, add_special_tokens=False)["input_ids"]
            full_ids = tok(ex.prompt + ex.completion, add_special_tokens=False)["input_ids"]
            assert full_ids[: len(prompt_ids)] == prompt_ids, record["id"]
            completion = tok.decode(full_ids[len(prompt_ids):])
            assert completion.endswith(tok.eos_token) and completion.count(tok.eos_token) == 1
            answer = record["messages"][-1]
            if answer.get("tool_calls"):  # every call, in order, as <tool_call> JSON
                calls = [json.loads(c.split("</tool_call>")[0]) for c in completion.split("<tool_call>")[1:]]
                assert [c["name"] for c in calls] == [t["function"]["name"] for t in answer["tool_calls"]]
            else:
                assert completion == answer["content"] + tok.eos_token
            assert "<|im_start|>user" not in completion  # no user text is trained on
