"""`harness check-template` on the embedded model's real artifacts and on damaged copies of them:
exit 0 when nothing drifted, 1 with the difference on drift, 2 with one line on a damaged file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", "check-template", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def _merged_copy(src: Path, dst: Path) -> Path:
    """The HF folder with its weights linked, not copied: the check reads no weights."""
    dst.mkdir()
    for f in src.iterdir():
        if f.suffix == ".safetensors":
            (dst / f.name).symlink_to(f)
        else:
            shutil.copy(f, dst / f.name)
    return dst


def test_real_artifacts_pass(embedded_hf_dir, embedded_f16_gguf, tmp_path):
    merged = _merged_copy(embedded_hf_dir, tmp_path / "merged")
    proc = _cli(embedded_hf_dir, merged, embedded_f16_gguf)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"PASS {merged}:") and lines[1].startswith(f"PASS {embedded_f16_gguf}:")
    assert "tokenize identically" in lines[1] and "EOS 2 '<|im_end|>'" in lines[1]
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_merged_template_that_lost_a_line_fails(embedded_hf_dir, tmp_path):
    merged = _merged_copy(embedded_hf_dir, tmp_path / "merged")
    lines = (merged / "chat_template.jinja").read_text().splitlines(keepends=True)
    assert lines[1].startswith("You are a helpful AI assistant")  # the default system prompt
    (merged / "chat_template.jinja").write_text("".join(lines[:1] + lines[2:]))
    proc = _cli(embedded_hf_dir, merged)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"FAIL {merged}: user-only: first difference at char")
    assert "You are a helpful AI" in proc.stdout and "first differing token at position" in proc.stdout


def test_changed_eos_in_generation_config_fails(embedded_hf_dir, tmp_path):
    merged = _merged_copy(embedded_hf_dir, tmp_path / "merged")
    gen = json.loads((merged / "generation_config.json").read_text())
    gen["eos_token_id"] = 0
    (merged / "generation_config.json").write_text(json.dumps(gen))
    proc = _cli(embedded_hf_dir, merged)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "generation config EOS ids differ: [2 '<|im_end|>'] vs [0 '<|endoftext|>']" in proc.stdout
    assert "stop tokens differ" in proc.stdout


def test_gguf_without_chat_template_fails(embedded_hf_dir, gguf_file):
    cand = gguf_file("no-template.gguf", drop=("tokenizer.chat_template",), all_tensors=True)
    proc = _cli(embedded_hf_dir, cand)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.strip() == f"FAIL {cand}: {cand}: no chat template"


def test_template_whose_tool_branch_was_removed_fails(hf_folder):
    tools = ("{%- if tools %}{{ '<|im_start|>system\\n# Tools\\n' }}{% for t in tools %}{{ t['function'] | tojson }}"
             "{{ '\\n' }}{% endfor %}{{ '<|im_end|>\\n' }}{% endif %}\n")
    turns = ("{%- for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + (m['content'] or '') + '<|im_end|>\\n' }}"
             "{% endfor %}{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
    ref, cand = hf_folder("ref", tools + turns), hf_folder("cand", turns)
    proc = _cli(ref, cand)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"FAIL {cand}: tools: first difference at char")


@pytest.mark.parametrize("cut", ["in-tensors", "in-vocabulary", "magic"])
def test_damaged_gguf_is_exit_2(embedded_hf_dir, embedded_f16_gguf, tmp_path, cut):
    data = embedded_f16_gguf.read_bytes()
    bad = tmp_path / "bad.gguf"
    bad.write_bytes({"in-tensors": data[: len(data) // 2], "in-vocabulary": data[:600_000],
                     "magic": b"GGML" + data[4:4096]}[cut])
    for args in ((embedded_hf_dir, bad), (bad, embedded_hf_dir)):
        proc = _cli(*args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
        [line] = proc.stderr.strip().splitlines()
        assert line.startswith(f"harness: error: {bad}:")
        if cut == "magic":
            assert "wrong magic" in line
        else:  # the header walk names what overruns the file
            assert "GGUF" in line and "truncated or corrupt" in line and "file" in line
