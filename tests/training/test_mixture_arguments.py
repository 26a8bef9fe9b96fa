"""harness/training/mixture.py load_source: string tool-call `arguments` (OpenAI wire format) are parsed to
objects when records load; one that is not a JSON object stops the profile with file and line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.training.mixture import load_source

ROOT = Path(__file__).resolve().parents[2]


def _record(i: int, arguments) -> dict:
    return {"id": f"r{i}", "tools": [{"type": "function", "function": {
                "name": "get_weather", "description": "Météo", "parameters": {"type": "object", "properties": {
                    "city": {"type": "string"}, "days": {"type": "integer"}}}}}],
            "messages": [{"role": "user", "content": "Météo à Lyon pour 2 jours ?"},
                         {"role": "assistant", "content": "", "tool_calls": [
                             {"type": "function", "function": {"name": "get_weather", "arguments": arguments}}]}]}


def _write(folder: Path, rows: list[dict], name: str = "mix") -> Path:
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_string_arguments_load_as_objects(tmp_path):
    _write(tmp_path, [_record(1, '{"city": "Lyon", "days": 2}'), _record(2, {"city": "Lyon", "days": 2})])
    src = load_source("mix", tmp_path)
    assert [r["messages"][1]["tool_calls"][0]["function"]["arguments"] for r in src.records] == \
        [{"city": "Lyon", "days": 2}] * 2


def test_string_arguments_not_an_object(tmp_path):
    path = _write(tmp_path, [_record(1, {"city": "Lyon"}), _record(2, "[1, 2]")])
    with pytest.raises(BadInput, match="must be an object") as e:
        load_source("mix", tmp_path)
    assert e.value.line == 2 and str(e.value).startswith(f"{path}:2: messages[1].tool_calls[0].arguments")


def test_profile_with_bad_string_arguments_is_one_line_exit_2(tmp_path):
    _write(tmp_path, [_record(1, "city=Lyon")])
    profile = tmp_path / "p.yaml"
    profile.write_text("name: x\nbase: {kind: hf, name: b}\ntrain:\n  mixture: {mix.jsonl: 1.0}\n")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "train", str(profile), "--out", str(tmp_path / "runs")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"mix.jsonl:1: messages[1].tool_calls[0].arguments is a string that is not JSON" in lines[0]


def test_string_arguments_record_renders_through_qwen35_and_parses_back(tmp_path):
    from qwen_fixtures import vendored_template

    from harness.chat.parse import Call, parse_tool_calls
    from harness.chat.template import render
    from harness.training.mixture import to_example

    template = vendored_template("Qwen3.5-4B.jinja")
    raw = _record(1, '{"city": "Lyon", "days": 2}')
    with pytest.raises(BadInput, match="failed to render"):  # the template iterates arguments|items
        render(template, raw["messages"], tools=raw["tools"], add_generation_prompt=False)
    _write(tmp_path, [raw])
    rec = load_source("mix", tmp_path).records[0]
    ex = to_example("mix", rec, template, True, "<|im_end|>")
    assert ex.prompt.endswith("<|im_start|>assistant\n<think>\n")
    output = "<think>\n" + ex.completion.removesuffix("<|im_end|>")  # stored as the runner stores it
    assert parse_tool_calls(output, rec["tools"]).calls == [Call("get_weather", {"city": "Lyon", "days": 2})]
