"""harness/chat/thinking.py: the thinking setting resolved per template, on the official Qwen templates."""

from __future__ import annotations

import pytest

from harness.chat.template import render
from harness.chat.thinking import ChatSettings, answer_text, open_block, stored_output, template_reads
from tests.qwen_fixtures import vendored_template

CHATML = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
          "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
USER = [{"role": "user", "content": "Bonjour"}]


def _prompt(template: str, chat) -> str:
    return render(template, USER, variables=chat.variables)


def test_qwen35_off_closes_the_block_on_opens_it():
    tpl = vendored_template("Qwen3.5-4B.jinja")
    assert "enable_thinking" in template_reads(tpl)
    off = ChatSettings("off", max_new_tokens=100).for_template(tpl)
    on = ChatSettings("on", max_new_tokens=100).for_template(tpl)
    assert off.variables == {"enable_thinking": False} and not off.thinks and off.budget(100) == 100
    assert _prompt(tpl, off).endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert _prompt(tpl, on).endswith("<|im_start|>assistant\n<think>\n")
    assert on.thinks and on.budget(100) == 400 and on.budget(48) == 400  # reasoning needs room of its own
    assert on.key() == {"template_vars": {"enable_thinking": True}} != off.key()


def test_qwen3_on_lets_the_model_open_the_block():
    tpl = vendored_template("Qwen-Qwen3-0.6B.jinja")
    on = ChatSettings("on", thinking_max_new_tokens=1000).for_template(tpl)
    assert _prompt(tpl, on).endswith("<|im_start|>assistant\n") and open_block(_prompt(tpl, on)) == ""
    assert on.thinks and on.budget(160) == 1000
    assert _prompt(tpl, ChatSettings("off").for_template(tpl)).endswith("<think>\n\n</think>\n\n")


def test_a_template_without_the_switch_is_untouched():
    # The embedded SmolLM2 template: no variables, no key change (stored demo outputs stay valid), no budget.
    for mode in ("off", "on"):
        chat = ChatSettings(mode, (("custom", 1),)).for_template(CHATML)
        assert chat.variables == {} and chat.key() == {} and not chat.thinks and chat.budget(80) == 80


def test_a_template_that_always_thinks_counts_as_thinking():
    tpl = CHATML.replace("assistant\\n' }}", "assistant\\n<think>\\n' }}")  # no switch, always opens
    assert render(tpl, USER).endswith("<think>\n")
    chat = ChatSettings("off").for_template(tpl)
    assert "enable_thinking" not in template_reads(tpl) and chat.thinks and chat.budget(10) == 640


def test_qwq_as_llama_cpp_ships_it_closes_the_block_when_off():
    tpl = vendored_template("Qwen-QwQ-32B.jinja")
    off, on = ChatSettings("off").for_template(tpl), ChatSettings("on").for_template(tpl)
    assert _prompt(tpl, off).endswith("<think>\n</think>") and not off.thinks
    assert open_block(_prompt(tpl, on)) == "<think>\n" and on.thinks


def test_template_kwargs_reach_the_template_when_it_reads_them():
    tpl = "{{ messages[0]['content'] }}|{{ persona | default('none') }}|{{ enable_thinking is defined }}"
    chat = ChatSettings("off", (("persona", "pirate"), ("unused", 3))).for_template(tpl)
    assert chat.variables == {"persona": "pirate", "enable_thinking": False}
    assert render(tpl, USER, variables=chat.variables) == "Bonjour|pirate|True"


def test_unparseable_template_reads_nothing():
    assert template_reads("{% for %}") == frozenset()


@pytest.mark.parametrize("prompt, generated, stored", [
    ("<|im_start|>assistant\n<think>\n", "plan\n</think>\n\nhi", "<think>\nplan\n</think>\n\nhi"),
    ("<|im_start|>assistant\n<think>\n\n</think>\n\n", "hi", "hi"),  # closed: nothing to add
    ("<|im_start|>assistant\n", "hi", "hi"),
])
def test_stored_output_carries_the_open_opener(prompt, generated, stored):
    assert stored_output(prompt, generated) == stored


def test_answer_text():
    assert answer_text("<think>\na </think> b\n</think>\n\nParis") == "Paris"  # after the last close
    assert answer_text("<think>\nstill thinking") == ""  # unfinished: no answer
    assert answer_text("Paris") == "Paris"
