"""The bad-input catalogue (tests/data/bad_inputs/catalogue.yaml): every case exits 2 with one line
that names the file and what is wrong, no traceback, and nothing written under the output folder."""

from __future__ import annotations

import gzip
import json
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "bad_inputs"
CASES = yaml.safe_load((DATA / "catalogue.yaml").read_text(encoding="utf-8"))


def baseline_other_suite_version(tmp: Path) -> None:
    report = json.loads((ROOT / "tests" / "data" / "demo_run" / "report.json").read_text())
    for suite in report["suites"]:
        if suite["name"] == "fr/mc":
            suite["version"] = "2"
    (tmp / "baseline.json").write_text(json.dumps(report))
    shutil.copy(ROOT / "tests" / "data" / "demo_run" / "item_scores.json.gz", tmp / "item_scores.json.gz")


def _hf_copy(tmp: Path, src: Path, skip) -> Path:
    dst = tmp / "hf"
    dst.mkdir()
    for f in src.iterdir():
        if not skip(f.name):
            (dst / f.name).symlink_to(f)
    return dst


def hf_without_tokenizer(tmp: Path, embedded_hf_dir: Path) -> None:
    _hf_copy(tmp, embedded_hf_dir, lambda n: n.startswith(("tokenizer", "special_tokens", "chat_template")))


def hf_pickle_only(tmp: Path, embedded_hf_dir: Path) -> None:
    dst = _hf_copy(tmp, embedded_hf_dir, lambda n: n.endswith(".safetensors") or n.endswith(".index.json"))
    (dst / "pytorch_model.bin").write_bytes(gzip.compress(b"not even a pickle"))


DEEP = 200_000  # deeper than any parser's recursion limit


def profile_nul_byte(tmp: Path) -> None:
    (tmp / "nul.yaml").write_bytes(b"name: x\nbase: {kind: hf, name: b}\ndescription: a\x00b\n")


def profile_deeply_nested(tmp: Path) -> None:
    (tmp / "deep.yaml").write_text("name: x\nbase: {kind: hf, name: b}\ndescription: " + "[" * DEEP + "]" * DEEP + "\n")


def mixture_deeply_nested(tmp: Path) -> None:
    (tmp / "deep.jsonl").write_text('{"messages": ' + "[" * DEEP + "]" * DEEP + "}\n")
    (tmp / "p.yaml").write_text("name: x\nbase: {kind: hf, name: b}\ntrain:\n  mixture: {deep.jsonl: 1.0}\n")


def items_deeply_nested(tmp: Path) -> None:
    (tmp / "deep.jsonl").write_text('{"id": "a", "tools": ' + "[" * DEEP + "]" * DEEP + "}\n")


def site_items_deeply_nested(tmp: Path) -> None:
    _run_folder(tmp).joinpath("items.jsonl").write_text('{"level": ' + "[" * DEEP + "]" * DEEP + "}\n")


def site_items_not_utf8(tmp: Path) -> None:
    _run_folder(tmp).joinpath("items.jsonl").write_bytes(b'{"level": "q4", "task": "t", "item_id": "\xff"}\n')


def decisions_not_utf8(tmp: Path) -> None:
    _run_folder(tmp)
    (tmp / "notes").mkdir()
    (tmp / "notes" / "2026-12-01.md").write_bytes(b"# Note\n\ncaf\xe9\n")


def site_out_not_ours(tmp: Path) -> None:
    _run_folder(tmp)
    (tmp / "out" / "html").mkdir(parents=True)
    (tmp / "out" / "html" / "index.html").write_text("someone's page")


def report_is_a_folder(tmp: Path) -> None:
    (tmp / "run" / "report.json").mkdir(parents=True)


def out_is_a_file(tmp: Path) -> None:
    (tmp / "file").write_text("x")


def _run_folder(tmp: Path) -> Path:
    run = tmp / "run"
    run.mkdir(exist_ok=True)
    shutil.copy(ROOT / "tests" / "data" / "report_release_demo.json", run / "report.json")
    return run


def gguf_array_bomb(tmp: Path) -> None:
    """329 bytes claiming an array of 2**60 elements (gguf-py loops on it with memory growing)."""
    (tmp / "bomb.gguf").write_bytes(_gguf_head(1) + _gguf_string(b"tokenizer.ggml.tokens")
                                    + struct.pack("<IIQ", 9, 8, 2**60) + b"\x01" * 260)


def gguf_string_bomb(tmp: Path) -> None:
    (tmp / "str.gguf").write_bytes(_gguf_head(1) + _gguf_string(b"general.name") + struct.pack("<IQ", 8, 2**62) + b"x" * 64)


def _gguf_head(n_kv: int) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, 0, n_kv)


def _gguf_string(b: bytes) -> bytes:
    return struct.pack("<Q", len(b)) + b


def _hf_with(tmp: Path, embedded_hf_dir: Path, name: str, content: bytes) -> None:
    dst = _hf_copy(tmp, embedded_hf_dir, lambda n: n == name)
    (dst / name).write_bytes(content)


def hf_config_not_a_mapping(tmp: Path, embedded_hf_dir: Path) -> None:
    _hf_with(tmp, embedded_hf_dir, "config.json", b"[1, 2]")


def hf_generation_config_not_a_mapping(tmp: Path, embedded_hf_dir: Path) -> None:
    _hf_with(tmp, embedded_hf_dir, "generation_config.json", b'"eos"')


def hf_tokenizer_config_not_a_mapping(tmp: Path, embedded_hf_dir: Path) -> None:
    _hf_with(tmp, embedded_hf_dir, "tokenizer_config.json", b"null")


def hf_binary_chat_template(tmp: Path, embedded_hf_dir: Path) -> None:
    _hf_with(tmp, embedded_hf_dir, "chat_template.jinja", bytes(range(256)))


def _weights(tmp: Path, embedded_hf_dir: Path) -> Path:
    return _hf_copy(tmp, embedded_hf_dir, lambda n: n.endswith(".safetensors") or n.endswith(".index.json"))


def hf_safetensors_header_too_long(tmp: Path, embedded_hf_dir: Path) -> None:
    (_weights(tmp, embedded_hf_dir) / "model.safetensors").write_bytes(struct.pack("<Q", 10_000) + b"{}")


def hf_safetensors_header_2_63(tmp: Path, embedded_hf_dir: Path) -> None:
    (_weights(tmp, embedded_hf_dir) / "model.safetensors").write_bytes(struct.pack("<Q", 2**63) + b"{}" * 8)


def hf_safetensors_header_not_utf8(tmp: Path, embedded_hf_dir: Path) -> None:
    (_weights(tmp, embedded_hf_dir) / "model.safetensors").write_bytes(struct.pack("<Q", 4) + b"\xff\xfe{}")


def hf_safetensors_link_to_text(tmp: Path, embedded_hf_dir: Path) -> None:
    (tmp / "notes.txt").write_text("not weights at all, just a text file of some length\n" * 10)
    (_weights(tmp, embedded_hf_dir) / "model.safetensors").symlink_to(tmp / "notes.txt")


def hf_safetensors_is_a_folder(tmp: Path, embedded_hf_dir: Path) -> None:
    (_weights(tmp, embedded_hf_dir) / "model.safetensors").mkdir()


def hf_unrenderable_reference(tmp: Path, embedded_hf_dir: Path) -> None:
    _hf_with(tmp, embedded_hf_dir, "chat_template.jinja", b"{{ raise_exception('no conversation is supported') }}")
    (tmp / "good").symlink_to(embedded_hf_dir)


def hf_named_templates(tmp: Path, embedded_hf_dir: Path) -> None:
    """chat_template as a list of named templates in tokenizer_config.json (a Hub format)."""
    template = (embedded_hf_dir / "chat_template.jinja").read_text()
    cfg = json.loads((embedded_hf_dir / "tokenizer_config.json").read_text())
    cfg["chat_template"] = [{"name": "default", "template": template}, {"name": "rag", "template": "{{ x }}"}]
    dst = _hf_copy(tmp, embedded_hf_dir, lambda n: n in ("chat_template.jinja", "tokenizer_config.json"))
    (dst / "tokenizer_config.json").write_text(json.dumps(cfg))
    (tmp / "good").symlink_to(embedded_hf_dir)


def gate_nan_p_value(tmp: Path) -> None:
    report = json.loads((ROOT / "tests" / "data" / "demo_run" / "report.json").read_text())
    for c in report["comparisons"]:
        if (c["a"], c["b"], c["metric"]) == ("bf16", "q4_k_m", "fc/call_exact"):
            c["p_value"] = float("nan")
    (tmp / "report.json").write_text(json.dumps(report))
    shutil.copy(ROOT / "tests" / "data" / "demo_run" / "item_scores.json.gz", tmp / "item_scores.json.gz")


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_catalogue_has_at_least_30_distinct_cases():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case, tmp_path, request):
    if case.get("build"):
        build = globals()[case["build"]]
        args = [tmp_path] + ([request.getfixturevalue("embedded_hf_dir")] if "embedded_hf_dir" in build.__code__.co_varnames else [])
        build(*args)
    argv = [a.format(data=DATA, tmp=tmp_path, root=ROOT) for a in case["argv"]]
    limit = case.get("fsize_limit")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, preexec_fn=_limit_file_size(limit) if limit else None)
    code = case.get("exit", 2)
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    if code != 2:  # a verdict, not an error: the check's own line on stdout says why
        assert re.search(case["expect"], proc.stdout, re.MULTILINE), proc.stdout[-3000:]
        return
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith("harness: error: "), lines[0]
    assert re.search(case["expect"], lines[0]), lines[0]
    if not case.get("writes"):
        assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("*")), "bad input wrote output"
