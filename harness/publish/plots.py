"""The site's plots (PNG, matplotlib, headless): score against bits per weight per suite, size against
score, KL divergence against bits per weight, and each headline score across releases.

Every point carries its 95% interval; levels that are measured but not shipped are drawn hollow.
Each function writes one file and returns its name, or None when the report has nothing to plot.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: CI and servers have no display
from matplotlib import pyplot as plt

from harness.names import BASE, is_suite_metric
from harness.publish.metrics import base, headline, suite_metrics
from harness.records.report import Level, Report

COLORS = plt.get_cmap("tab10").colors
_STYLE = {"axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
          "font.size": 9, "legend.fontsize": 8, "legend.frameon": False}


def _save(fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)  # figures pile up in pyplot's registry otherwise
    return path.name


def _yerr(ms) -> list[list[float]]:
    return [[max(m.value - m.ci_low, 0) for m in ms], [max(m.ci_high - m.value, 0) for m in ms]]


def _level_ticks(ax, points: list[tuple[float, str]]) -> None:
    """Level names on the top axis at their x; levels closer than 2% of the span share one tick."""
    points = sorted(points)
    span = (points[-1][0] - points[0][0]) or 1.0
    groups: list[list[tuple[float, str]]] = []
    for x, name in points:
        if groups and x - groups[-1][-1][0] < 0.02 * span:
            groups[-1].append((x, name))
        else:
            groups.append([(x, name)])
    top = ax.secondary_xaxis("top")
    top.set_xticks([sum(x for x, _ in g) / len(g) for g in groups], ["/".join(n for _, n in g) for g in groups],
                   rotation=50, ha="left", fontsize=7)
    top.tick_params(length=0)


def _legend(ax, n: int) -> None:
    """Below the axes, in one row: never on top of the data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=min(n, 4))


def _series(ax, levels: list[Level], metric: str, x, color, offset: float = 0.0) -> bool:
    """One metric over the levels: filled points shipped, hollow not shipped, 95% interval bars."""
    drawn = False
    for shipped in (True, False):
        pts = [lv for lv in levels if metric in lv.metrics and lv.shipped == shipped]
        if not pts:
            continue
        ms = [lv.metrics[metric] for lv in pts]
        ax.errorbar([x(lv) + offset for lv in pts], [m.value for m in ms], yerr=_yerr(ms), fmt="o", capsize=3,
                    color=color, mfc=color if shipped else "white", label=metric if not drawn else None)
        drawn = True
    return drawn


def score_vs_bpw(report: Report, suite: str, path: Path) -> str | None:
    levels = sorted((lv for lv in report.levels if lv.name != BASE), key=lambda lv: lv.bits_per_weight)
    names = [m for m in suite_metrics(report, suite) if is_suite_metric(m)][:4] or suite_metrics(report, suite)[:4]
    if not levels or not names:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        span = max(lv.bits_per_weight for lv in levels) - min(lv.bits_per_weight for lv in levels) or 1.0
        for i, metric in enumerate(names):  # a small shift per metric keeps the interval bars apart
            offset = (i - (len(names) - 1) / 2) * span * 0.008
            _series(ax, levels, metric, lambda lv: lv.bits_per_weight, COLORS[i % 10], offset)
            lb = base(report)
            if lb is not None and metric in lb.metrics:
                ax.axhline(lb.metrics[metric].value, ls="--", lw=1, color=COLORS[i % 10], alpha=0.6)
        _level_ticks(ax, [(lv.bits_per_weight, lv.name) for lv in levels])
        ax.set(xlabel="bits per weight", ylabel="score (95% interval)", ylim=(-0.03, 1.03))
        fig.suptitle(f"{suite}: score vs bits per weight (dashed: base, hollow: not shipped)", fontsize=9)
        _legend(ax, len(names))
        return _save(fig, path)


def size_vs_score(report: Report, path: Path) -> str | None:
    levels = sorted((lv for lv in report.levels if lv.name != BASE), key=lambda lv: lv.size_bytes)
    metrics = [m for m in headline(report) if any(m in lv.metrics for lv in levels)]
    if not metrics:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        span = (levels[-1].size_bytes - levels[0].size_bytes) / 2**20 or 1.0
        for i, metric in enumerate(metrics):
            pts = [lv for lv in levels if metric in lv.metrics]
            offset = (i - (len(metrics) - 1) / 2) * span * 0.008
            ax.plot([lv.size_bytes / 2**20 + offset for lv in pts], [lv.metrics[metric].value for lv in pts],
                    color=COLORS[i % 10], lw=1, alpha=0.5)
            _series(ax, pts, metric, lambda lv: lv.size_bytes / 2**20, COLORS[i % 10], offset)
        _level_ticks(ax, [(lv.size_bytes / 2**20, lv.name) for lv in levels])
        ax.set(xlabel="file size (MiB)", ylabel="score (95% interval)", ylim=(-0.03, 1.03))
        fig.suptitle("Size vs score: each suite's headline (hollow: not shipped)", fontsize=9)
        _legend(ax, len(metrics))
        return _save(fig, path)


def kld_vs_bpw(report: Report, path: Path) -> str | None:
    levels = sorted((lv for lv in report.levels if "kld/mean" in lv.metrics and lv.metrics["kld/mean"].value > 0),
                    key=lambda lv: lv.bits_per_weight)
    if not levels:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        for i, metric in enumerate(m for m in ("kld/mean", "kld/p99") if all(m in lv.metrics for lv in levels)):
            pts = [lv for lv in levels if lv.metrics[metric].value > 0]
            ax.plot([lv.bits_per_weight for lv in pts], [lv.metrics[metric].value for lv in pts], "o-",
                    color=COLORS[i + 3], label=metric)
        _level_ticks(ax, [(lv.bits_per_weight, lv.name) for lv in levels])
        ax.set(xlabel="bits per weight", ylabel="KL divergence (log)", yscale="log")
        fig.suptitle("KL divergence from the 16-bit reference", fontsize=9)
        _legend(ax, 2)
        return _save(fig, path)


def trend(runs: list[Report], metric: str, path: Path) -> str | None:
    """metric of every level across releases (oldest left): one line per level name."""
    names = list(dict.fromkeys(lv.name for r in runs for lv in r.levels if metric in lv.metrics))
    if not names:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        xs = list(range(len(runs)))
        for i, name in enumerate(names):
            pts = [(x, lv.metrics[metric]) for x, r in zip(xs, runs) for lv in r.levels
                   if lv.name == name and metric in lv.metrics]
            ax.errorbar([x + (i - len(names) / 2) * 0.03 for x, _ in pts], [m.value for _, m in pts],
                        yerr=_yerr([m for _, m in pts]), fmt="o-", capsize=3, lw=1, color=COLORS[i % 10], label=name)
        ax.set_xticks(xs, [r.release for r in runs], rotation=20, ha="right")
        ax.set(ylabel=f"{metric} (95% interval)", ylim=(-0.03, 1.03))
        fig.suptitle(f"{metric} across releases", fontsize=9)
        _legend(ax, len(names))
        return _save(fig, path)
