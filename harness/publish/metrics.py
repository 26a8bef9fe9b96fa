"""Which metrics a report holds, in what order, and how they are written: shared by the card and the site.

Nothing here names a metric the report does not hold. Suites and metrics are read from the report
(`suite/metric` for a suite's pooled score, `suite/task/metric` per task), so a new suite, task or
metric shows up on the card and the site without a change here; PREFERRED only orders known ones.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from harness.names import BASE, KLD, is_suite_metric, suite_of
from harness.records.report import Level, Metric, Report

# Known metrics first, in this order (the first of each suite is its headline); others follow by name.
PREFERRED = ("fc/call_acc", "fc/relevance_acc", "fc/call_exact", "fc/json_valid", "fc/schema_valid", "fc/parse_fail",
             "fc/no_call", "fr/mc_acc", "fr/short_acc", "fr/lang_fr", "general/acc", "general/acc_norm")
# Suites with more than one headline: function calling reports calling and abstaining apart, as
# BFCL's summary does; a pooled score over both would reward a model that never calls on the
# irrelevance share. A report without them (older scoring) falls back to the first metric.
HEADLINES = {"fc": ("fc/call_acc", "fc/relevance_acc")}
# What a metric counts, stated beside every table that shows it.
DEFINITIONS = {
    "fc/call_acc": "items that need a call: the right call (BFCL's AST rules; relevance items: any decodable call)",
    "fc/relevance_acc": "irrelevance items (no tool fits): answered without calling a tool",
    "fc/call_exact": "pooled over every fc item: the right call where one is needed, no call where none is, "
                     "so it mixes call accuracy and relevance detection in the eval set's proportions",
    "fc/parse_fail": "items that need a call: a call attempted that did not decode (lower is better)",
    "fc/no_call": "items that need a call: no call attempted (lower is better)",
}
DIVERGENCE = KLD  # a distance from the 16-bit reference, not a score: its own columns, never a headline
KLD_SHOWN = ("kld/mean", "kld/p99", "kld/top1_agree", "kld/ppl_ratio")


def _all_names(report: Report) -> set[str]:
    return {name for lv in report.levels for name in lv.metrics}


def suites(report: Report) -> list[str]:
    """Score suites in the order the report lists them (report.suites), then any others by name."""
    names = {suite_of(n) for n in _all_names(report)} - {DIVERGENCE}
    listed = list(dict.fromkeys(suite_of(s.name) for s in report.suites))
    return [s for s in listed if s in names] + sorted(names - set(listed))


def _order(name: str) -> tuple:
    return (PREFERRED.index(name) if name in PREFERRED else len(PREFERRED), name.count("/"), name)


def suite_metrics(report: Report, suite: str) -> list[str]:
    """Every metric of a suite: pooled ones first (known ones in PREFERRED order), then per task.

    A task metric that only repeats its pooled twin (the one task behind `suite/metric`, with the
    same values at every level) is left out: it would be a duplicate row.
    """
    names = {n for n in _all_names(report) if suite_of(n) == suite}
    for name in [n for n in names if n.count("/") == 2]:
        pooled = f"{suite}/{name.rsplit('/', 1)[1]}"
        twins = [n for n in names if n.count("/") == 2 and n.rsplit("/", 1)[1] == pooled.split("/")[1]]
        if pooled in names and twins == [name] and all(
                lv.metrics.get(name) == lv.metrics.get(pooled) for lv in report.levels):
            names.discard(name)
    return sorted(names, key=_order)


def pooled_metrics(report: Report) -> list[str]:
    """Every suite's pooled scores, suite by suite: the model-index and the trends."""
    return [m for s in suites(report) for m in suite_metrics(report, s) if is_suite_metric(m)]


def headline(report: Report) -> list[str]:
    """Per suite its HEADLINES where the report holds them, else its first pooled score (or its first
    metric when none is pooled)."""
    out = []
    for s in suites(report):
        names = suite_metrics(report, s)
        out += [m for m in HEADLINES.get(s, ()) if m in names] or names[:1]
    return out


def definitions(names: list[str]) -> str:
    """A line per defined metric among `names`, for under a table ('' when none is defined)."""
    shown = [n for n in dict.fromkeys(names) if n in DEFINITIONS]
    return "".join(f"- <code>{md_escape(n)}</code>: {md_escape(DEFINITIONS[n])}\n" for n in shown)


def kld_metrics(report: Report) -> list[str]:
    names = _all_names(report)
    return [m for m in KLD_SHOWN if m in names]


def fmt_metric(m: Metric | None) -> str:
    """'0.62 [0.55, 0.70]'; a dash where the level was not scored on that metric."""
    return "–" if m is None else f"{m.value:.2f} [{m.ci_low:.2f}, {m.ci_high:.2f}]"


def fmt_small(m: Metric | None) -> str:
    return "–" if m is None else f"{m.value:.3g}"


# Characters Markdown (Python-Markdown on the site, the Hub's CommonMark on the card) gives a meaning:
# written as numeric character references they are plain text in both, inside and outside tables.
# '{' '}' would let attr_list turn a trailing "{onfocus=... autofocus}" into attributes; '\\' would
# escape our own escapes; '|' ends a table cell; '`' and '*' open code and emphasis. Brackets stay
# readable: "](" is broken up below, and a one-line text cannot define a link reference.
_MD_CHARS = {**{c: f"&#{ord(c)};" for c in "\\`{}"}, "|": "\\|", "*": "\\*"}
_MD_TABLE = str.maketrans(_MD_CHARS)
# Line breaks (Python-Markdown turns \r into one) would start a block of their own, and STX/ETX are
# Python-Markdown's placeholder markers: control characters become spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def md_escape(text: object) -> str:
    """Inert inside a Markdown table cell, paragraph, heading or list item: no raw HTML, entities,
    cell breaks, code spans, emphasis, links or attribute lists ('_' is left alone: both
    Python-Markdown and the Hub ignore it inside words), always one line."""
    text = html.escape(_CONTROL.sub(" ", str(text)), quote=True)
    return text.translate(_MD_TABLE).replace("](", "]&#40;")


# Nav and page titles: mkdocs-material writes them raw into HTML text, into <title> through
# `striptags` (which decodes entities again) and into the search index. Escaping cannot be right in
# all three, so characters with a meaning in HTML are replaced by look-alikes that have none.
_TITLE = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06", '"': "\uff02", "'": "\u2019", "`": "\uff40"})


def plain_title(text: object) -> str:
    """A title that is the same harmless text in every place mkdocs puts it."""
    return " ".join(_CONTROL.sub(" ", str(text)).translate(_TITLE).split()) or "untitled"


class Markup(str):
    """Text already safe for Markdown (built here from escaped parts): md_table leaves it as it is."""


def code(text: object) -> Markup:
    return Markup(f"<code>{md_escape(text)}</code>")


def md_table(headers: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> str:
    """A Markdown table; every cell escaped (cells that hold markup are passed as Markup)."""
    def cell(c: object) -> str:
        return str(c) if isinstance(c, Markup) else md_escape(c)
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("--:" if i in right else "---" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"



def file_name(lv: Level) -> str:
    """The artifact's own name: a GGUF file, or an HF folder (trailing slash says it is one)."""
    name = Path(lv.path).name or lv.name
    return f"{name}/" if lv.kind == "hf" else name


def reference(report: Report) -> Level | None:
    """The fine-tune at full precision: the first HF level that is not the base."""
    return next((lv for lv in report.levels if lv.kind == "hf" and lv.name != BASE),
                next((lv for lv in report.levels if lv.name != BASE), None))


def base(report: Report) -> Level | None:
    return next((lv for lv in report.levels if lv.name == BASE), None)


def _subject_levels(subject: str) -> set[str]:
    """Level names a gate rule's subject is about: 'q4_k_m fc/call_exact (vs bf16)' -> {q4_k_m}, the
    reference after 'vs' excluded; 'chat_template:q4_k_m' -> {chat_template, q4_k_m}."""
    return set(re.split(r"[\s:,]+", re.sub(r"\(vs [^)]*\)", "", subject).strip()))


def failed_rules(report: Report, level: str | None = None) -> list[str]:
    """Rules that failed, optionally only those about `level`; plus bare failures no rule explains."""
    out = [f"{r.rule}: {r.subject} (observed {'–' if r.observed is None else f'{r.observed:.4g}'}; "
           f"passes when {r.limit})" for r in report.gate.rules
           if not r.passed and (level is None or level in _subject_levels(r.subject))]
    if level is None:
        out += [f for f in report.gate.failures if not any(f in o for o in out)]
    return out


def verdict(report: Report, lv: Level) -> str:
    """shipped | blocked (the gate failed: nothing ships) | not shipped (measured for reference)."""
    if not lv.shipped or lv.name == BASE:
        return "not shipped"
    if failed_rules(report, lv.name):
        return "blocked: failed a rule"
    return "shipped" if report.gate.passed else "blocked: gate failed"


def recommended(report: Report) -> Level | None:
    """The smallest shipped GGUF that passed: what most laptop users want."""
    ggufs = [lv for lv in report.levels if lv.kind == "gguf" and lv.shipped]
    ok = [lv for lv in ggufs if verdict(report, lv) == "shipped"] or ggufs
    return min(ok, key=lambda lv: lv.size_bytes) if ok else None
