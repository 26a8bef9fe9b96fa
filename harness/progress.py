"""The progress display: one line per stage (cached or timed), bars for long loops. Writes to stderr."""

from __future__ import annotations

import time
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True, highlight=False)


@contextmanager
def stage(name: str, detail: str = ""):
    started = time.monotonic()
    console.print(f"[bold cyan]▶ {name}[/] {detail}")
    yield
    console.print(f"[green]✓ {name}[/] [dim]{time.monotonic() - started:.1f}s[/]")


def cached(name: str, where: str) -> None:
    console.print(f"[green]✓ {name}[/] [dim]cached ({where})[/]")


def quiet_libraries() -> None:
    """Our display is the progress display: silence the libraries' own bars and warnings."""
    import logging
    import os
    import warnings

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")  # lm-eval's and datasets' bars
    warnings.filterwarnings("ignore")
    for name in ("transformers", "datasets", "peft", "trl", "accelerate", "lm_eval", "gguf", "hf-to-gguf"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import datasets
        import transformers

        datasets.disable_progress_bars()
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
    except ImportError:
        pass


def note(text: str) -> None:
    console.print(f"  [dim]{text}[/]")


# A worker of a spread evaluation (harness/evals/worker.py) sends its bars to the driver, which draws one
# line per worker: (description, total, advanced by).
_bar_sink = None


def send_bars(sink) -> None:
    global _bar_sink
    _bar_sink = sink


@contextmanager
def bar(description: str, total: int):
    if _bar_sink is not None:
        sink = _bar_sink
        sink(description, total, 0)
        yield lambda n=1: sink(description, total, n)
        return
    with Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task_id = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task_id, n)
