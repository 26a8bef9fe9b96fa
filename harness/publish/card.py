"""Model card (README.md for the Hub) from a Report: front matter via huggingface_hub, body via jinja2.

The row builders here (compression_rows, forgetting_rows, ...) are shared with the site, so the card
and the site can never disagree about a number.
"""

from __future__ import annotations

import html
import json
import re
import shlex
from pathlib import Path

import jinja2
from huggingface_hub import EvalResult, ModelCard, ModelCardData

from harness.report.model import Level, Metric, Report

# One metric per suite and the suites' headline: what the tables, plots and model-index show.
HEADLINE = ("fc/call_exact", "fc/json_valid", "fr/mc_acc", "general/acc")
# suite -> (dataset name shown on the Hub, dataset type: a stable machine id)
SUITE_DATASETS = {
    "fc": ("BFCL v4 + project French FC", "bfcl-v4-fr-fc"),
    "fr": ("project French sets", "project-fr"),
    "general": ("ARC/MMLU/HellaSwag subsets", "arc-mmlu-hellaswag"),
}
TAGS = ["gguf", "function-calling", "french", "llama-cpp"]
_TEMPLATES = Path(__file__).parent / "templates"


def fmt_metric(m: Metric | None) -> str:
    """'0.62 [0.55, 0.70]'; a dash where the level was not scored on that metric."""
    return "–" if m is None else f"{m.value:.2f} [{m.ci_low:.2f}, {m.ci_high:.2f}]"


def fmt_small(m: Metric | None) -> str:
    return "–" if m is None else f"{m.value:.3g}"


def md_escape(text: object) -> str:
    """Safe inside a Markdown table cell or paragraph: no raw HTML, no cell breaks, no code spans."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("`", "&#96;").replace("\n", " ")


def file_name(lv: Level) -> str:
    """The artifact's own name: a GGUF file, or an HF folder (trailing slash says it is one)."""
    name = Path(lv.path).name or lv.name
    return f"{name}/" if lv.kind == "hf" else name


def failed_rules(report: Report, level: str | None = None) -> list[str]:
    """Rules that failed, optionally only those whose subject names `level` ('q4_k_m:fc/...')."""
    out = [f"{r.rule} ({r.subject}: observed {r.observed}, limit {r.limit})" for r in report.gate.rules
           if not r.passed and (level is None or r.subject.split(":")[0] == level)]
    if level is None:
        out += [f for f in report.gate.failures if not any(f in o for o in out)]
    return out


def verdict(report: Report, lv: Level) -> str:
    if not lv.shipped or lv.name == "base":
        return "not shipped"
    if failed_rules(report, lv.name) or not report.gate.passed:
        return "blocked"
    return "shipped"


def compression_rows(report: Report) -> list[dict[str, str]]:
    """One row per level, every level: scores are published at every precision, shipped or not."""
    rows = []
    for lv in report.levels:
        row = {"level": lv.name, "kind": lv.kind, "file": file_name(lv),
               "size_mib": f"{lv.size_bytes / 2**20:.1f}", "bpw": f"{lv.bits_per_weight:.2f}"}
        row.update({name: fmt_metric(lv.metrics.get(name)) for name in HEADLINE})
        row["kld/mean"] = fmt_small(lv.metrics.get("kld/mean"))
        row["verdict"] = verdict(report, lv)
        rows.append(row)
    return rows


def forgetting_rows(report: Report, a: str = "base", b: str = "bf16") -> list[dict[str, str]]:
    """Base vs fine-tune on every general task (and the aggregate), with the paired test if run."""
    try:
        la, lb = report.level(a), report.level(b)
    except KeyError:
        return []
    names = sorted(n for n in la.metrics if n.startswith("general/") and n in lb.metrics)
    rows = []
    for name in names:
        cmp_ = next((c for c in report.comparisons if c.metric == name and {c.a, c.b} == {a, b}), None)
        row = {"metric": name, a: fmt_metric(la.metrics[name]), b: fmt_metric(lb.metrics[name])}
        if cmp_ is None:  # no paired test was run: show the raw difference, claim no significance
            row.update(delta=f"{lb.metrics[name].value - la.metrics[name].value:+.3f}", p="–", test="–")
        else:
            sign = 1 if cmp_.a == a else -1  # delta is b - a; flip when the comparison ran the other way
            lo, hi = sorted((sign * cmp_.ci_low, sign * cmp_.ci_high))
            row.update(delta=f"{sign * cmp_.delta:+.3f} [{lo:+.3f}, {hi:+.3f}]",
                       p=f"{cmp_.p_value:.3g}", test=cmp_.test)
        rows.append(row)
    return rows


def limitations(report: Report) -> list[str]:
    ns = [m.n for lv in report.levels for k, m in lv.metrics.items() if k in HEADLINE]
    out = []
    if ns:
        out.append(f"Scores come from small samples ({min(ns)}–{max(ns)} items per headline metric); "
                   "differences inside the 95% intervals are not evidence of a change.")
    held = [lv.name for lv in report.levels if lv.name != "base" and not lv.shipped]
    if held:
        out.append(f"Levels measured but not shipped (scores shown for reference): {', '.join(held)}.")
    out += [f"Check failed: {c.name}: {c.detail}" for c in report.checks if not c.passed]
    out += ["The French sets are written by the project, not a public benchmark; compare them only "
            "across levels and releases of this project.",
            "KL divergence is measured against the 16-bit reference on held-out text; a low value "
            "does not guarantee equal task scores.",
            "Scores use greedy decoding with each file's embedded chat template; sampling settings change them."]
    return out


def _eval_results(report: Report) -> list[EvalResult]:
    out = []
    for lv in report.levels:
        # The base model's scores belong to its own repo: shown in the tables, not claimed here.
        if not lv.shipped or lv.name == "base":
            continue
        for name in HEADLINE:
            m = lv.metrics.get(name)
            if m is None:
                continue
            ds_name, ds_type = SUITE_DATASETS.get(name.split("/")[0], (name.split("/")[0], name.split("/")[0]))
            # dataset_config carries the level: the Hub groups results by it, so levels stay distinct.
            out.append(EvalResult(task_type="text-generation", dataset_type=ds_type, dataset_name=ds_name,
                                  dataset_config=lv.name, metric_type=name, metric_value=m.value,
                                  metric_name=f"{name} ({lv.name})", metric_config=lv.name))
    return out


def _card_data(report: Report, repo_id: str | None, license: str) -> ModelCardData:
    return ModelCardData(
        license=license, base_model=report.base_model or None, base_model_relation="finetune",
        language=["en", "fr"], pipeline_tag="text-generation", library_name="transformers", tags=list(TAGS),
        model_name=repo_id or report.release, eval_results=_eval_results(report) or None)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["md"] = md_escape
    env.filters["sh"] = shlex.quote  # file names go into shell commands: quote, never trust
    env.filters["quoted"] = json.dumps  # Modelfile strings use Go/JSON quoting
    env.filters["line"] = lambda s: re.sub(r"[\r\n]+", " ", str(s))  # one Modelfile line stays one line
    return env


def render_card(report: Report, repo_id: str | None = None, license: str = "apache-2.0") -> str:
    ggufs = [lv for lv in report.levels if lv.kind == "gguf" and lv.shipped]
    # Recommend the smallest shipped GGUF that passed: what most laptop users want.
    ok = [lv for lv in ggufs if verdict(report, lv) == "shipped"] or ggufs
    default = min(ok, key=lambda lv: lv.size_bytes) if ok else None
    hf = next((lv for lv in report.levels if lv.name == "bf16"), None)
    hf_ref = repo_id or (f"./{file_name(hf).rstrip('/')}" if hf else None)
    context = dict(
        card_data=_card_data(report, repo_id, license).to_yaml(), report=report, repo_id=repo_id,
        title=repo_id or f"{report.release} release", headline=HEADLINE, rows=compression_rows(report),
        forgetting=forgetting_rows(report), failed=failed_rules(report), limitations=limitations(report),
        ggufs=[file_name(lv) for lv in ggufs], default_file=file_name(default) if default else None,
        default_level=default.name if default else None, hf_ref=hf_ref,
        ollama_name=re.sub(r"[^a-z0-9._-]+", "-", (repo_id or report.release).split("/")[-1].lower()),
        stop_tokens=list(report.stop_tokens))
    content = _env().get_template("card.md.jinja").render(**context)
    return str(ModelCard(content))  # parses the front matter back: a bad card fails here, not on the Hub


def write_card(report: Report, out_dir: Path, repo_id: str | None = None, license: str = "apache-2.0") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "README.md"
    path.write_text(render_card(report, repo_id=repo_id, license=license), encoding="utf-8")
    return path
