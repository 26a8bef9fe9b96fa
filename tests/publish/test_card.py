"""The model card: Hub-parsable front matter, scores for every level, recipes naming real files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from huggingface_hub import ModelCard, ModelCardData

from harness.publish.card import HEADLINE, file_name, render_card, write_card
from harness.report.model import Report, load_report

DATA = Path(__file__).resolve().parents[1] / "data" / "report_demo.json"
REPO = "acme/demo-fc-fr"


@pytest.fixture(scope="module")
def report() -> Report:
    return load_report(DATA)


@pytest.fixture(scope="module")
def card(report: Report) -> ModelCard:
    return ModelCard(render_card(report, repo_id=REPO))


def _section(text: str, title: str) -> str:
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_front_matter_parses(card: ModelCard, report: Report) -> None:
    front = yaml.safe_load(str(card).split("---\n")[1])
    data = ModelCardData(**front)  # raises on a model-index the Hub could not read
    assert data.license == "apache-2.0"
    assert data.base_model == report.base_model
    assert front["base_model_relation"] == "finetune"
    assert {"gguf", "function-calling", "french", "llama-cpp"} <= set(data.tags)
    assert data.model_name == REPO
    assert card.data.eval_results and all(r.task_type == "text-generation" for r in card.data.eval_results)


def test_model_index_has_every_shipped_level(card: ModelCard, report: Report) -> None:
    results = card.data.eval_results
    shipped = {lv.name for lv in report.levels if lv.shipped and lv.name != "base"}
    assert {r.dataset_config for r in results} == shipped
    for lv in report.levels:
        if lv.name not in shipped:
            continue
        got = {r.metric_type: r.metric_value for r in results if r.dataset_config == lv.name}
        assert got == {m: lv.metrics[m].value for m in HEADLINE}
    names = {r.dataset_name for r in results}
    assert names == {"BFCL v4 + project French FC", "project French sets", "ARC/MMLU/HellaSwag subsets"}


def test_compression_table_lists_every_level(card: ModelCard, report: Report) -> None:
    rows = [ln for ln in _section(card.text, "Scores at every precision level").splitlines() if ln.startswith("| ")]
    assert len(rows) == 1 + len(report.levels)  # header + one row per level, shipped or not
    for lv, row in zip(report.levels, rows[1:]):
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[0] == lv.name and cells[1] == f"<code>{file_name(lv)}</code>"
        m = lv.metrics["fc/call_exact"]
        assert f"{m.value:.2f} [{m.ci_low:.2f}, {m.ci_high:.2f}]" in row
    assert "not shipped" in rows[-1]  # q2_k is measured and published, not shipped


def test_forgetting_table_uses_comparisons(card: ModelCard) -> None:
    text = _section(card.text, "Forgetting: base vs fine-tune")
    for task in ("arc_easy", "arc_challenge", "hellaswag", "mmlu"):
        assert f"general/{task}/acc" in text
    assert "-0.025 [-0.100, +0.075] | 1 | mcnemar" in text


def test_recipes_name_real_files(card: ModelCard, report: Report) -> None:
    text = card.text.split("## Use it", 1)[1]  # the recipes run to the end of the card
    ggufs = [Path(lv.path).name for lv in report.levels if lv.kind == "gguf" and lv.shipped]
    assert "llama-server -m demo-Q4_K_M.gguf --jinja" in text
    assert all(f"llama-server -m {f} --jinja" in text for f in ggufs)
    assert "FROM ./demo-Q4_K_M.gguf" in text and 'PARAMETER stop "<|im_end|>"' in text
    assert "lms import demo-Q4_K_M.gguf" in text
    assert f"vllm serve {REPO}" in text and f'AutoModelForCausalLM.from_pretrained("{REPO}"' in text
    assert "demo-Q2_K.gguf" not in text  # a level that is not shipped gets no recipe


def test_local_recipes_and_stop_tokens(report: Report) -> None:
    text = render_card(report.model_copy(update={"stop_tokens": ["<|im_end|>", "<|endoftext|>"]}), license="mit")
    assert "license: mit" in text
    assert "vllm serve ./merged" in text
    assert 'PARAMETER stop "<|endoftext|>"' in text


def test_names_and_paths_are_escaped(report: Report) -> None:
    evil = report.model_copy(deep=True)
    evil.levels[4].path = "runs/x/<b>evil|q4.gguf"
    text = render_card(evil)
    assert "<b>evil" not in text.split("## Use it")[0]
    assert "&lt;b&gt;evil\\|q4.gguf" in text
    assert "llama-server -m 'runs/x/<b>evil|q4.gguf'" not in text  # the file name only, shell-quoted
    assert "llama-server -m '<b>evil|q4.gguf' --jinja" in text


def test_write_card(tmp_path: Path, report: Report) -> None:
    path = write_card(report, tmp_path / "card")
    assert path == tmp_path / "card" / "README.md"
    assert ModelCard.load(path).data.base_model == report.base_model
