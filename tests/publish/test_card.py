"""The model card: Hub-parsable front matter, scores for every level, recipes naming real files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from huggingface_hub import ModelCard, ModelCardData

from harness.errors import BadInput
from harness.publish.card import render_card, write_card
from harness.publish.metrics import pooled_metrics
from harness.records.report import Report, load_report

DATA = Path(__file__).resolve().parents[1] / "data"
CANNED = DATA / "report_demo.json"  # hand-made: per-task general metrics, SUITE names of an older eval
REAL = DATA / "report_release_demo.json"  # report.json of a real `harness release demo` run
REPO = "acme/demo-fc-fr"


@pytest.fixture(scope="module")
def real() -> Report:
    return load_report(REAL)


@pytest.fixture(scope="module")
def card(real: Report) -> ModelCard:
    return ModelCard(render_card(real, repo_id=REPO))


def _section(text: str, title: str) -> str:
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def _rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in ln.strip().strip("|").split(" | ")] for ln in text.splitlines() if ln.startswith("| ")]


def test_front_matter_parses(card: ModelCard, real: Report) -> None:
    front = yaml.safe_load(str(card).split("---\n")[1])
    data = ModelCardData(**front)  # raises on a model-index the Hub could not read
    assert data.license == "apache-2.0" == real.license
    assert data.model_name == REPO
    assert {"gguf", "llama-cpp", "function-calling", "french", "lora"} <= set(data.tags)
    assert data.language == ["en", "fr"]
    # The real demo names its base by a local name: no base_model link the Hub would show broken.
    assert "base_model" not in front and "base_model_relation" not in front


def test_base_model_from_hub_id(real: Report) -> None:
    card = ModelCard(render_card(real.model_copy(update={"base_model": "HuggingFaceTB/SmolLM2-135M-Instruct"})))
    assert card.data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert card.data.base_model_relation == "finetune"


def test_model_index_has_every_pooled_score_of_every_shipped_level(card: ModelCard, real: Report) -> None:
    results = card.data.eval_results
    shipped = [lv for lv in real.levels if lv.shipped and lv.name != "base"]
    assert {r.dataset_config for r in results} == {lv.name for lv in shipped} == {"bf16", "f16", "q8_0", "q4_k_m"}
    pooled = pooled_metrics(real)
    assert "fr/lang_fr" in pooled and "general/acc_norm" in pooled and "fc/bfcl_simple/call_exact" not in pooled
    for lv in shipped:
        got = {r.metric_type: r.metric_value for r in results if r.dataset_config == lv.name}
        assert got == {m: round(lv.metrics[m].value, 4) for m in pooled}
    # Datasets carry the tasks and versions that produced the numbers.
    fc = next(r for r in results if r.metric_type == "fc/call_exact")
    assert "bfcl_simple@bfcl-v4-simple_python-1" in fc.dataset_type


def test_compression_table_lists_every_level(card: ModelCard, real: Report) -> None:
    rows = _rows(_section(card.text, "Scores at every precision level").split("###", 1)[0])
    header, body = rows[0], rows[1:]  # the |---| line does not start with "| "
    assert header[:4] == ["Level", "File", "Size (MiB)", "Bits/weight"]
    assert header[4:7] == ["fc/call_exact", "fr/mc_acc", "general/acc"] and "kld/mean" in header
    assert [r[0] for r in body] == [lv.name for lv in real.levels]  # every level, shipped or not
    for lv, row in zip(real.levels, body):
        m = lv.metrics["fc/call_exact"]
        assert row[4] == f"{m.value:.2f} [{m.ci_low:.2f}, {m.ci_high:.2f}]"
        assert row[3] == f"{lv.bits_per_weight:.2f}"
    by_level = {r[0]: r for r in body}
    assert by_level["q4_k_m"][1] == "<code>demo-q4_k_m.gguf</code>" and by_level["q4_k_m"][-1] == "shipped"
    assert by_level["q2_k"][-1] == "not shipped" and by_level["base"][-1] == "not shipped"


def test_every_suite_gets_its_own_table(card: ModelCard, real: Report) -> None:
    text = _section(card.text, "Scores at every precision level")
    for suite in ("fc", "fr", "general"):
        assert f"### Suite <code>{suite}</code>" in text
    assert "<code>fc/bfcl_irrelevance/call_exact</code>" in text  # per task too
    assert "<code>fr/mc/mc_acc</code>" not in text  # a one-task twin of fr/mc_acc is not repeated
    q2 = real.level("q2_k").metrics["fc/json_valid"]
    assert f"{q2.value:.2f} [{q2.ci_low:.2f}, {q2.ci_high:.2f}]" in text


def test_forgetting_table_uses_paired_comparisons(card: ModelCard) -> None:
    rows = {r[0]: r for r in _rows(_section(card.text, "Forgetting: base vs fine-tune"))}
    assert "<code>general/arc_easy/acc</code>" in rows and "<code>fc/call_exact</code>" in rows
    row = rows["<code>fc/call_exact</code>"]
    assert row[3] == "-0.144 [-0.256, -0.022]" and row[4] == "0.0241" and row[5] == "mcnemar"


def test_forgetting_sign_follows_the_comparison(real: Report) -> None:
    """A comparison stored the other way round (bf16 -> base) is flipped into bf16 − base."""
    flipped = real.model_copy(deep=True)
    for c in flipped.comparisons:
        if (c.a, c.b) == ("base", "bf16"):
            c.a, c.b, c.delta, c.ci_low, c.ci_high = "bf16", "base", -c.delta, -c.ci_high, -c.ci_low
    text = render_card(flipped)
    assert "| <code>fc/call_exact</code> | 0.26 [0.18, 0.35] | 0.11 [0.06, 0.19] | -0.144 [-0.256, -0.022] |" in text


def test_training_and_manifest_summary(card: ModelCard) -> None:
    text = _section(card.text, "Training")
    for needle in ("| Hardware | cpu |", "| GPU-hours | 0.00 |", "| Cost | 0.00 |", "| Alpha | 32 |",
                   "q_proj, k_proj", "| lm_head | frozen (tied to embeddings) |", "<code>fc_fr</code> | 240 | 233 | 7 | 1 |"):
        assert needle in text, needle


def test_limitations_follow_the_report(card: ModelCard, real: Report) -> None:
    text = _section(card.text, "Known limitations")
    assert "q3_k_m, q2_k" in text and "20–90 items" in text
    broken = real.model_copy(deep=True)
    broken.checks[1].passed, broken.checks[1].detail = False, "template differs"
    assert "Check failed: chat_template:bf16: template differs" in render_card(broken)


def test_recipes_name_real_files_template_and_stops(card: ModelCard, real: Report) -> None:
    text = card.text.split("## Use it", 1)[1].split("## Provenance")[0]
    assert f"hf download {REPO} demo-q4_k_m.gguf --local-dir ." in text
    for f in ("demo-f16.gguf", "demo-q8_0.gguf", "demo-q4_k_m.gguf"):
        assert f"llama-server -m {f} --jinja" in text
    assert "demo-q2_k.gguf" not in text and "demo-q3_k_m.gguf" not in text  # not shipped: no recipe
    modelfile = text.split("`Modelfile`:", 1)[1].split("```")[1]
    assert modelfile.splitlines()[1] == "FROM ./demo-q4_k_m.gguf"
    assert 'PARAMETER stop "<|im_end|>"' in modelfile
    assert 'TEMPLATE """{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n<|im_start|>user\n' in modelfile
    assert "{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n{{ .Response }}<|im_end|>\n\"\"\"" in modelfile
    assert "lms import demo-q4_k_m.gguf" in text
    assert f"vllm serve {REPO}" in text and f'AutoModelForCausalLM.from_pretrained("{REPO}"' in text


def test_local_recipes_use_run_paths(real: Report) -> None:
    text = render_card(real.model_copy(update={"stop_tokens": ["<|im_end|>", "<|endoftext|>"]}), license="mit")
    assert "license: mit" in text and "hf download" not in text
    assert "vllm serve stages/merge-652271a47c60dd15" in text
    assert 'PARAMETER stop "<|endoftext|>"' in text


def test_tool_calling_templates_get_tool_flags(real: Report) -> None:
    tools = ("{% if tools %}<tools>{% for t in tools %}{{ t | tojson }}{% endfor %}</tools> answer in <tool_call>"
             "{% endif %}{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
             "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    text = render_card(real.model_copy(update={"chat_template": tools}))
    assert "--enable-auto-tool-choice --tool-call-parser hermes" in text
    assert "--tool-call-parser" not in render_card(real)  # SmolLM2's template takes no tools


def test_canned_report_renders_generically() -> None:
    """An older report (no license, no chat template, different metric names) still gives a card."""
    canned = load_report(CANNED)
    card = ModelCard(render_card(canned))
    assert card.data.license == "other"  # unknown license: never claimed
    assert "TEMPLATE" not in card.text and 'PARAMETER stop "<|im_end|>"' in card.text
    assert {r.metric_type for r in card.data.eval_results} == set(pooled_metrics(canned))


def test_names_and_paths_are_escaped(real: Report) -> None:
    evil = real.model_copy(deep=True)
    evil.levels[4].path = "runs/x/<b>evil|q4.gguf"
    text = render_card(evil)
    assert "<b>evil" not in text.split("## Use it")[0]
    assert "&lt;b&gt;evil\\|q4.gguf" in text
    assert "llama-server -m '<b>evil|q4.gguf' --jinja" in text  # the file name only, shell-quoted


def test_bad_repo_id_is_bad_input(real: Report) -> None:
    with pytest.raises(BadInput, match="repo-id"):
        render_card(real, repo_id="not a repo; rm -rf /")


def test_write_card(tmp_path: Path, real: Report) -> None:
    path = write_card(real, tmp_path / "card", repo_id=REPO)
    assert path == tmp_path / "card" / "README.md"
    assert ModelCard.load(path).data.model_name == REPO


def test_card_says_what_the_text_model_left_out(real: Report) -> None:
    from harness.records.base import BaseRecord, DroppedPart

    vision = DroppedPart(name="vision tower", prefix="model.visual.", tensors=21, params=84608, reason="text only")
    base = BaseRecord(source="/m", source_architecture="Qwen3_5ForConditionalGeneration",
                      architecture="Qwen3_5ForCausalLM", dtype="bfloat16", tie_word_embeddings=True, dropped=[vision])
    text = _section(ModelCard(render_card(real.model_copy(update={"base": base}))).text, "Known limitations")
    assert "the vision tower of the base checkpoint (84,608 parameters, tensors model.visual) is not in these files: text only" in text
    assert "Text model only" not in _section(ModelCard(render_card(real)).text, "Known limitations")
