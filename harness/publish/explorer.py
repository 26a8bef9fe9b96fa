"""The failed-item explorer: one page per release and level with every item that level got wrong.

Model text (prompts, expected answers, outputs) is untrusted. It reaches a page only through
html.escape, inside <pre> blocks of a raw HTML block that Markdown leaves alone, and these pages are
kept out of the search index (the theme renders search snippets as HTML).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

from harness.publish.metrics import Markup, md_escape, md_table
from harness.records.failed_items import FailedItem
from harness.records.report import Report

_NO_SEARCH = "---\nsearch:\n  exclude: true\n---\n"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "x"


def levels_of(report: Report, items: list[FailedItem]) -> list[str]:
    """Levels with failed items, in the report's order (unknown names last)."""
    order = [lv.name for lv in report.levels]
    return sorted({i.level for i in items}, key=lambda n: (order.index(n) if n in order else len(order), n))


def _natural(text: str) -> list:
    """'item_14' before 'item_137': numbers in ids compare as numbers."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _item(item: FailedItem) -> str:
    gist = " ".join((item.prompt or "").split())
    gist = gist[:90] + "…" if len(gist) > 90 else gist
    parts = [(f'<details class="item"><summary><code>{html.escape(item.item_id)}</code> '
             f'{html.escape(gist)}</summary>')]
    for key in ("prompt", "expected", "output"):
        if getattr(item, key) is not None:
            parts.append(f'<p class="item-label">{key}</p>\n<pre class="item">{html.escape(getattr(item, key))}</pre>')
    return "\n".join(parts) + "\n</details>\n"


def level_page(report: Report, level: str, items: list[FailedItem]) -> str:
    mine = sorted((i for i in items if i.level == level), key=lambda i: (i.task, _natural(i.item_id)))
    counts = Counter(i.task for i in mine)
    out = [_NO_SEARCH, f"# Failed items: {md_escape(report.release)} · {md_escape(level)}\n",
           (f"{len(mine)} items this level got wrong, by task. Open an item to see the prompt, the expected "
           "answer and the model's output (shown as text, exactly as produced).\n"),
           md_table(["Task", "Failed"], [[Markup(f"[{md_escape(t)}](#task-{slug(t)})"), n] for t, n in counts.items()],
                    right={1}), ""]
    for task in counts:
        out.append(f"## {md_escape(task)} {{#task-{slug(task)}}}\n")
        out += [_item(i) for i in mine if i.task == task]
    return "\n".join(out)


def page_names(report: Report, items: list[FailedItem]) -> dict[str, str]:
    """Level -> its page's file name. Level names are untrusted: two may slug alike, and one may slug
    to the index page's own name."""
    out: dict[str, str] = {}
    for lv in levels_of(report, items):
        name, n = slug(lv), 1
        while name == "index" or f"{name}.md" in out.values():
            name, n = f"{slug(lv)}-{n}", n + 1
        out[lv] = f"{name}.md"
    return out


def index_page(report: Report, items: list[FailedItem], run_slug: str) -> str:
    out = [_NO_SEARCH, f"# Failed items: {md_escape(report.release)}\n"]
    if not items:
        return "\n".join([*out, "No item-level outputs were stored for this run.\n"])
    rows, pages = [], page_names(report, items)
    for lv in levels_of(report, items):
        mine = [i for i in items if i.level == lv]
        tasks = Counter(i.task for i in mine)
        rows.append([Markup(f"[{md_escape(lv)}]({pages[lv]})"), len(mine),
                     ", ".join(f"{md_escape(t)} ({n})" for t, n in tasks.most_common())])
    out += ["Every item a level got wrong, with the prompt, the expected answer and the output.\n",
            md_table(["Level", "Failed", "By task"], rows, right={1}),
            f"\nBack to the [release page](../../releases/{run_slug}.md).\n"]
    return "\n".join(out)


def write_pages(folder: Path, report: Report, items: list[FailedItem], run_slug: str) -> dict[str, tuple[str, int]]:
    """Write folder/index.md and folder/<level>.md; returns level -> (page name, failed count)."""
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(index_page(report, items, run_slug), encoding="utf-8")
    out = {}
    for lv, page in page_names(report, items).items():
        (folder / page).write_text(level_page(report, lv, items), encoding="utf-8")
        out[lv] = (page, sum(i.level == lv for i in items))
    return out
