"""Hostile chat templates: attribute escapes, endless loops and output bombs fail fast and clearly."""

from __future__ import annotations

import time

import pytest

from harness.chat.template import render
from harness.errors import BadInput

MSGS = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ messages.__class__.__base__.__subclasses__() }}",
    "{% set x = [] %}{{ x.append(1) }}",  # immutable sandbox: no mutation of what it is given
    "{{ messages[0].update({'role': 'system'}) }}",
])
def test_escapes_are_refused(source):
    with pytest.raises(BadInput, match=r"t\.jinja: chat template failed to render: SecurityError"):
        render(source, MSGS, origin="t.jinja")
    assert MSGS == [{"role": "user", "content": "hi"}]


def test_endless_loop_stops_within_the_deadline():
    source = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}done"
    started = time.monotonic()
    with pytest.raises(BadInput, match="rendering took over"):
        render(source, MSGS, origin="t.jinja")
    assert time.monotonic() - started < 30  # bounded (the limit is 2 s; loose for a loaded machine)


def test_output_bomb_stops_at_the_size_cap():
    source = "{% for i in range(100000) %}{% for j in range(100000) %}" + "x" * 100 + "{% endfor %}{% endfor %}"
    with pytest.raises(BadInput, match="output exceeds"):
        render(source, MSGS, origin="t.jinja")


def test_deep_recursion_is_a_clear_error():
    with pytest.raises(BadInput, match="RecursionError"):
        render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", MSGS, origin="t.jinja")


def test_tracer_is_restored_and_normal_templates_render():
    import sys

    def mine(frame, event, arg):
        return None

    sys.settrace(mine)
    try:
        out = render("{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}", MSGS)
        assert sys.gettrace() is mine
    finally:
        sys.settrace(None)
    assert out == "[user]hi"
