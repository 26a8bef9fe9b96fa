"""Chat template drift: render fixed conversations through each artifact's own template and compare.

What counts as drift: a missing template, a different render (system prompt, tool support, turn
markers), a different EOS. What does not: a leading BOS string the tokenizer adds anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.chat.template import render
from harness.errors import BadInput
from harness.models.inspect import ArtifactInfo, read_gguf_info, read_hf_info
from harness.report.model import Check

_TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Météo d'une ville",
                                          "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                         "required": ["city"]}}}
CONVERSATIONS: list[tuple[str, list[dict], list[dict] | None, bool]] = [
    ("user-only", [{"role": "user", "content": "Hello!"}], None, True),
    ("system", [{"role": "system", "content": "Tu es concis."}, {"role": "user", "content": "Bonjour, ça va ?"}], None, True),
    ("multi-turn", [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"},
                    {"role": "user", "content": "Et 3+3 ? Réponds en français, s'il te plaît — merci ✓"}], None, True),
    ("no-generation-prompt", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}], None, False),
    ("tools", [{"role": "user", "content": "Quel temps fait-il à Lyon ?"}], [_TOOL], True),
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


def render_all(info: ArtifactInfo, bos: str = "", eos: str = "") -> list[Rendered]:
    out = []
    for name, msgs, tools, gen in CONVERSATIONS:
        if not info.chat_template:
            out.append(Rendered(name, None, "no chat template"))
            continue
        try:
            text = render(info.chat_template, msgs, tools=tools, add_generation_prompt=gen, bos_token=bos, eos_token=eos)
            out.append(Rendered(name, text.removeprefix(bos) if bos else text))
        except BadInput as e:
            out.append(Rendered(name, None, str(e)))
    return out


def first_difference(a: str, b: str, context: int = 30) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return (f"first difference at char {i}: reference …{a[max(0, i - context): i + context]!r}… "
            f"vs candidate …{b[max(0, i - context): i + context]!r}…")


def compare(reference: Path, candidate: Path, label: str | None = None) -> Check:
    ref, cand = artifact_info(reference), artifact_info(candidate)
    name = f"chat_template:{label or Path(candidate).name}"
    if not cand.chat_template:
        return Check(name=name, passed=False, detail=f"{candidate}: no chat template")
    if not ref.chat_template:
        return Check(name=name, passed=False, detail=f"{reference}: the reference has no chat template")
    if ref.eos_token_ids != cand.eos_token_ids:
        return Check(name=name, passed=False, detail=f"EOS ids differ: {ref.eos_token_ids} vs {cand.eos_token_ids}")
    for r, c in zip(render_all(ref), render_all(cand)):
        if c.text is None and r.text is not None:
            return Check(name=name, passed=False, detail=f"{r.name}: candidate fails to render: {c.error}")
        if r.text is not None and c.text is not None and r.text != c.text:
            return Check(name=name, passed=False, detail=f"{r.name}: {first_difference(r.text, c.text)}")
    return Check(name=name, passed=True, detail=f"{len(CONVERSATIONS)} conversations render identically; EOS {cand.eos_token_ids}")
