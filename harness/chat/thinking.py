"""Thinking mode: one setting for every render (training, eval, EOS probe, template checks).

Qwen3/Qwen3.5 templates read `enable_thinking`: off, the generation prompt ends in an empty, closed
reasoning block (`<think>\n\n</think>\n\n`); on, Qwen3.5's ends in an open `<think>\n` and Qwen3's
lets the model open one. A template that does not read the variable is unchanged by it, so the
setting is resolved per template (`ChatSettings.for_template`): only the variables a template reads
reach result-store keys, and the token budget grows only where the model really reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
# Reasoning needs room the answer does not: the budget with thinking on, when the profile sets none.
THINKING_BUDGET_FACTOR = 4


@lru_cache(maxsize=32)
def template_reads(source: str) -> frozenset[str]:
    """The variables a chat template reads from its caller (jinja2's static analysis, no render)."""
    from jinja2 import TemplateSyntaxError, meta
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    try:
        return frozenset(meta.find_undeclared_variables(ImmutableSandboxedEnvironment().parse(source)))
    except TemplateSyntaxError:
        return frozenset()  # rendering reports the fault, naming the artifact


def open_block(prompt: str) -> str:
    """The reasoning opener a generation prompt ends inside (`<think>\\n`), or "" when none is open."""
    start = prompt.rfind(THINK_OPEN)
    return prompt[start:] if start >= 0 and prompt.rfind(THINK_CLOSE) < start else ""


def stored_output(prompt: str, generated: str) -> str:
    """A generation as stored: prefixed with the reasoning opener its prompt left open, so an output read
    alone says whether its reasoning closed (the parser calls `<think>` without `</think>` unfinished)."""
    return open_block(prompt) + generated


def answer_text(output: str) -> str:
    """What the model answered: the text after the last `</think>`, "" while reasoning is unfinished
    (harness/chat/reasoning.py, as the tool-call parser reads it); an output without reasoning as is."""
    from harness.chat.reasoning import split_reasoning

    return split_reasoning(output).answer if THINK_OPEN in output or THINK_CLOSE in output else output


@dataclass(frozen=True)
class TemplateChat:
    """The setting as one chat template sees it."""

    variables: dict[str, Any] = field(default_factory=dict)  # only those the template reads
    thinks: bool = False  # the model reasons before answering under this template and setting
    budget_tokens: int = 0  # the generation budget when it thinks

    def budget(self, answer_tokens: int) -> int:
        return max(answer_tokens, self.budget_tokens) if self.thinks else answer_tokens

    def key(self) -> dict[str, Any]:
        """What enters result-store keys: nothing for a template the setting does not touch, so stored
        outputs of such models (the demo's) stay valid."""
        return {"template_vars": self.variables} if self.variables else {}


@dataclass(frozen=True)
class ChatSettings:
    thinking: str = "off"  # off | on (the profile's eval.thinking)
    kwargs: tuple[tuple[str, Any], ...] = ()  # eval.template_kwargs
    max_new_tokens: int = 160  # eval.max_new_tokens: the answer budget
    thinking_max_new_tokens: int | None = None  # eval.thinking_max_new_tokens

    @classmethod
    def from_eval(cls, spec) -> ChatSettings:
        """From a profile's EvalSpec (duck-typed: profiles import nothing from here)."""
        return cls(spec.thinking, tuple(sorted(spec.template_kwargs.items())), spec.max_new_tokens,
                   spec.thinking_max_new_tokens)

    def variables(self) -> dict[str, Any]:
        return {**dict(self.kwargs), "enable_thinking": self.thinking == "on"}

    @property
    def reasoning_budget(self) -> int:
        return self.thinking_max_new_tokens or THINKING_BUDGET_FACTOR * self.max_new_tokens

    def for_template(self, source: str) -> TemplateChat:
        reads = template_reads(source)
        used = {k: v for k, v in self.variables().items() if k in reads}
        return TemplateChat(used, _thinks(source, used, self.thinking == "on" and "enable_thinking" in reads),
                            self.reasoning_budget)


def _thinks(source: str, variables: dict[str, Any], switched_on: bool) -> bool:
    """On where the template's switch says so; also where the generation prompt opens a reasoning block
    whatever the setting (a template that always thinks, such as QwQ's)."""
    if switched_on:
        return True
    from harness.chat.template import render
    from harness.errors import BadInput

    try:
        prompt = render(source, [{"role": "user", "content": "hi"}], variables=variables)
    except BadInput:
        return False
    return bool(open_block(prompt))
