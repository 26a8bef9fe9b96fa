"""harness/files.py: the one JSONL reader every JSONL file of the harness goes through."""

from __future__ import annotations

import json

import pytest

from harness.errors import BadInput
from harness.files import read_jsonl


def test_rows_with_their_line_numbers_blank_lines_skipped(tmp_path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text('{"a": 1}\n\n  \n[2]\n', encoding="utf-8")
    assert read_jsonl(p) == [(1, {"a": 1}), (4, [2])]
    assert read_jsonl(p, b'"x"\n') == [(1, "x")]  # bytes the caller read already (to hash them)


def test_a_line_separator_inside_a_string_is_not_a_line_break(tmp_path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"t": "a\u2028b\x85c"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_jsonl(p) == [(1, {"t": "a\u2028b\x85c"})]


@pytest.mark.parametrize(("body", "line", "what"), [
    (b'{"a": 1}\n{"a": \n', 2, "invalid JSON: Expecting value"),
    (b"[" * 100_000 + b"\n", 1, "JSON nested too deeply"),
    (b'{"a": "\xff"}\n', None, "not UTF-8 text (byte 7)"),
])
def test_a_bad_file_is_one_line_naming_file_and_line(tmp_path, body, line, what) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(body)
    with pytest.raises(BadInput) as e:
        read_jsonl(p)
    assert e.value.line == line and str(e.value) == f"{p}{'' if line is None else f':{line}'}: {what}"


def test_an_unreadable_path_is_bad_input(tmp_path) -> None:
    with pytest.raises(BadInput, match="cannot read"):
        read_jsonl(tmp_path)  # a folder
