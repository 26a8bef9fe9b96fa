"""The card from a report full of payloads holds no raw HTML (CommonMark, as the Hub parses it),
no link, and its code fences hold the hostile paths and template whole."""

from __future__ import annotations

import json
from pathlib import Path

from huggingface_hub import ModelCard
from markdown_it import MarkdownIt

from harness.publish.card import fence, render_card
from harness.records.report import Report


def _tokens(text: str):
    def walk(tokens):
        for t in tokens:
            yield t
            if t.children:
                yield from walk(t.children)
    return list(walk(MarkdownIt("commonmark", {"html": True}).enable("table").parse(text)))


def test_card_of_hostile_report_holds_no_raw_html(hostile_run: Path) -> None:
    report = Report.model_validate_json((hostile_run / "report.json").read_bytes())
    card = render_card(report)
    body = ModelCard(card).text  # the front matter is YAML data on the Hub, quoted by huggingface_hub
    tokens = _tokens(body)
    raw = [t.content for t in tokens if t.type in ("html_block", "html_inline") and t.content not in ("<code>", "</code>")]
    assert raw == []
    assert [t for t in tokens if t.type == "link_open"] == []  # no javascript: (or any) link was made
    fences = [t for t in tokens if t.type == "fence"]
    # llama.cpp, Modelfile, ollama, lms, transformers, vLLM: none closed early by the content
    assert [t.info for t in fences] == ["sh", "", "sh", "sh", "python", "sh"]
    assert "<script>alert(11)</script>" in fences[1].content and "{{ 7 * 7 }}" in fences[0].content
    shown = "".join(t.content for t in tokens if t.type == "text")
    assert "demo<img src=x onerror=alert(1)>" in shown  # the names are shown as text, exactly


def test_fence_is_longer_than_any_run_inside() -> None:
    assert fence("a\n```\nb", "sh") == "````sh\na\n```\nb\n````"
    assert fence("plain") == "```\nplain\n```"
    assert json.dumps(fence("x" * 3)).count("`") == 6
