"""Loading function-calling items (fr_fc, `harness eval --items`): string `arguments` in the
conversation become objects; malformed items are one line naming the file and line, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.evals.fc import fr_fc_samples

ROOT = Path(__file__).resolve().parents[2]
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Météo",
                                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


def _item(i: int, arguments) -> dict:
    return {"id": f"x-{i}", "category": "simple", "tools": [TOOL], "answer": [{"name": "get_weather", "arguments": {"city": ["Nice"]}}],
            "messages": [{"role": "user", "content": "Météo à Lyon ?"},
                         {"role": "assistant", "content": None, "tool_calls": [
                             {"type": "function", "function": {"name": "get_weather", "arguments": arguments}}]},
                         {"role": "tool", "content": "21 °C"},
                         {"role": "user", "content": "Et à Nice ?"}]}


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_string_arguments_are_parsed_on_load(tmp_path):
    samples = fr_fc_samples(_write(tmp_path, [_item(1, '{"city": "Lyon"}'), _item(2, {"city": "Lyon"})]))
    for s in samples:
        assert s.messages[1]["tool_calls"][0]["function"]["arguments"] == {"city": "Lyon"}


@pytest.mark.parametrize(("arguments", "why"), [("city: Lyon", "not JSON"), ("[1]", "must be an object")])
def test_string_arguments_that_are_not_an_object_name_file_and_line(tmp_path, arguments, why):
    path = _write(tmp_path, [_item(1, {"city": "Lyon"}), _item(2, arguments)])
    with pytest.raises(BadInput, match=why) as e:
        fr_fc_samples(path)
    assert e.value.line == 2 and str(e.value).startswith(f"{path}:2: item x-2: messages[1].tool_calls[0].arguments")


@pytest.mark.parametrize(("change", "why"), [
    (lambda r: r.pop("tools"), "lacks the field 'tools'"),
    (lambda r: r.update(messages=[]), "'messages' must be"),
    (lambda r: r.update(tools=[{"function": {"name": "f"}}]), "'parameters' schema"),
    (lambda r: r.update(answer=[{"name": "f", "arguments": '{"a": ["x"]}'}]), "'answer' must be"),
    (lambda r: r.update(answer={"name": "f"}), "'answer' must be"),
])
def test_malformed_items(tmp_path, change, why):
    row = _item(1, {"city": "Lyon"})
    change(row)
    with pytest.raises(BadInput, match=why) as e:
        fr_fc_samples(_write(tmp_path, [row]))
    assert e.value.line == 1


def test_builtin_french_set_still_loads():
    samples = fr_fc_samples()
    assert len(samples) == 60 and all(isinstance(s.tools, list) for s in samples)


def test_cli_items_with_bad_string_arguments_is_one_line_exit_2(tmp_path):
    path = _write(tmp_path, [_item(1, "{'city': 'Lyon'}")])  # a Python repr is not JSON
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "eval", str(ROOT / "tests/data/bad_inputs/wrong_magic.gguf"),
                           "--task", "fc/fr_fc", "--items", str(path), "--out", str(tmp_path / "runs")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"harness: error: {path}:1: item x-1: "), lines
    assert "arguments is a string that is not JSON" in lines[0]
