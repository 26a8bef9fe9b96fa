"""harness/checks/template.py compare, and `harness check-template`, on hand-made HF folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.checks.template import compare

ROOT = Path(__file__).resolve().parents[2]

LINES = [
    "{%- if tools %}{{ '<|im_start|>system\\n# Tools\\n' }}{% for t in tools %}{{ t['function'] | tojson }}"
    "{{ '\\n' }}{% endfor %}{{ '<|im_end|>\\n' }}{% endif %}",
    "{%- for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}",
    "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
]
TEMPLATE = "\n".join(LINES)
NO_TOOLS_TEMPLATE = "\n".join(LINES[1:])


def _hf(path: Path, template: str | None = TEMPLATE, eos=(2,)) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"], "eos_token_id": eos[0]}))
    (path / "tokenizer.json").write_text("{}")
    (path / "generation_config.json").write_text(json.dumps({"eos_token_id": list(eos)}))
    if template is not None:
        (path / "chat_template.jinja").write_text(template)
    return path


@pytest.fixture
def ref(tmp_path):
    return _hf(tmp_path / "ref")


def test_identical_passes(ref, tmp_path):
    check = compare(ref, _hf(tmp_path / "cand"), label="bf16")
    assert check.passed
    assert check.name == "chat_template:bf16"


def test_line_removed_fails_with_first_difference(ref, tmp_path):
    cand = _hf(tmp_path / "cand", template="\n".join(LINES[:2]))  # the generation prompt line is gone
    check = compare(ref, cand)
    assert not check.passed
    assert "first difference" in check.detail
    assert check.name == "chat_template:cand"


def test_eos_changed_fails_naming_eos(ref, tmp_path):
    check = compare(ref, _hf(tmp_path / "cand", eos=(3,)))
    assert not check.passed
    assert "EOS" in check.detail and "[2]" in check.detail and "[3]" in check.detail


def test_template_without_tools_branch_fails(ref, tmp_path):
    check = compare(ref, _hf(tmp_path / "cand", template=NO_TOOLS_TEMPLATE))
    assert not check.passed
    assert check.detail.startswith("tools:")


def test_missing_template_fails(ref, tmp_path):
    check = compare(ref, _hf(tmp_path / "cand", template=None))
    assert not check.passed
    assert "no chat template" in check.detail


def test_candidate_that_raises_fails(ref, tmp_path):
    cand = _hf(tmp_path / "cand", template="{% if tools %}{{ raise_exception('no tools here') }}{% endif %}" + TEMPLATE)
    check = compare(ref, cand)
    assert not check.passed
    assert "fails to render" in check.detail and "no tools here" in check.detail


def test_candidate_with_runtime_fault_fails(ref, tmp_path):
    cand = _hf(tmp_path / "cand", template="{% if tools %}{{ 1 // 0 }}{% endif %}" + TEMPLATE)
    assert not compare(ref, cand).passed


def _cli(*args: Path):
    return subprocess.run([sys.executable, "-m", "harness.cli", "check-template", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_exit_codes(ref, tmp_path):
    same = _hf(tmp_path / "same")
    drift = _hf(tmp_path / "drift", template=NO_TOOLS_TEMPLATE)
    ok = _cli(ref, same)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("PASS")
    bad = _cli(ref, same, drift)
    assert bad.returncode == 1, bad.stderr
    assert "PASS" in bad.stdout and f"FAIL {drift}" in bad.stdout
    assert "Traceback" not in bad.stderr


def test_cli_bad_path_is_usage_error(ref, tmp_path):
    proc = _cli(ref, tmp_path / "missing")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def _gguf(path: Path, template: str, eos: int) -> Path:
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_chat_template(template)
    w.add_eos_token_id(eos)
    w.add_tensor("output.weight", np.zeros((4, 32), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def test_gguf_candidate_against_hf_reference(ref, tmp_path):
    assert compare(ref, _gguf(tmp_path / "ok.gguf", TEMPLATE, 2), label="q8_0").passed
    lost_tools = compare(ref, _gguf(tmp_path / "nt.gguf", NO_TOOLS_TEMPLATE, 2))
    assert not lost_tools.passed and lost_tools.detail.startswith("tools:")
    wrong_eos = compare(ref, _gguf(tmp_path / "eos.gguf", TEMPLATE, 9))
    assert not wrong_eos.passed and "EOS" in wrong_eos.detail
