"""The EOS probe under the thinking setting: its bound covers the reasoning, its outputs carry the
opener, and its store key stays as it was for templates without the switch."""

from __future__ import annotations

from harness.chat.thinking import ChatSettings
from harness.evals.probe import MAX_NEW_TOKENS, SETTINGS, probe_check, run_probe, settings
from harness.evals.store import ResultStore
from harness.runners import Generation
from harness.runners._chat import ChatPromptMixin
from tests.qwen_fixtures import vendored_template


class Reasoner(ChatPromptMixin):
    """Reasons for `n` tokens before answering; stops only if the bound allows it."""

    def __init__(self, template: str, variables: dict, n: int) -> None:
        self.chat_template, self.bos_token, self.eos_token, self.path = template, "", "<|im_end|>", "tpl"
        self.template_vars, self.n, self.bounds = variables, n, []

    def generate_with_stop(self, prompts, max_new_tokens):
        self.bounds.append(max_new_tokens)
        done = self.n + 3 <= max_new_tokens
        text = "hmm " * self.n + ("\n</think>\n\nParis" if done else "")
        return [Generation(text, min(self.n + 3, max_new_tokens), done) for _ in prompts]


def test_legacy_key_unchanged():
    assert SETTINGS == '{"decoding": "greedy", "max_new_tokens": 64, "prompt_format": 1}' == settings()


def test_thinking_on_bound_covers_reasoning(tmp_path):
    chat = ChatSettings("on", max_new_tokens=512).for_template(vendored_template("Qwen3.5-4B.jinja"))
    runner = Reasoner(vendored_template("Qwen3.5-4B.jinja"), chat.variables, n=300)  # far past the plain bound of 64
    with ResultStore(tmp_path / "r.sqlite") as store:
        items = run_probe(runner, store, "sha", chat)
        assert run_probe(None, store, "sha", chat) == items  # stored under its own key
        assert store.get("sha", "check/eos_probe", "1", SETTINGS) == {}
    assert runner.bounds == [2048] and all(i.output.startswith("<think>\nhmm ") for i in items)
    check = probe_check("q4_k_m", items)
    assert check.passed and "within 2048 new tokens" in check.detail


def test_thinking_off_keeps_the_plain_bound(tmp_path):
    chat = ChatSettings("off", max_new_tokens=512).for_template(vendored_template("Qwen3.5-4B.jinja"))
    runner = Reasoner(vendored_template("Qwen3.5-4B.jinja"), chat.variables, n=300)
    with ResultStore(tmp_path / "r.sqlite") as store:
        items = run_probe(runner, store, "sha", chat)
    assert runner.bounds == [MAX_NEW_TOKENS]
    check = probe_check("q4_k_m", items)
    assert not check.passed and f"within {MAX_NEW_TOKENS} new tokens" in check.detail
