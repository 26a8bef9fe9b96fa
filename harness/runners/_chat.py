"""Chat prompt construction shared by both runners: the artifact's template, tools by capability."""

from __future__ import annotations

from typing import Any

from harness.chat.template import render, supports_tools
from harness.chat.tools import to_template_messages


class ChatPromptMixin:
    chat_template: str
    bos_token: str
    eos_token: str
    path: Any
    _tools_ok: bool | None = None
    # Extra template variables of every prompt (the profile's thinking mode, template_kwargs).
    template_vars: dict[str, Any] = {}

    def chat_prompt(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                    reasoning: bool = True) -> str:
        """The generation prompt. reasoning=False renders the template's thinking-off prompt (an empty,
        closed reasoning block) whatever the setting: log-likelihood items score the answer's first
        tokens, which an open `<think>` would make reasoning tokens."""
        if self._tools_ok is None:
            self._tools_ok = supports_tools(self.chat_template)
        msgs, tools_arg = to_template_messages(messages, tools, self._tools_ok)
        variables = self.template_vars if reasoning else {**self.template_vars, "enable_thinking": False}
        return render(self.chat_template, msgs, tools=tools_arg, add_generation_prompt=True,
                      bos_token=self.bos_token, eos_token=self.eos_token, origin=str(self.path), variables=variables)
