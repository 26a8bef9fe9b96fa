"""What computed each level (report.json `levels[].engine`) on the card and the release page, and
nothing where a report predates the field."""

from __future__ import annotations

from pathlib import Path

from harness.publish.card import render_card
from harness.publish.pages import Run, release_page
from harness.records.engine import EngineInfo
from harness.records.report import Report, load_report

REAL = load_report(Path(__file__).resolve().parents[1] / "data" / "report_release_demo.json")
HF = EngineInfo(engine="transformers", device="cuda", device_name="NVIDIA H200", dtype="bfloat16", batch_size=64,
                linear_attention="pytorch fallback (slow)", lm_eval="harness-hf")
GGUF = EngineInfo(engine="llama.cpp", device="cpu", device_name="2 threads", batch_size=1, lm_eval="harness-llama")


def _with_engines() -> Report:
    levels = [lv.model_copy(update={"engine": HF if lv.kind == "hf" else GGUF}) for lv in REAL.levels]
    return Report.model_validate(REAL.model_copy(update={"levels": levels}).model_dump())


def _table(text: str) -> list[list[str]]:
    part = text.split("## How each level was evaluated", 1)[1].split("\n## ", 1)[0]
    return [[c.strip() for c in ln.strip().strip("|").split(" | ")] for ln in part.splitlines() if ln.startswith("| ")]


def test_card_and_release_page_show_engine_device_and_batch_of_every_level() -> None:
    report = _with_engines()
    for text in (render_card(report), release_page(Run(report, "demo"))):
        rows = _table(text)
        assert rows[0] == ["Level", "Engine", "Device", "Precision", "Batch", "lm-eval model", "Kernels"]
        by_level = {r[0]: r for r in rows[1:]}
        assert set(by_level) == {lv.name for lv in report.levels}
        assert by_level["bf16"][1:6] == ["transformers", "cuda (NVIDIA H200)", "bfloat16", "64", "harness-hf"]
        assert "pytorch fallback (slow)" in by_level["bf16"][6]
        gguf = next(lv.name for lv in report.levels if lv.kind == "gguf")
        assert by_level[gguf][1:6] == ["llama.cpp", "cpu (2 threads)", "GGUF file types", "1", "harness-llama"]


def test_a_report_without_engines_shows_no_such_section() -> None:
    assert all(lv.engine is None for lv in REAL.levels)  # written before the field existed: still reads
    assert "How each level was evaluated" not in render_card(REAL)
    assert "How each level was evaluated" not in release_page(Run(REAL, "demo"))
