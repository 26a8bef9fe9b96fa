"""eval.thinking / thinking_max_new_tokens / template_kwargs in a profile: parsing and errors with lines."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from harness.profiles import load_profile

MINIMAL = "name: x\nbase:\n  kind: hf\n  name: b\n  path: /models/b\n"


def _load(tmp_path, eval_block: str):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL + "eval:\n" + eval_block)
    return load_profile(str(path))


def test_default_is_off_everywhere():
    for name in ("demo", "4b", "9b"):
        spec = load_profile(name).eval
        assert spec.thinking == "off" and spec.template_kwargs == {} and spec.thinking_max_new_tokens is None


@pytest.mark.parametrize("text, mode", [("on", "on"), ("off", "off"), ('"on"', "on"), ("'off'", "off")])
def test_bare_yaml_on_off_are_modes_not_booleans(tmp_path, text, mode):
    assert _load(tmp_path, f"  thinking: {text}\n").eval.thinking == mode


def test_budget_and_kwargs(tmp_path):
    spec = _load(tmp_path, "  thinking: on\n  thinking_max_new_tokens: 2048\n  template_kwargs: {preserve_thinking: true}\n").eval
    assert spec.thinking_max_new_tokens == 2048 and spec.template_kwargs == {"preserve_thinking": True}


@pytest.mark.parametrize("block, line, words", [
    ("  thinking: maybe\n", 7, "thinking"),
    ("  template_kwargs:\n    enable_thinking: false\n", 7, "eval.thinking"),
    ("  template_kwargs:\n    messages: x\n", 7, "reserved"),
    ("  thinking_max_new_tokens: 0\n", 7, "thinking_max_new_tokens"),
])
def test_bad_settings_name_file_and_line(tmp_path, block, line, words):
    with pytest.raises(BadInput) as e:
        _load(tmp_path, block)
    assert e.value.line == line and words in str(e.value) and str(tmp_path / "p.yaml") in str(e.value)
