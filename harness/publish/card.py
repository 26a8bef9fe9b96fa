"""Model card (README.md for the Hub) from a Report: front matter via huggingface_hub, body via jinja2.

The tables come from harness.publish.tables, shared with the site, so the card and the site can
never disagree about a number; the recipes from harness.publish.recipes, from the real file names.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import jinja2
from huggingface_hub import EvalResult, ModelCard, ModelCardData

from harness.errors import BadInput
from harness.names import BASE, suite_of
from harness.publish import tables
from harness.publish.metrics import (
    failed_rules,
    md_escape,
    pooled_metrics,
    recommended,
    suites,
)
from harness.publish.recipes import recipes
from harness.records.report import Report

# suite -> dataset shown on the Hub, for the suites this project ships; others are named from report.suites.
SUITE_DATASETS = {
    "fc": "BFCL v4 + project French function calling",
    "fr": "project French sets",
    "general": "ARC/MMLU/HellaSwag subsets",
}
SUITE_TAGS = {"fc": ["function-calling", "tool-use"], "fr": ["french"]}
_TEMPLATES = Path(__file__).parent / "templates"
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def _dataset(report: Report, suite: str) -> tuple[str, str]:
    """(name shown on the Hub, a stable type id) for a suite: its tasks and versions as the report lists them."""
    tasks = [s for s in report.suites if suite_of(s.name) == suite]
    name = SUITE_DATASETS.get(suite) or (", ".join(s.name for s in tasks) if tasks else suite)
    ident = "+".join(f"{s.name.split('/', 1)[-1]}@{s.version}" for s in tasks) or suite
    return name, re.sub(r"[^A-Za-z0-9@+._-]+", "-", ident)


def eval_results(report: Report) -> list[EvalResult]:
    """model-index: every pooled score of every shipped level (the base's scores belong to its own repo)."""
    out = []
    for lv in report.levels:
        if not lv.shipped or lv.name == BASE:
            continue
        for name in pooled_metrics(report):
            m = lv.metrics.get(name)
            if m is None:
                continue
            ds_name, ds_type = _dataset(report, suite_of(name))
            # dataset_config carries the level: the Hub groups results by it, so levels stay distinct.
            out.append(EvalResult(task_type="text-generation", dataset_type=ds_type, dataset_name=ds_name,
                                  dataset_config=lv.name, metric_type=name, metric_value=round(m.value, 4),
                                  metric_name=f"{name} ({lv.name}, n={m.n})", metric_config=lv.name))
    return out


def card_data(report: Report, repo_id: str | None = None, license: str | None = None) -> ModelCardData:
    names = suites(report)
    tags = ["gguf", "llama-cpp"] if any(lv.kind == "gguf" for lv in report.levels) else []
    tags += [t for s in names for t in SUITE_TAGS.get(s, [])]
    if report.train and report.train.method:
        tags.append(report.train.method)
    # The Hub links base_model to a repo: a local name (no "org/") would be a broken link, so it is left out.
    hub_base = report.base_model if _REPO_ID.fullmatch(report.base_model) else None
    return ModelCardData(
        license=license or report.license or "other", base_model=hub_base,
        base_model_relation="finetune" if hub_base else None,
        language=["en", "fr"] if "fr" in names else ["en"], pipeline_tag="text-generation",
        library_name="transformers", tags=list(dict.fromkeys(tags)), model_name=repo_id or report.release,
        eval_results=eval_results(report) or None)


def fence(content: str, info: str = "") -> str:
    """A fenced code block that its content cannot close: CommonMark closes a fence only with a run of
    at least as many backticks, so the fence is one longer than the longest run inside (a file name
    or a rendered template may hold a newline followed by three backticks)."""
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    marker = "`" * max(3, longest + 1)
    return f"{marker}{info}\n{content.strip(chr(10))}\n{marker}"


def inline_code(text: object) -> str:
    """Inline code that content cannot end early: <code> with every Markdown character escaped."""
    return f"<code>{md_escape(text)}</code>"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["md"] = md_escape
    env.filters["fence"] = fence
    env.filters["code"] = inline_code
    env.filters["sh"] = shlex.quote  # file names go into shell commands: quote, never trust
    env.filters["quoted"] = json.dumps  # Modelfile and Python strings: JSON quoting is valid in both
    env.filters["line"] = lambda s: re.sub(r"[\r\n]+", " ", str(s))  # one Modelfile line stays one line
    return env


def limitations(report: Report) -> list[str]:
    ns = [m.n for lv in report.levels for k, m in lv.metrics.items() if not k.startswith("kld/")]
    out = []
    if ns:
        out.append(f"Scores come from small samples ({min(ns)}–{max(ns)} items per metric); differences "
                   "inside the 95% intervals are not evidence of a change.")
    held = [lv.name for lv in report.levels if lv.name != BASE and not lv.shipped]
    if held:
        out.append(f"Levels measured but not shipped (scores shown for reference): {', '.join(held)}.")
    out += [f"Check failed: {c.name}: {c.detail}" for c in report.checks if not c.passed]
    if "fr" in suites(report):
        out.append("The French sets are written by the project, not a public benchmark; compare them only "
                   "across levels and releases of this project.")
    if any(k.startswith("kld/") for lv in report.levels for k in lv.metrics):
        out.append("KL divergence is measured against the 16-bit reference on held-out text; a low value "
                   "does not guarantee equal task scores.")
    out.append("Scores use greedy decoding with each file's embedded chat template; sampling settings change them.")
    for part in report.base.dropped if report.base else []:  # a multimodal base is released as its text model
        out.append(f"Text model only: the {part.name} of the base checkpoint ({part.params:,} parameters, tensors "
                   f"{part.prefix.rstrip('.')}) is not in these files: {part.reason}.")
    if report.train and report.train.device == "cpu":
        out.append(f"Trained for {report.train.steps} steps on a CPU: a demonstration of the pipeline, "
                   "not a model tuned to its best.")
    return out


def render_card(report: Report, repo_id: str | None = None, license: str | None = None) -> str:
    if repo_id is not None and not _REPO_ID.fullmatch(repo_id):
        raise BadInput("--repo-id", f"{repo_id!r} is not a Hub repo id (org/name)")
    default = recommended(report)
    context = {
        "card_data": card_data(report, repo_id, license).to_yaml(), "report": report, "repo_id": repo_id,
        "title": repo_id or f"{report.release} release", "failed": failed_rules(report),
        "limitations": limitations(report), "default": default, "compression": tables.compression(report),
        "kld": tables.kld_table(report), "suites": [(s, tables.suite_table(report, s)) for s in suites(report)],
        "forgetting": tables.forgetting(report), "rules": tables.gate_rules(report), "checks": tables.checks(report),
        "training": tables.training(report), "provenance": tables.provenance(report),
        "engines": tables.engines(report), "r": recipes(report, repo_id)}
    content = _env().get_template("card.md.jinja").render(**context)
    return str(ModelCard(content))  # parses the front matter back: a bad card fails here, not on the Hub


def write_card(report: Report, out_dir: Path, repo_id: str | None = None, license: str | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "README.md"
    path.write_text(render_card(report, repo_id=repo_id, license=license), encoding="utf-8")
    return path
