"""`harness check-template`: chat-template and special-token drift between artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.options import Thinking, ThinkingOpt, exit_on_gate


def check_template(reference: Annotated[Path, typer.Argument(help="Reference HF folder or GGUF file.")],
                   candidates: Annotated[list[Path], typer.Argument(help="HF folders or GGUF files to compare.")],
                   thinking: ThinkingOpt = Thinking.off):
    """Compare CANDIDATES against REFERENCE: fixed conversations rendered by each artifact's chat template and
    tokenized by its own tokenizer, plus BOS/EOS/pad, add_bos, generation config and stop tokens (exit 1 on drift)."""
    from harness.checks.template import compare

    failed = False
    for cand in candidates:
        check = compare(reference, cand, variables={"enable_thinking": thinking is Thinking.on})
        mark = "PASS" if check.passed else "FAIL"
        typer.echo(f"{mark} {cand}: {check.detail}")
        failed |= not check.passed
    exit_on_gate(not failed)
