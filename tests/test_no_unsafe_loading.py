"""Weights only from safetensors and GGUF: no pickle loading, no remote code, anywhere in the project."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("harness", "evalsets", "bench", "scripts") for p in (ROOT / d).rglob("*.py")]
UNSAFE = [
    (re.compile(r"torch\.load\((?![^)]*weights_only=True)"), "torch.load without weights_only=True"),
    (re.compile(r"\bpickle\.loads?\(|\bdill\.loads?\(|\bjoblib\.load\("), "pickle loading"),
    (re.compile(r"trust_remote_code\s*=\s*True"), "trust_remote_code=True"),
    (re.compile(r"\byaml\.load\((?![^)]*SafeLoader)"), "yaml.load without SafeLoader"),
    (re.compile(r"(?<![\w.])(eval|exec)\("), "eval/exec of text"),
]


def test_sources_were_found():
    assert len(SOURCES) > 40


def test_no_unsafe_loading_in_the_project():
    found = [f"{p.relative_to(ROOT)}:{n}: {why}" for p in SOURCES
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             for rx, why in UNSAFE if rx.search(line) and not line.lstrip().startswith("#")]
    assert found == []


def test_the_patterns_catch_what_they_name():
    bad = ["x = torch.load(path)", "pickle.load(f)", "AutoModel.from_pretrained(p, trust_remote_code=True)",
           "yaml.load(text)", "eval(s)"]
    good = ["torch.load(p, weights_only=True)", "yaml.safe_load(t)", "model.eval()", "evaluate(x)"]
    assert all(any(rx.search(s) for rx, _ in UNSAFE) for s in bad)
    assert not any(rx.search(s) for s in good for rx, _ in UNSAFE)
