"""Model runners: one interface over an HF folder (transformers) and a GGUF file (llama.cpp)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Generation:
    text: str  # the new text, without the end token
    n_tokens: int  # new tokens, the end token included
    stopped: bool  # generation ended on an end-of-generation token, not on the length bound


class Runner(Protocol):
    kind: str  # "hf" | "gguf"
    path: Path
    chat_template: str  # the artifact's own template
    bos_token: str
    eos_token: str

    template_vars: dict[str, Any]  # extra chat-template variables of every prompt (thinking mode, ...)

    def chat_prompt(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                    reasoning: bool = True) -> str: ...

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[str]: ...

    def generate_with_stop(self, prompts: list[str], max_new_tokens: int) -> list[Generation]:
        """Greedy generation that says whether each prompt ended on an end token (the EOS probe)."""
        ...

    def loglikelihood(self, requests: list[tuple[str, str]]) -> list[tuple[float, bool]]:
        """Sum log-prob of each continuation after its context, and whether it is the greedy one."""
        ...

    def logits_for_tokens(self, tokens: list[int]) -> Any:
        """Logits (numpy float32, [n_tokens, vocab]) at every position of a token sequence."""
        ...

    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text` as this artifact's own tokenizer splits it (no special tokens added)."""
        ...

    def close(self) -> None: ...


def open_runner(kind: str, path: Path, n_ctx: int = 2048, template_vars: dict[str, Any] | None = None) -> Runner:
    if kind == "gguf":
        from harness.runners.gguf import GGUFRunner

        runner: Runner = GGUFRunner(path, n_ctx=n_ctx)
    else:
        from harness.runners.hf import HFRunner

        runner = HFRunner(path, n_ctx=n_ctx)
    runner.template_vars = dict(template_vars or {})
    return runner
