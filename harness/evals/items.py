"""`harness eval --items FILE`: a registered task scored on the user's own items instead of its own."""

from __future__ import annotations

from pathlib import Path

from harness.cache import sha256_file
from harness.errors import BadInput
from harness.evals.core import Task, task_with
from harness.evals.registry import get_task, task_names


def task_with_items(path: Path, tasks: list[str] | None) -> Task:
    """A copy of the one named task over the user's file, checked now, before any model loads (the
    registry keeps the original). Its version gets the file's hash, so stored outputs never mix with
    the built-in items'."""
    readers = [n for n in task_names() if get_task(n).dataset_from is not None]
    if not tasks or len(tasks) != 1 or tasks[0] not in readers:
        raise BadInput(path, f"--items needs exactly one --task among {readers}")
    if not path.is_file():
        raise BadInput(path, "no such items file")
    task = get_task(tasks[0])
    try:
        samples = task.dataset_from(path)
    except KeyError as e:
        raise BadInput(path, f"an item lacks the field {e}") from None
    except RecursionError:
        raise BadInput(path, "JSON nested too deeply") from None
    except UnicodeDecodeError as e:
        raise BadInput(path, f"not UTF-8 text (byte {e.start})") from None
    except (TypeError, ValueError, AttributeError, IndexError) as e:
        raise BadInput(path, f"malformed item: {type(e).__name__}: {e}") from None
    return task_with(task, dataset=lambda: samples, version=f"{task.version}+items-{sha256_file(path)[:12]}")
