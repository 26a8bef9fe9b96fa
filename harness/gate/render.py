"""Gate verdicts as text: a Markdown table for $GITHUB_STEP_SUMMARY and the site, plain lines for a terminal."""

from __future__ import annotations

from harness.records.gate import GateResult, GateRule


def _observed(rule: GateRule) -> str:
    return "—" if rule.observed is None else f"{rule.observed:.4g}"


def _summary(result: GateResult) -> str:
    total, failed = len(result.rules), sum(not r.passed for r in result.rules)
    if result.passed:
        return f"Gate passed: {total} rule{'s' if total != 1 else ''} checked, none failed."
    return f"Gate FAILED: {failed} of {total} rules failed; this release must not ship."


def _method(result: GateResult) -> str:
    """How the verdict was reached, in one sentence (the decision rule is in docs/gate.md)."""
    if result.alpha is None:
        return ""
    corr = "" if result.correction in ("", "none") else f" after {result.correction.capitalize()}'s correction"
    text = (f"A drop fails its rule when it is larger than the rule's tolerance and significant at "
            f"alpha = {result.alpha:g}{corr} over {result.tests} paired test{'s' if result.tests != 1 else ''}.")
    suites = list(dict.fromkeys(r.subject.split(":", 1)[0] for r in result.rules if r.rule == "target"))
    if suites:
        margins = sorted({r.margin for r in result.rules if r.rule == "target" and r.margin is not None})
        text += (f" The fine-tune must beat the base on each suite it was trained for ({', '.join(suites)}): "
                 f"a gain{f' of at least {margins[0]:g}' if len(margins) == 1 else ''}, significant at "
                 f"alpha = {result.alpha:g} one-sided, uncorrected (every such rule must pass, so a fine-tune "
                 "without a real gain on a suite passes at most alpha of the time).")
    if result.baseline is not None:
        b = result.baseline
        how = "paired per item" if b.paired else "unpaired (no item_scores.json.gz on one side)"
        text += f" Baseline: {b.release} of {b.created} ({b.source}), {how}."
    return text


def _cell(text: str) -> str:
    # A pipe or newline inside a cell would break the Markdown table (check details can hold either).
    return text.replace("|", "\\|").replace("\n", " ")


def gate_markdown(result: GateResult, title: str | None = None) -> str:
    icon = "✅" if result.passed else "❌"
    lines = ([f"### Release gate: {_cell(title)}", ""] if title else []) + [f"{icon} **{_summary(result)}**", ""]
    if _method(result):
        lines += [_method(result), ""]
    lines += ["| rule | subject | observed | limit | verdict |", "|---|---|---:|---|:---:|"]
    # Failed rules first: in a long CI summary the reader looks for those.
    for r in sorted(result.rules, key=lambda r: r.passed):
        verdict = "✅" if r.passed else "❌"
        lines.append(f"| {_cell(r.rule)} | {_cell(r.subject)} | {_observed(r)} | {_cell(r.limit)} | {verdict} |")
    if not result.rules and result.failures:
        lines += ["", *(f"- {_cell(f)}" for f in result.failures)]
    return "\n".join(lines) + "\n"


def gate_text(result: GateResult) -> str:
    lines = [_summary(result)] + ([f"  {_method(result)}"] if _method(result) else [])
    for r in sorted(result.rules, key=lambda r: r.passed):
        lines.append(f"  {'PASS' if r.passed else 'FAIL'}  {r.rule:<12} {r.subject:<40} {_observed(r):>10}  {r.limit}")
    return "\n".join(lines) + "\n"
