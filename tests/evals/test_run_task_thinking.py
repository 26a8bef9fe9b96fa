"""The thinking setting through run_task: prompts rendered by the Qwen3.5 template in the chosen mode,
the budget raised for reasoning, outputs stored with the opener their prompt left open, result-store
keys that separate modes (and stay as they were for templates without the switch)."""

from __future__ import annotations

from harness.chat.thinking import ChatSettings
from harness.evals.core import Sample, Task
from harness.evals.run_task import run_task, settings_key
from harness.evals.store import ResultStore
from harness.runners._chat import ChatPromptMixin
from tests.qwen_fixtures import vendored_template

GEN = [Sample(id="g1", messages=[{"role": "user", "content": "Capitale de la France ?"}])]
MC = [Sample(id="m1", messages=[{"role": "user", "content": "2+2 ?"}], choices=["3", "4"], target=1)]


def _gen_task() -> Task:
    return Task(name="fr/short", version="v", dataset=lambda: list(GEN), solver="generate",
                scorer=lambda s, out: {"seen": float(out.startswith("<think>\n"))}, metrics=("seen",), max_new_tokens=48)


def _mc_task() -> Task:
    return Task(name="fr/mc", version="v", dataset=lambda: list(MC), solver="choices",
                scorer=lambda s, out: {"mc_acc": float(out == "1")}, metrics=("mc_acc",))


class TemplateRunner(ChatPromptMixin):
    """The real prompt code over an official template; canned generations (no weights needed here)."""

    def __init__(self, template: str, variables: dict) -> None:
        self.chat_template, self.bos_token, self.eos_token, self.path = template, "", "<|im_end|>", "tpl"
        self.template_vars = variables
        self.prompts: list[str] = []
        self.budgets: list[int] = []
        self.contexts: list[str] = []

    def generate(self, prompts, max_new_tokens):
        self.prompts += prompts
        self.budgets.append(max_new_tokens)
        return ["La capitale...\n</think>\n\nParis"] * len(prompts)

    def loglikelihood(self, requests):
        self.contexts += [c for c, _ in requests]
        return [(-1.0 if cont == "4" else -2.0, True) for _, cont in requests]


def _run(mode: str, template: str, tmp_path):
    chat = ChatSettings(mode, max_new_tokens=48).for_template(template)
    runner = TemplateRunner(template, chat.variables)
    with ResultStore(tmp_path / f"{mode}.sqlite") as store:
        gen = run_task(runner, _gen_task(), None, store, "sha", 48, 4096, "lvl", chat)
        mc = run_task(runner, _mc_task(), None, store, "sha", 48, 4096, "lvl", chat)
    return runner, gen, mc, chat


def test_qwen35_thinking_on(tmp_path):
    runner, gen, mc, _ = _run("on", vendored_template("Qwen3.5-4B.jinja"), tmp_path)
    assert runner.prompts[0].endswith("<|im_start|>assistant\n<think>\n")
    assert runner.budgets == [192]  # 4 x the answer budget: room for the reasoning
    assert gen[0].output == "<think>\nLa capitale...\n</think>\n\nParis" and gen[0].scores["seen"] == 1.0
    # Log-likelihood items score the answer, after the template's own closed, empty reasoning block.
    assert runner.contexts[0].endswith("<think>\n\n</think>\n\n") and mc[0].output == "1"


def test_qwen35_thinking_off(tmp_path):
    runner, gen, _, _ = _run("off", vendored_template("Qwen3.5-4B.jinja"), tmp_path)
    assert runner.prompts[0].endswith("<think>\n\n</think>\n\n") and runner.budgets == [48]
    assert not gen[0].output.startswith("<think>")  # nothing was left open: stored as generated


def test_keys_separate_modes_and_stay_put_without_a_switch():
    qwen = vendored_template("Qwen3.5-4B.jinja")
    on, off = (settings_key(_gen_task(), 160, 2048, ChatSettings(m).for_template(qwen)) for m in ("on", "off"))
    assert on != off and '"enable_thinking": true' in on and '"max_new_tokens": 640' in on
    # Both modes score log-likelihood items after a closed block: one key, outputs shared.
    assert len({settings_key(_mc_task(), 160, 2048, ChatSettings(m).for_template(qwen)) for m in ("on", "off")}) == 1
    smol = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    legacy = '{"decoding": "greedy", "max_new_tokens": 48, "n_ctx": 2048, "prompt_format": 1, "solver": "generate"}'
    for mode in ("on", "off"):  # the demo's stored outputs keep their key
        assert settings_key(_gen_task(), 160, 2048, ChatSettings(mode).for_template(smol)) == legacy
    assert settings_key(_gen_task(), 160, 2048) == legacy
