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

    def chat_prompt(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str:
        if self._tools_ok is None:
            self._tools_ok = supports_tools(self.chat_template)
        msgs, tools_arg = to_template_messages(messages, tools, self._tools_ok)
        return render(self.chat_template, msgs, tools=tools_arg, add_generation_prompt=True,
                      bos_token=self.bos_token, eos_token=self.eos_token, origin=str(self.path))
