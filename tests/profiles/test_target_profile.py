"""The gate's target-rule settings in a profile: defaults, overrides, and what is refused at load."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from harness.profiles import load_profile

MINIMAL = "name: x\nbase:\n  kind: hf\n  name: b\n  path: /models/b\n"


def _load(tmp_path, text: str):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL + text, encoding="utf-8")
    return load_profile(str(path)), path


def test_demo_trains_for_function_calling_only() -> None:
    # Its fine-tune beats the base on calls with relevance held; French does not move (issue 15).
    gate = load_profile("demo").gate
    assert gate.trained_for == ["fc"] and gate.target_hold("fc") == ["fc/relevance_acc"]


@pytest.mark.parametrize("name", ["4b", "9b"])
def test_builtin_profiles_train_for_fc_and_fr(name: str) -> None:
    gate = load_profile(name).gate
    assert gate.trained_for == ["fc", "fr"] and gate.target_margin == 0.0
    assert [gate.target_metric(s) for s in gate.trained_for] == ["fc/call_acc", "fr/mc_acc"]
    assert gate.target_hold("fc") == ["fc/relevance_acc"] and gate.target_hold("fr") == []


def test_overrides_replace_only_their_suite(tmp_path) -> None:
    p, _ = _load(tmp_path, "gate:\n  trained_for: [fr, general]\n  target_margin: 0.05\n"
                           "  target_metrics: {fr: fr/lang_fr}\n  target_holds: {fc: []}\n")
    gate = p.gate
    assert gate.trained_for == ["fr", "general"] and gate.target_margin == 0.05
    assert (gate.target_metric("fr"), gate.target_metric("general"), gate.target_metric("fc")) == \
        ("fr/lang_fr", "general/acc", "fc/call_acc")
    assert gate.target_hold("fc") == []


def test_empty_list_turns_it_off(tmp_path) -> None:
    p, _ = _load(tmp_path, "eval:\n  suites: [general]\ngate:\n  trained_for: []\n")
    assert p.gate.trained_for == []


@pytest.mark.parametrize("text, where, what", [
    # The default (fc, fr) on a profile that scores only fc: refused, with the way out.
    ("eval:\n  suites: [fc]\n", None, "gate.trained_for.1: suite 'fr' is not evaluated by this profile "
                                      "(its suites: fc), so the target rule could never pass; list the suites the "
                                      "fine-tune is trained for (default: fc, fr), or [] to turn the rule off"),
    ("gate:\n  trained_for: [fc, code]\n", 7, "gate.trained_for.1: suite 'code' is not evaluated"),
    ("gate:\n  trained_for: [fc, fc]\n", 7, "gate.trained_for: Value error, a suite is listed twice"),
    ("gate:\n  target_metrics: {fr: fc/call_acc}\n", 7, "gate.target_metrics: Value error, fr: 'fc/call_acc' must be "
                                                         "a metric name of suite fr"),
    ("gate:\n  target_holds: {fc: ['fc/*']}\n", 7, "gate.target_holds: Value error, fc: 'fc/*' must be a metric name"),
    ("gate:\n  target_metrics: {fc: fc/parse_fail}\n", 7, "gate.target_metrics.fc: fc/parse_fail is lower-is-better"),
    ("gate:\n  target_holds: {fc: [fc/no_call]}\n", 7, "gate.target_holds.fc: fc/no_call is lower-is-better"),
    ("gate:\n  target_margin: -0.1\n", 7, "gate.target_margin: Input should be greater than or equal to 0"),
])
def test_refused_at_load_naming_file_and_line(tmp_path, text: str, where: int | None, what: str) -> None:
    with pytest.raises(BadInput) as e:
        _load(tmp_path, text)
    assert e.value.what.startswith(what), e.value.what
    assert str(e.value.where).endswith("p.yaml") and e.value.line == where
