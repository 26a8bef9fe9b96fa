"""Chat template drift: render fixed conversations through each artifact's own template, tokenize the
renders with each artifact's own tokenizer, and compare; then compare the special tokens.

What counts as drift: a missing template, a different render (system prompt, tool support, turn
markers), a different token sequence, a different BOS/EOS/pad, add_bos, generation config or stop set.
What does not: a leading `{{ bos_token }}` dropped from a template whose tokenizer adds BOS anyway
(the model is fed the same tokens).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.chat.template import render, supports_tools
from harness.chat.tools import to_template_messages
from harness.checks.tokens import Vocab, first_token_difference, load_vocab, special_token_problems
from harness.errors import BadInput
from harness.models.inspect import ArtifactInfo, read_gguf_info, read_hf_info
from harness.names import CHAT_TEMPLATE, check_name
from harness.records.report import Check

_TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Météo d'une ville",
                                          "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                         "required": ["city"]}}}
_CALL = {"role": "assistant", "content": "",
         "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Lyon"}}}]}
CONVERSATIONS: list[tuple[str, list[dict], list[dict] | None, bool]] = [
    ("user-only", [{"role": "user", "content": "Hello!"}], None, True),
    ("system", [{"role": "system", "content": "Tu es concis."}, {"role": "user", "content": "Bonjour ! Il est 10h45, j'ai 3 456,78 € — ça va ?"}], None, True),
    ("multi-turn", [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"},
                    {"role": "user", "content": "Et 3+3 ?\n\n  Réponds en français, s'il te plaît ✓ (Zoë's café)"}], None, True),
    ("no-generation-prompt", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}], None, False),
    ("tools", [{"role": "user", "content": "Quel temps fait-il à Lyon ?"}], [_TOOL], True),
    ("tool-call-and-result", [{"role": "user", "content": "Quel temps fait-il à Lyon ?"}, _CALL,
                              {"role": "tool", "content": '{"temp_c": 21, "ciel": "dégagé"}'}], [_TOOL], True),
]


@dataclass(frozen=True)
class Rendered:
    name: str
    text: str | None
    error: str | None = None


def artifact_info(path: Path) -> ArtifactInfo:
    path = Path(path)
    if path.is_dir():
        return read_hf_info(path)
    if path.suffix == ".gguf" or path.is_file():
        return read_gguf_info(path)
    raise BadInput(path, "not an HF folder or a GGUF file")


def render_all(info: ArtifactInfo, bos: str = "", eos: str = "", variables: dict | None = None) -> list[Rendered]:
    """Each conversation as the harness feeds it to this artifact: tools through the template when it
    supports them, else in the system prompt (harness/chat/tools.py), so lost tool support shows;
    `variables` (the thinking mode) as every other render of the release gets them."""
    if not info.chat_template:
        return [Rendered(name, None, "no chat template") for name, *_ in CONVERSATIONS]
    tools_ok = supports_tools(info.chat_template)
    out = []
    for name, msgs, tools, gen in CONVERSATIONS:
        messages, tools_arg = to_template_messages(msgs, tools, tools_ok)
        try:
            text = render(info.chat_template, messages, tools=tools_arg, add_generation_prompt=gen,
                          bos_token=bos, eos_token=eos, origin=str(info.path), variables=variables)
            out.append(Rendered(name, text))
        except BadInput as e:
            out.append(Rendered(name, None, e.what))
    return out


def first_difference(a: str, b: str, context: int = 30) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return (f"first difference at char {i}: reference …{a[max(0, i - context): i + context]!r}… "
            f"vs candidate …{b[max(0, i - context): i + context]!r}…")


def _renders(info: ArtifactInfo, v: Vocab, variables: dict | None) -> list[Rendered]:
    return render_all(info, v.string(v.bos), v.string(v.eos), variables)


def _render_problems(ref: ArtifactInfo, rv: Vocab, cand: ArtifactInfo, cv: Vocab,
                     variables: dict | None = None) -> tuple[list[str], int]:
    differing, n_tokens = [], 0
    refs, cands = _renders(ref, rv, variables), _renders(cand, cv, variables)
    if all(r.text is None for r in refs):  # nothing was compared: that is no evidence of a match
        return [f"{ref.path}: the reference renders none of the {len(refs)} conversations ({refs[0].error})"], 0
    for r, c in zip(refs, cands):
        if r.text is None:
            # Both refusing alike (a template without a system role) is the same behaviour.
            if c.text is not None or c.error != r.error:
                differing.append(f"{r.name}: the reference fails to render it ({r.error}) but the candidate "
                                 + ("renders it" if c.text is not None else f"fails otherwise ({c.error})"))
            continue
        if c.text is None:
            differing.append(f"{r.name}: candidate fails to render: {c.error}")
            continue
        (rt, rids), (ct, cids) = rv.sequence(r.text), cv.sequence(c.text)
        n_tokens += len(rids)
        if rt != ct:
            differing.append(f"{r.name}: {first_difference(rt, ct)}; {first_token_difference(rv, rids, cv, cids)}")
        elif rids != cids:
            differing.append(f"{r.name}: same text, different tokens: {first_token_difference(rv, rids, cv, cids)}")
    if len(differing) > 1:
        differing = [f"{differing[0]} (and {len(differing) - 1} more conversations differ)"]
    return differing, n_tokens


def compare(reference: Path, candidate: Path, label: str | None = None, variables: dict | None = None) -> Check:
    """Check `candidate` against `reference`; named chat_template:<label>, about level <label> when given.
    `variables`: extra template variables for both sides' renders (the release's thinking mode)."""
    ref, cand = artifact_info(reference), artifact_info(candidate)
    name = check_name(CHAT_TEMPLATE, label or Path(candidate).name)
    if not cand.chat_template:
        return Check(name=name, level=label, passed=False, detail=f"{candidate}: no chat template")
    if not ref.chat_template:
        return Check(name=name, level=label, passed=False, detail=f"{reference}: the reference has no chat template")
    rv, cv = load_vocab(ref), load_vocab(cand)
    problems, n_tokens = _render_problems(ref, rv, cand, cv, variables)
    problems += special_token_problems(rv, cv)
    if problems:
        return Check(name=name, level=label, passed=False, detail="; ".join(problems))
    stops = ", ".join(f"{i} {cv.string(i)!r}" for i in sorted(cv.stop))
    return Check(name=name, level=label, passed=True,
                 detail=f"{len(CONVERSATIONS)} conversations render and tokenize identically ({n_tokens} tokens"
                        f"{_mode(ref.chat_template, variables)}); "
                        f"EOS {cv.eos} {cv.string(cv.eos)!r}, BOS {cv.bos} {cv.string(cv.bos)!r}, "
                        f"add_bos {cv.add_bos}, stops on [{stops}]")


def _mode(template: str, variables: dict | None) -> str:
    """", thinking off" where the template reads the switch the renders were given."""
    from harness.chat.thinking import template_reads

    if not variables or "enable_thinking" not in variables or "enable_thinking" not in template_reads(template):
        return ""
    return f", thinking {'on' if variables['enable_thinking'] else 'off'}"
