"""Serving flags from the template family and the release's thinking mode (Qwen3.5 XML calls, Qwen3 and
Qwen2.5 JSON calls, the embedded model), in the recipes and in the rendered card."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.chat.template import render
from harness.publish.card import render_card
from harness.publish.recipes import ollama_template, recipes, tool_call_format
from harness.records.report import Thinking, load_report
from tests.publish.test_recipes import execute
from tests.qwen_fixtures import vendored_template

REAL = load_report(Path(__file__).resolve().parents[1] / "data" / "report_release_demo.json")
OFF = '{"enable_thinking": false}'


def _report(template: str, mode: str | None, reads: bool = True, reasoning: bool = False):
    thinking = None if mode is None else Thinking(mode=mode, in_template=reads, reasoning=reasoning, max_new_tokens=512)
    return REAL.model_copy(update={"chat_template": template, "thinking": thinking})


def test_formats_by_family():
    assert tool_call_format(vendored_template("Qwen3.5-4B.jinja")) == "xml"
    assert tool_call_format(vendored_template("Qwen-Qwen3-0.6B.jinja")) == "json"
    assert tool_call_format(vendored_template("Qwen-Qwen2.5-7B-Instruct.jinja")) == "json"
    assert tool_call_format(REAL.chat_template) is None  # SmolLM2: no tools in the template


def test_qwen35_off():
    rep = _report(vendored_template("Qwen3.5-4B.jinja"), "off")
    r = recipes(rep, "acme/fc-4b")
    assert r.vllm_args == ["--enable-auto-tool-choice", "--tool-call-parser", "qwen3_coder",
                           "--reasoning-parser", "qwen3", "--default-chat-template-kwargs", OFF]
    assert r.llama_server_args == ["--jinja", "--chat-template-kwargs", OFF]
    text = render_card(rep, "acme/fc-4b")
    assert ("vllm serve acme/fc-4b --enable-auto-tool-choice --tool-call-parser qwen3_coder --reasoning-parser qwen3 "
            f"--default-chat-template-kwargs '{OFF}'") in text
    assert f"llama-server -m demo-q4_k_m.gguf --jinja --chat-template-kwargs '{OFF}'" in text
    assert "apply_chat_template(messages, add_generation_prompt=True, enable_thinking=False, return_tensors" in text
    assert "Thinking mode: **off**" in text.split("## Scores")[0]
    # Ollama's TEMPLATE is the thinking-off prompt: the reply follows the closed, empty block.
    assert "<|im_start|>assistant\n<think>\n\n</think>\n\n{{ .Response }}" in r.ollama_template


def test_qwen35_ollama_template_lays_out_thinking_off_turns():
    tpl = vendored_template("Qwen3.5-4B.jinja")
    go = ollama_template(tpl, {"enable_thinking": False})
    msgs = [{"role": "system", "content": "Sois bref."}, {"role": "user", "content": "Salut"}]
    assert execute(go, "Sois bref.", "Salut") == render(tpl, msgs, variables={"enable_thinking": False})


@pytest.mark.parametrize("mode, reasoning, args", [
    ("on", True, ["--enable-auto-tool-choice", "--tool-call-parser", "hermes", "--reasoning-parser", "qwen3",
                  "--default-chat-template-kwargs", '{"enable_thinking": true}']),
    ("off", False, ["--enable-auto-tool-choice", "--tool-call-parser", "hermes", "--default-chat-template-kwargs", OFF]),
])
def test_qwen3_json_calls(mode, reasoning, args):
    rep = _report(vendored_template("Qwen-Qwen3-0.6B.jinja"), mode, reasoning=reasoning)
    assert recipes(rep, None).vllm_args == args
    if reasoning:
        assert "scores read the answer after `</think>`, with up to 512" in render_card(rep).lower()


def test_qwen25_has_no_switch_and_no_reasoning():
    r = recipes(_report(vendored_template("Qwen-Qwen2.5-7B-Instruct.jinja"), "off", reads=False), None)
    assert r.vllm_args == ["--enable-auto-tool-choice", "--tool-call-parser", "hermes"]
    assert r.llama_server_args == ["--jinja"] and r.template_kwargs == {}


def test_embedded_model_and_older_reports():
    text = render_card(_report(REAL.chat_template, "off", reads=False))
    assert "no `enable_thinking` switch, so the setting changed nothing" in text
    assert "--chat-template-kwargs" not in text and "enable_thinking=False" not in text
    old = render_card(_report(REAL.chat_template, None))
    assert "Thinking mode" not in old and "llama-server -m demo-q4_k_m.gguf --jinja\n" in old


def test_site_release_page_states_the_mode():
    from harness.publish.pages import Run, release_page

    page = release_page(Run(_report(vendored_template("Qwen3.5-4B.jinja"), "on", reasoning=True), "demo"))
    head = page.split("## Plots")[0]
    assert "Thinking mode: **on**" in head and "up to 512 new tokens" in head
    assert "Thinking mode" not in release_page(Run(_report(REAL.chat_template, None), "demo"))
