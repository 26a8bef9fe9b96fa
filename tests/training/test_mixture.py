"""harness/training/mixture.py: held-out split, weighted order, prompt/completion split."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.training.mixture import Example, Source, load_source, split_heldout, to_example, weighted_order

CHATML = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful AI assistant.<|im_end|>\\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
EOS = "<|im_end|>"


def _source(n: int, name: str = "s") -> Source:
    recs = [{"id": f"{name}{i}", "messages": [{"role": "user", "content": str(i)},
                                               {"role": "assistant", "content": "ok"}]} for i in range(n)]
    return Source(name, Path(f"/x/{name}.jsonl"), "0" * 64, recs)


def test_split_heldout_deterministic_and_disjoint():
    src = _source(100)
    train, held = split_heldout(src, 0.1, seed=3)
    train2, held2 = split_heldout(src, 0.1, seed=3)
    assert train == train2 and held == held2
    assert len(held) == 10 and len(train) == 90
    ids_t, ids_h = {r["id"] for r in train}, {r["id"] for r in held}
    assert not ids_t & ids_h
    assert ids_t | ids_h == {r["id"] for r in src.records}
    _, held3 = split_heldout(src, 0.1, seed=4)
    assert {r["id"] for r in held3} != ids_h  # the seed matters


def test_split_heldout_zero_fraction():
    train, held = split_heldout(_source(10), 0.0, seed=0)
    assert held == [] and len(train) == 10


def _examples(name: str, n: int) -> list[Example]:
    return [Example(name, f"{name}{i}", "p", "c") for i in range(n)]


def test_weighted_order_respects_weights():
    train = {"a": _examples("a", 50), "b": _examples("b", 50)}
    for seed in (0, 1, 2):
        out = weighted_order(train, {"a": 3.0, "b": 1.0}, 4000, seed=seed)
        assert len(out) == 4000
        n_a = sum(e.source == "a" for e in out)
        assert abs(n_a - 3000) <= 150  # 3:1 within 5%


def test_weighted_order_zero_weight_never_drawn():
    train = {"a": _examples("a", 5), "b": _examples("b", 5), "z": _examples("z", 5)}
    out = weighted_order(train, {"a": 1.0, "b": 1.0, "z": 0.0}, 500, seed=1)
    assert not any(e.source == "z" for e in out)
    assert {e.source for e in out} == {"a", "b"}


def test_weighted_order_no_repeats_until_exhausted():
    train = {"a": _examples("a", 7), "b": _examples("b", 3)}
    out = weighted_order(train, {"a": 1.0, "b": 1.0}, 200, seed=2)
    for name, n in (("a", 7), ("b", 3)):
        seq = [e.id for e in out if e.source == name]
        for start in range(0, len(seq) - n + 1, n):  # every full epoch is a permutation of the source
            assert sorted(seq[start:start + n]) == sorted(f"{name}{i}" for i in range(n))
        counts = Counter(seq)
        assert max(counts.values()) - min(counts.values()) <= 1


def test_weighted_order_deterministic():
    train = {"a": _examples("a", 5), "b": _examples("b", 5)}
    assert weighted_order(train, {"a": 1, "b": 2}, 50, 9) == weighted_order(train, {"a": 1, "b": 2}, 50, 9)


def _check_split(ex: Example, full: str) -> None:
    assert ex.completion.endswith(EOS)
    assert (ex.prompt + ex.completion) == full[: full.index(EOS, len(ex.prompt)) + len(EOS)]
    assert full.startswith(ex.prompt + ex.completion)


def test_to_example_split():
    from harness.chat.template import render

    rec = {"id": "r1", "messages": [{"role": "user", "content": "2+2 ?"}, {"role": "assistant", "content": "4"},
                                    {"role": "user", "content": "Et 3+3 ?"}, {"role": "assistant", "content": "6"}]}
    ex = to_example("chat_fr", rec, CHATML, supports_tools=False, eos_token=EOS)
    full = render(CHATML, rec["messages"], add_generation_prompt=False)
    _check_split(ex, full)
    assert ex.completion == "6<|im_end|>"
    assert ex.prompt.endswith("<|im_start|>user\nEt 3+3 ?<|im_end|>\n<|im_start|>assistant\n")
    assert ex.source == "chat_fr" and ex.id == "r1"
    assert "\n" not in ex.completion  # the newline after EOS is never trained on


def test_to_example_tool_call_without_template_support():
    from harness.chat.template import render
    from harness.chat.tools import to_template_messages

    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    rec = {"id": "t1", "tools": tools, "messages": [
        {"role": "user", "content": "Météo à Lyon ?"},
        {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Lyon"}}}]}]}
    ex = to_example("fc_fr", rec, CHATML, supports_tools=False, eos_token=EOS)
    msgs, _ = to_template_messages(rec["messages"], tools, False)
    _check_split(ex, render(CHATML, msgs, add_generation_prompt=False))
    assert ex.completion == '<tool_call>{"name": "get_weather", "arguments": {"city": "Lyon"}}</tool_call><|im_end|>'
    assert "get_weather" in ex.prompt and ex.prompt.startswith("<|im_start|>system\n")


def test_to_example_template_that_renders_prompt_differently():
    # A template that marks the last message: the prompt alone is not a prefix of the full render.
    tpl = "{% for m in messages %}{{ m['content'] }}{% if loop.last %}[END]{% endif %}{% endfor %}"
    rec = {"id": "x", "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    with pytest.raises(BadInput, match="differently"):
        to_example("s", rec, tpl, False, EOS)


def test_load_source_errors(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"messages": [{"role": "user", "content": "x"}]}\n')
    with pytest.raises(BadInput) as e:
        load_source("bad", tmp_path)
    assert e.value.line == 1
    with pytest.raises(BadInput, match="not found"):
        load_source("missing", tmp_path)
    (tmp_path / "ok.jsonl").write_text(json.dumps({"id": 1, "messages": [{"role": "assistant", "content": "y"}]}) + "\n")
    src = load_source("ok", tmp_path)
    assert len(src.records) == 1 and len(src.sha256) == 64
