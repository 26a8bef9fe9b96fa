"""harness/chat/template.py: rendering in jinja2's immutable sandbox, errors as BadInput, tool support probe."""

from __future__ import annotations

import pytest

from harness.chat.template import render, supports_tools
from harness.errors import BadInput

CHATML = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
CHATML_TOOLS = (
    "{% if tools %}{{ '<|im_start|>system\\n# Tools\\n' }}{% for t in tools %}{{ t['function'] | tojson }}"
    "{{ '\\n' }}{% endfor %}{{ '<|im_end|>\\n' }}{% endif %}" + CHATML
)
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Météo",
                                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]


def test_chatml_render_exact():
    text = render(CHATML, MSGS)
    assert text == ("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                    "<|im_start|>assistant\n")


def test_no_generation_prompt():
    text = render(CHATML, MSGS, add_generation_prompt=False)
    assert text.endswith("<|im_start|>user\nHi<|im_end|>\n")
    assert "assistant" not in text


def test_bos_and_eos_tokens_are_passed():
    text = render("{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}", MSGS, bos_token="<s>", eos_token="</s>")
    assert text == "<s>Be brief.</s>"


def test_tools_are_passed_and_tojson_keeps_non_ascii():
    text = render(CHATML_TOOLS, MSGS, tools=[TOOL])
    assert text.startswith("<|im_start|>system\n# Tools\n")
    assert '"name": "get_weather"' in text
    assert "Météo" in text  # ensure_ascii=False, as HF's tojson
    assert render(CHATML_TOOLS, MSGS) == render(CHATML, MSGS)  # no tools: no tools block


def test_raise_exception_becomes_bad_input_naming_origin():
    src = "{% if messages[0]['role'] != 'user' %}{{ raise_exception('first turn must be user') }}{% endif %}ok"
    with pytest.raises(BadInput) as e:
        render(src, MSGS, origin="model/chat_template.jinja")
    assert e.value.where == "model/chat_template.jinja"
    assert str(e.value).startswith("model/chat_template.jinja:")
    assert "first turn must be user" in str(e.value)
    assert render(src, MSGS[1:]) == "ok"


def test_syntax_error_is_bad_input():
    with pytest.raises(BadInput, match="chat template failed to render"):
        render("{% for m in messages %}", MSGS, origin="x.gguf")


@pytest.mark.parametrize("src", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
])
def test_attribute_escapes_fail_and_do_not_leak(src):
    with pytest.raises(BadInput) as e:
        render(src, MSGS, origin="evil.jinja")
    msg = str(e.value)
    assert msg.startswith("evil.jinja:")
    assert "unsafe" in msg or "SecurityError" in msg
    # Nothing of the escaped objects ends up in the message.
    for leaked in ("<class", "__builtins__", "subclasses", "os.", "function"):
        assert leaked not in msg.split("SecurityError", 1)[0]
    assert "'object'>" not in msg and "builtins" not in msg


def test_single_unsafe_attribute_renders_as_undefined_not_the_object():
    # jinja2's sandbox turns one unsafe lookup into an Undefined (empty); it must never print the class.
    assert render("{{ messages.__class__ }}|{{ ''.__class__ }}", MSGS) == "|"


def test_immutable_sandbox_refuses_mutation():
    with pytest.raises(BadInput, match="unsafe"):
        render("{% set x = [] %}{{ x.append(1) }}", MSGS)
    with pytest.raises(BadInput):
        render("{% set d = {} %}{{ d.update({'a': 1}) }}", MSGS)


def test_messages_are_not_mutated_by_template():
    msgs = [{"role": "user", "content": "Hi"}]
    with pytest.raises(BadInput):
        render("{{ messages.append({'role': 'x'}) }}", msgs)
    assert msgs == [{"role": "user", "content": "Hi"}]


@pytest.mark.parametrize("src", ["{{ 1 // 0 }}", "{{ range(10 ** 9) | list | length }}"])
def test_any_template_fault_is_bad_input(src):
    with pytest.raises(BadInput):
        render(src, MSGS, origin="bad.jinja")


def test_supports_tools():
    assert supports_tools(CHATML_TOOLS) is True
    assert supports_tools(CHATML) is False


def test_supports_tools_false_when_template_raises():
    assert supports_tools("{{ raise_exception('no') }}") is False
