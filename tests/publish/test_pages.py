"""harness/publish/pages.py pieces on canned records."""

from __future__ import annotations

from harness.publish.pages import _items
from harness.records.report import Suite


def test_items_column_names_the_levels_that_scored_fewer() -> None:
    s = Suite(name="general/hellaswag", version="v", n_items=10042, fewer_items={"q8_0": 600, "q4_k_m": 600, "x": 7})
    assert _items(s) == "10042 (7 on x) (600 on q8_0, q4_k_m)"
    assert _items(Suite(name="fc/bfcl_simple", version="v", n_items=400)) == "400"
