"""Training and eval agree, for every built-in mixture record, on the official Qwen3.5 and Qwen3 templates
and the embedded model's, in both thinking modes: the training prompt is the eval's generation prompt
(same template variables), and the trained completion, stored as an eval output would be (with the
opener its prompt left open), parses back to the record's calls."""

from __future__ import annotations

import json
from functools import cache

import pytest

from harness.chat.parse import parse_tool_calls
from harness.chat.template import render, supports_tools
from harness.chat.thinking import ChatSettings, answer_text, stored_output
from harness.chat.tools import to_template_messages
from tests.qwen_fixtures import vendored_template
from harness.training.mixture import DATA_DIR, load_source, to_example

EOS = "<|im_end|>"
SOURCES = sorted(p.stem for p in DATA_DIR.glob("*.jsonl"))


@cache
def _embedded() -> str:
    from harness.models.base import package_gguf_path
    from harness.models.inspect import read_gguf_info
    from harness.profiles import load_profile

    return read_gguf_info(package_gguf_path(load_profile("demo").base)).chat_template


def _template(name: str) -> str:
    return _embedded() if name == "embedded" else vendored_template(f"{name}.jinja")


def _calls(message: dict) -> list[tuple[str, dict]]:
    out = []
    for c in message.get("tool_calls") or []:
        args = c["function"]["arguments"]
        out.append((c["function"]["name"], json.loads(args) if isinstance(args, str) else args))
    return out


@pytest.mark.parametrize("mode", ["off", "on"])
@pytest.mark.parametrize("template_name", ["Qwen3.5-4B", "Qwen-Qwen3-0.6B", "embedded"])
def test_every_record_trains_what_the_eval_reads(template_name, mode):
    template = _template(template_name)
    variables = ChatSettings(mode).for_template(template).variables
    tools_ok = supports_tools(template)
    checked = 0
    for source in SOURCES:
        for record in load_source(source).records:
            ex = to_example(source, record, template, tools_ok, EOS, variables=variables)
            # The eval's generation prompt for the same conversation, rendered as the runners do.
            msgs, tools = to_template_messages(record["messages"][:-1], record.get("tools"), tools_ok)
            assert ex.prompt == render(template, msgs, tools=tools, eos_token=EOS, variables=variables), record["id"]
            assert ex.completion.endswith(EOS) and ex.completion.count(EOS) == 1, record["id"]
            output = stored_output(ex.prompt, ex.completion.removesuffix(EOS))
            answer = record["messages"][-1]
            parsed = parse_tool_calls(output, record.get("tools"))  # XML values typed by the tools' schemas
            assert not parsed.unfinished and parsed.json_valid == bool(answer.get("tool_calls")), record["id"]
            # JSON text compares types too: 4 is not 4.0 nor "4".
            got = json.dumps([(c.name, c.arguments) for c in parsed.calls], sort_keys=True)
            assert got == json.dumps(_calls(answer), sort_keys=True), record["id"]
            if not answer.get("tool_calls"):
                assert answer_text(output).strip() == (answer.get("content") or "").strip(), record["id"]
            checked += 1
    assert checked == sum(len(load_source(s).records) for s in SOURCES)


def test_qwen35_trained_turn_sits_after_the_prompts_reasoning_block():
    tpl = vendored_template("Qwen3.5-4B.jinja")
    rec = load_source("chat_fr").records[0]
    off = to_example("chat_fr", rec, tpl, True, EOS, variables=ChatSettings("off").for_template(tpl).variables)
    on = to_example("chat_fr", rec, tpl, True, EOS, variables=ChatSettings("on").for_template(tpl).variables)
    content = rec["messages"][-1]["content"]
    # Off: the prompt closes an empty block and the model learns the answer alone.
    assert off.prompt.endswith("<think>\n\n</think>\n\n") and off.completion == content + EOS
    # On: the prompt opens the block; the record has no reasoning, so the model learns to close it at once.
    assert on.prompt.endswith("<think>\n") and on.completion == "\n</think>\n\n" + content + EOS
