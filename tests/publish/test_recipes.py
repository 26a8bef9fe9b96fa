"""Ollama's TEMPLATE is derived by rendering the real chat template: it must lay turns out the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.chat.template import render
from harness.publish.recipes import ollama_template, recipes
from harness.records.report import load_report

REAL = load_report(Path(__file__).resolve().parents[1] / "data" / "report_release_demo.json")
CHATML = ("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
# Llama-3 style: BOS first, a header per role, a different end-of-turn token.
LLAMA3 = ("{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>\n\n"
          "{{ m.content }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
          "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}")
_LITERAL = '{{ "{{" }}'


def execute(go: str, system: str, prompt: str, response: str = "") -> str:
    """Run the subset of Go templates ollama_template writes: if/else on .System, then the turn."""
    go = go.replace(_LITERAL, "\x00")
    m = re.fullmatch(r"\{\{ if \.System \}\}(.*)\{\{ \.System \}\}(.*)\{\{ else \}\}(.*)\{\{ end \}\}"
                     r"\{\{ \.Prompt \}\}(.*)\{\{ \.Response \}\}(.*)", go, flags=re.DOTALL)
    assert m, go
    pre, mid, nosys, post, end = (g.replace("\x00", "{{") for g in m.groups())
    head = f"{pre}{system}{mid}" if system else nosys
    return f"{head}{prompt}{post}{response}{end if response else ''}"


@pytest.mark.parametrize("source", [REAL.chat_template, CHATML, LLAMA3], ids=["smollm2", "chatml", "llama3"])
def test_template_lays_out_turns_like_the_chat_template(source: str) -> None:
    go = ollama_template(source)
    assert go is not None
    for system in ("Tu es un assistant.", ""):
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": "Salut"}]
        assert execute(go, system, "Salut") == render(source, messages)
        turn = render(source, [*messages, {"role": "assistant", "content": "Bonjour !"}], add_generation_prompt=False)
        assert execute(go, system, "Salut", "Bonjour !") == turn


def test_default_system_prompt_kept() -> None:
    go = ollama_template(REAL.chat_template)
    assert "{{ else }}<|im_start|>system\nYou are a helpful AI assistant named SmolLM" in go


def test_go_delimiters_in_template_text_are_literals() -> None:
    source = "{% for m in messages %}[{{ '{{' }}{{ m.role }}}}]{{ m.content }}\n{% endfor %}"
    go = ollama_template(source)
    assert go is not None and _LITERAL in go
    assert execute(go, "", "hi") == render(source, [{"role": "user", "content": "hi"}])


@pytest.mark.parametrize("source", [
    "",
    "{{ raise_exception('no system role') if messages[0].role == 'system' }}{{ messages[0].content }}",
    "{% for m in messages %}{% if m.role != 'system' %}{{ m.content }}{% endif %}{% endfor %}",  # drops the system
    ("{% if messages[0].role == 'system' %}S:{% endif %}{{ messages[-1].content }}"  # reply header needs system
    "{% if add_generation_prompt %}{% if messages[0].role == 'system' %}A:{% else %}B:{% endif %}{% endif %}"),
    '{% for m in messages %}{{ m.content }}"""{% endfor %}',  # would close the Modelfile's TEMPLATE string
])
def test_templates_that_cannot_be_laid_out_give_none(source: str) -> None:
    assert ollama_template(source) is None


def test_recipes_pick_the_smallest_passing_gguf_first() -> None:
    r = recipes(REAL, None)
    assert r.default_file == "demo-q4_k_m.gguf" and r.ggufs[0] == r.default_file
    assert set(r.ggufs) == {"demo-f16.gguf", "demo-q8_0.gguf", "demo-q4_k_m.gguf"}
    assert r.ollama_name == "demo" and r.stop_tokens == ["<|im_end|>"] and not r.tool_calls
    assert recipes(REAL, "Acme/Demo FC").ollama_name == "demo-fc"
