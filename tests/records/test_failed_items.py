"""items.jsonl: written from typed items, read back tolerantly (the site's explorer reads any run folder)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from harness.errors import BadInput
from harness.records.failed_items import FailedItem, load_failed_items, write_failed_items


def test_round_trip_keeps_every_field_and_the_line_layout(tmp_path) -> None:
    items = [FailedItem(level="q4_k_m", task="fc/fr_fc", item_id="fr_1", prompt="Quel temps ?", expected="[]",
                        output="<tool_call>…")]
    path = write_failed_items(tmp_path, items)
    assert list(json.loads(path.read_text().splitlines()[0])) == ["level", "task", "item_id", "prompt",
                                                                   "expected", "output"]
    assert load_failed_items(path) == items


def test_read_is_tolerant_of_added_keys_and_values_that_are_not_text(tmp_path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({"level": "q8_0", "task": "t", "item_id": 7, "output": {"a": [1]}, "new": 1}) + "\n")
    (item,) = load_failed_items(path)
    assert item.item_id == "7" and json.loads(item.output) == {"a": [1]} and item.prompt is None


def test_write_is_strict_and_a_bad_line_names_file_and_line(tmp_path) -> None:
    with pytest.raises(ValidationError):
        FailedItem(level="a", task="t", item_id="i", output="o", surprise=1)
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps({"level": "a", "task": "t", "item_id": "i", "output": "o"}) + "\n{\"level\": 1}\n")
    with pytest.raises(BadInput) as err:
        load_failed_items(path)
    assert err.value.line == 2 and "level, task, item_id, output" in str(err.value)
    assert load_failed_items(tmp_path / "absent.jsonl") == []
