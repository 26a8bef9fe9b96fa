"""What bench/eval_gpu.py runs on the GPU machine, rendered here (the GPU machine has neither the eval data
nor the network): the tokenizer, 64 BFCL `live_multiple` prompts for the side-by-side rates, and the whole
task set of one level of a profile (`4b` by default), the same prompts and requests the pipeline builds:
every generation prompt through the official Qwen3.5 template with the profile's thinking setting,
every multiple-choice item of our own tasks as (context, choice) pairs, and every lm-eval general item
(MMLU, HellaSwag, ARC) as lm-eval's (query, " " + choice) requests."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any


class _TemplateOnly:
    """The runners' chat_prompt without a model: the template, its tokens and the profile's variables."""

    def __init__(self, template: str, variables: dict[str, Any]):
        from harness.runners._chat import ChatPromptMixin

        self._mixin = type("T", (ChatPromptMixin,), {})()
        self._mixin.chat_template, self._mixin.bos_token, self._mixin.eos_token = template, "", "<|im_end|>"
        self._mixin.path, self._mixin.template_vars = "Qwen3.5 template", variables

    def chat_prompt(self, messages, tools, reasoning: bool = True) -> str:
        return self._mixin.chat_prompt(messages, tools, reasoning)


def level_task_set(profile_name: str, template: str) -> dict[str, Any]:
    """{"generate": [{task, prompt, max_new_tokens}], "choices": [{task, context, choices}],
    "general": [{task, query, choices}]} of one level of the profile."""
    from harness.chat.thinking import ChatSettings
    from harness.evals.core import select
    from harness.evals.registry import resolve
    from harness.evals.run_task import task_chat
    from harness.profiles.model import load_profile

    spec = load_profile(profile_name).eval
    chat = ChatSettings.from_eval(spec).for_template(template)
    every = resolve(spec.suites, spec.tasks)
    tasks = [t for t in every if t.solver != "lm_eval"]
    general = [t for t in every if t.solver == "lm_eval" and not t.hub]  # Hub tasks: not run offline
    out: dict[str, list] = {"generate": [], "choices": [], "general": []}
    render = _TemplateOnly(template, chat.variables)  # the level's runner renders with these (LazyRunner)
    for task in tasks:
        samples = select(spec.limits.get(task.name, spec.limit), task.dataset())
        budget = task_chat(task, chat).budget(task.max_new_tokens or spec.max_new_tokens)
        for s in samples:
            if task.solver == "generate":
                out["generate"].append({"task": task.name, "prompt": render.chat_prompt(s.messages, s.tools),
                                        "max_new_tokens": budget})
            else:
                out["choices"].append({"task": task.name, "choices": list(s.choices or []),
                                       "context": render.chat_prompt(s.messages, s.tools, reasoning=False)})
    for task in general:
        for d in task.docs(spec.limits.get(task.name, spec.limit)):
            out["general"].append({"task": task.name, "query": d["query"], "choices": d["choices"]})
    return out


def _counts(tokenizer: Path, level: dict[str, Any]) -> dict[str, int]:
    """Tokens of the level's work, for bench/eval_gpu.py's projection from measured rates."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer)

    def n(texts: list[str]) -> int:
        return sum(len(x) for x in tok(texts, add_special_tokens=False)["input_ids"])

    gen = level["generate"]
    return {"generate_items": len(gen), "prompt_tokens": n([g["prompt"] for g in gen]),
            "budget_tokens": sum(g["max_new_tokens"] for g in gen),
            "general_requests": sum(len(g["choices"]) for g in level["general"]),
            "general_tokens": n([g["query"] + " " + c for g in level["general"] for c in g["choices"]]),
            "choice_requests": sum(len(g["choices"]) for g in level["choices"]),
            "choice_tokens": n([g["context"] + c for g in level["choices"] for c in g["choices"]])}


def prepare(tokenizer: Path, out: Path, profile: str, n_prompts: int) -> None:
    from harness.chat.template import render
    from harness.chat.tools import to_template_messages
    from harness.evals.bfcl import bfcl_samples

    out.mkdir(parents=True, exist_ok=True)
    template = (tokenizer / "chat_template.jinja").read_text(encoding="utf-8")
    prompts = []
    for s in bfcl_samples("live_multiple")[:n_prompts]:
        msgs, tools = to_template_messages(s.messages, s.tools, True)
        prompts.append(render(template, msgs, tools=tools, variables={"enable_thinking": False}))
    (out / "prompts.json").write_text(json.dumps(prompts))
    for f in tokenizer.iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template")):
            shutil.copy2(f, out / f.name)
    level = level_task_set(profile, template)
    level["counts"] = _counts(tokenizer, level)
    with gzip.open(out / "level.json.gz", "wt", encoding="utf-8") as fh:
        json.dump({"profile": profile, **level}, fh)
    n_gen, n_mc = len(level["generate"]), len(level["choices"])
    print(f"{len(prompts)} prompts; level of {profile}: {n_gen} generation items, {n_mc} multiple-choice items "
          f"of our own, {len(level['general'])} general (lm-eval) items -> {out}")
