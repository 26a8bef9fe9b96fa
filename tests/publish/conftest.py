"""Run folders for the site tests: a report (its release and date changed) and optional failed items."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest


def _make_run(folder: Path, source: Path, release: str, created: str, items: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True)
    report = json.loads(source.read_text())
    report.update(release=release, created=created)
    (folder / "report.json").write_text(json.dumps(report))
    if items is not None:
        (folder / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    return folder


@pytest.fixture(scope="session")
def make_run() -> Callable[..., Path]:
    """make_run(folder, source_report, release, created, items=None) -> folder."""
    return _make_run


# Hostile strings for every place a report, an items file, a template or a model output reaches a
# page or the card. Each calls alert(n): the browser test counts calls (none may happen).
def _js(n: int) -> str:
    return (f'<img src=x onerror=alert({n})></script><script>alert({n})</script>'
            f'<svg onload="alert({n})"> {{onfocus=alert({n}) autofocus}}')


PAYLOADS = {
    "release": "demo" + _js(1),
    "base_model": "[base](javascript:alert(2)) " + _js(2),
    "level": "q4" + _js(3),  # renames q4_k_m everywhere it appears
    "link_level": "[click](javascript:alert(4))",  # renames q3_k_m
    "quote_level": 'x" onmouseover="alert(5)" data-x="',  # renames q2_k
    "path": "runs/x/\n```\n</code><img src=x onerror=alert(6)>\n```\n{{ 7 * 7 }}.gguf",
    "check": "chat_template:" + _js(7),
    "detail": "```\n<script>alert(8)</script>\n```\n{% raw %}{{ lipsum() }}{% endraw %}",
    "metric": "fc/" + _js(9),
    "stop": "</code><script>alert(10)</script>",
    "template": ("{% for m in messages %}```\n<script>alert(11)</script>{{ m['content'] }}\n```{% endfor %}"
                 "{% if add_generation_prompt %}<img src=x onerror=alert(11)>{% endif %}"),
    "task": "fc/<b onmouseover=alert(12)>t</b> {#x onclick=alert(12)}",
    "item_id": "</summary></details><script>alert(13)</script>",
    "output": "</pre><script>alert(14)</script>" + "x" * (1 << 20),  # 1 MB of output as well
}


def _rename(obj, old: str, new: str):
    """Every string equal to a level name, or naming it as a word, renamed (subjects, check names)."""
    import re

    if isinstance(obj, dict):
        return {_rename(k, old, new): _rename(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rename(x, old, new) for x in obj]
    if isinstance(obj, str):
        return new if obj == old else re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", lambda _: new, obj)
    return obj


def hostile_report(source: Path) -> dict:
    """report_release_demo.json with a payload in every string a reader could see."""
    report = json.loads(source.read_text())
    for old, key in (("q4_k_m", "level"), ("q3_k_m", "link_level"), ("q2_k", "quote_level")):
        report = _rename(report, old, PAYLOADS[key])
    report.update(release=PAYLOADS["release"], base_model=PAYLOADS["base_model"], stop_tokens=[PAYLOADS["stop"]],
                  chat_template=PAYLOADS["template"])
    for lv in report["levels"]:
        if lv["kind"] == "gguf":
            lv["path"] = PAYLOADS["path"] + lv["name"]
        if "fc/call_exact" in lv["metrics"]:
            lv["metrics"][PAYLOADS["metric"]] = lv["metrics"]["fc/call_exact"]
    report["checks"].append({"name": PAYLOADS["check"], "passed": False, "detail": PAYLOADS["detail"]})
    report["gate"]["failures"].append(PAYLOADS["detail"])
    report["suites"].append({"name": PAYLOADS["task"], "version": _js(15), "n_items": 1})
    report["provenance"]["harness"] = _js(16)
    return report


def hostile_items() -> list[dict]:
    return [{"level": PAYLOADS["level"], "task": PAYLOADS["task"], "item_id": PAYLOADS["item_id"],
             "prompt": PAYLOADS["detail"], "expected": PAYLOADS["link_level"], "output": PAYLOADS["output"]},
            {"level": "index", "task": "fc/bfcl_simple", "item_id": "1", "prompt": "p", "expected": "e",
             "output": _js(17)}]


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "run"
    folder.mkdir()
    root = Path(__file__).resolve().parents[2]
    (folder / "report.json").write_text(json.dumps(hostile_report(root / "tests" / "data" / "report_release_demo.json")))
    (folder / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in hostile_items()))
    return folder
