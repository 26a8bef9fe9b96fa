"""harness/checks/template.py compare, and `harness check-template`, on HF folders and GGUF files built
from the embedded model's real tokenizer: renders, token sequences and special tokens compared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.checks.template import compare

ROOT = Path(__file__).resolve().parents[2]

LINES = [
    ("{%- if tools %}{{ '<|im_start|>system\\n# Tools\\n' }}{% for t in tools %}{{ t['function'] | tojson }}"
     "{{ '\\n' }}{% endfor %}{{ '<|im_end|>\\n' }}{% endif %}"),
    ("{%- for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + (m['content'] or '') + '<|im_end|>\\n' }}"
     "{% endfor %}"),
    "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
]
TEMPLATE = "\n".join(LINES)
NO_TOOLS_TEMPLATE = "\n".join(LINES[1:])
BOS_TEMPLATE = "{{ bos_token }}" + TEMPLATE


@pytest.fixture
def ref(hf_folder):
    return hf_folder("ref", TEMPLATE)


def test_identical_passes(ref, hf_folder):
    check = compare(ref, hf_folder("cand", TEMPLATE), label="bf16")
    assert check.passed, check.detail
    assert check.name == "chat_template:bf16"
    assert "tokenize identically" in check.detail and "'<|im_end|>'" in check.detail


def test_line_removed_fails_with_first_difference(ref, hf_folder):
    check = compare(ref, hf_folder("cand", "\n".join(LINES[:2])))  # the generation prompt line is gone
    assert not check.passed
    assert "first difference at char" in check.detail and "first differing token at position" in check.detail
    assert check.name == "chat_template:cand"


def test_eos_changed_fails_naming_eos(ref, hf_folder):
    check = compare(ref, hf_folder("cand", TEMPLATE, eos=(3,)))
    assert not check.passed
    assert "EOS ids differ" in check.detail and "2 '<|im_end|>'" in check.detail and "3 '<repo_name>'" in check.detail


def test_template_without_tools_branch_fails(ref, hf_folder):
    check = compare(ref, hf_folder("cand", NO_TOOLS_TEMPLATE))
    assert not check.passed
    assert check.detail.startswith("tools:")
    assert "(and 1 more conversations differ)" in check.detail  # the tool call and result too


def test_missing_template_fails(ref, hf_folder):
    check = compare(ref, hf_folder("cand", None))
    assert not check.passed
    assert "no chat template" in check.detail


def test_candidate_that_raises_fails(ref, hf_folder):
    cand = hf_folder("cand", "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system here') }}"
                             "{% endif %}" + TEMPLATE)
    check = compare(ref, cand)
    assert not check.passed
    assert check.detail.startswith("system: candidate fails to render") and "no system here" in check.detail


def test_candidate_with_runtime_fault_fails(ref, hf_folder):
    check = compare(ref, hf_folder("cand", "{% if messages | length > 2 %}{{ 1 // 0 }}{% endif %}" + TEMPLATE))
    assert not check.passed and "ZeroDivisionError" in check.detail


def test_dropped_bos_token_that_the_tokenizer_adds_is_not_drift(hf_folder):
    ref = hf_folder("ref", BOS_TEMPLATE, add_bos=True)
    check = compare(ref, hf_folder("cand", TEMPLATE, add_bos=True))
    assert check.passed, check.detail
    assert "add_bos True" in check.detail


def test_dropped_bos_token_the_tokenizer_does_not_add_is_drift(hf_folder):
    # The reference template writes BOS itself; the candidate neither writes nor adds it.
    check = compare(hf_folder("ref", BOS_TEMPLATE, add_bos=True), hf_folder("cand", TEMPLATE))
    assert not check.passed
    assert "first differing token at position 0" in check.detail
    assert "add_bos differs" in check.detail and "BOS token differs" in check.detail


def test_tokenizer_adds_bos_on_top_of_the_template_is_drift(hf_folder):
    # The template writes BOS and the tokenizer adds one: llama.cpp strips the template's, so the
    # model sees one BOS where the reference had none.
    check = compare(hf_folder("ref", TEMPLATE), hf_folder("cand", BOS_TEMPLATE, add_bos=True))
    assert not check.passed and "position 0" in check.detail


def _cli(*args: Path):
    return subprocess.run([sys.executable, "-m", "harness.cli", "check-template", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_cli_exit_codes(ref, hf_folder):
    same = hf_folder("same", TEMPLATE)
    drift = hf_folder("drift", NO_TOOLS_TEMPLATE)
    bad = _cli(ref, same, drift)
    assert bad.returncode == 1, bad.stderr
    assert f"PASS {same}" in bad.stdout and f"FAIL {drift}: tools:" in bad.stdout
    assert "Traceback" not in bad.stderr


def test_cli_bad_path_is_usage_error(ref, tmp_path):
    proc = _cli(ref, tmp_path / "missing")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_gguf_candidates_against_hf_reference(hf_folder, gguf_file):
    ref = hf_folder("ref", TEMPLATE)
    ok = compare(ref, gguf_file("ok.gguf", values={"tokenizer.chat_template": TEMPLATE}), label="q8_0")
    assert ok.passed, ok.detail
    lost_tools = compare(ref, gguf_file("nt.gguf", values={"tokenizer.chat_template": NO_TOOLS_TEMPLATE}))
    assert not lost_tools.passed and lost_tools.detail.startswith("tools:")
    wrong_eos = compare(ref, gguf_file("eos.gguf", values={"tokenizer.chat_template": TEMPLATE,
                                                          "tokenizer.ggml.eos_token_id": 9}))
    assert not wrong_eos.passed
    assert "EOS token differs: 2 '<|im_end|>' vs 9 '<issue_comment>'" in wrong_eos.detail


def test_gguf_that_adds_bos_its_template_dropped_is_not_drift(hf_folder, gguf_file):
    ref = hf_folder("ref", BOS_TEMPLATE, add_bos=True)
    cand = gguf_file("bos.gguf", values={"tokenizer.chat_template": TEMPLATE, "tokenizer.ggml.add_bos_token": True,
                                         "tokenizer.ggml.bos_token_id": 0})
    check = compare(ref, cand)
    assert check.passed, check.detail
    no_bos = compare(ref, gguf_file("nobos.gguf", values={"tokenizer.chat_template": TEMPLATE,
                                                          "tokenizer.ggml.bos_token_id": 0}))
    assert not no_bos.passed and "add_bos differs" in no_bos.detail


def test_gguf_tokenizer_change_is_token_drift(embedded_hf_dir, gguf_file):
    # Same template, same special tokens, but the pre-tokenizer llama.cpp falls back to when a converter
    # does not know the model's: identical text, different token sequences.
    check = compare(embedded_hf_dir, gguf_file("pre.gguf", values={"tokenizer.ggml.pre": "default"}))
    assert not check.passed, check.detail
    assert "same text, different tokens" in check.detail and "first differing token at position" in check.detail


def test_gguf_without_tokenizer_is_bad_input(embedded_hf_dir, gguf_file):
    from harness.errors import BadInput

    cand = gguf_file("notok.gguf", drop=("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"))
    with pytest.raises(BadInput, match="tokenizer"):
        compare(embedded_hf_dir, cand)
