"""Generate tests/data/bfcl_cases.jsonl: perturbed outputs of BFCL's six AST categories, judged by
BFCL's own, unmodified `ast_checker`.

    python scripts/bfcl_cases.py [--venv /tmp/bfcl-venv] [--per-category 40]

BFCL's checker imports every API client of the leaderboard (openai, anthropic, cohere, ...), so it
runs in an isolated venv that holds bfcl-eval with all its dependencies (made here on first use, the
install serialised by /tmp/harness-heavy.lock); the project's venv keeps bfcl-eval --no-deps, for the
data alone. The cases then test the project's matcher (tests/evals/test_bfcl_parity.py) against the
verdicts, without the isolated venv.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

BFCL_VERSION = "2026.3.23"
CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple")
# A model whose config leaves function names as they are (no "." -> "_" rewrite): names compare exactly.
MODEL = "Qwen_Qwen3-8B-FC"
SEED = 15
# Rules that few sampled items exercise (objects with booleans, number arrays, optional integer arrays):
# the rest of each category is searched for up to PROBES cases of each.
RARE = ("bool_number", "int_in_number_array", "optional_array_items", "int_array_float_item", "explicit_empty_array",
        "dict_int_as_float", "dict_number_as_string", "dict_value_case", "dict_extra_key", "dict_dropped_key")
PROBES = 6
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "bfcl_cases.jsonl"


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import bfcl_eval.eval_checker.ast_eval.ast_checker"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # qwen-agent (a bfcl-eval dependency) imports soundfile without declaring it.
    subprocess.run(["flock", "/tmp/harness-heavy.lock", str(python), "-m", "pip", "install", "-q",
                    f"bfcl-eval=={BFCL_VERSION}", "soundfile"], check=True)
    subprocess.run(probe, check=True)
    return python


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def judge(per_category: int, out: Path) -> None:
    """Runs inside the isolated venv."""
    import importlib.metadata

    import bfcl_eval
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

    from bfcl_perturb import perturb

    version = importlib.metadata.version("bfcl-eval")
    assert version == BFCL_VERSION, f"bfcl-eval {version}, expected {BFCL_VERSION}"
    data = Path(bfcl_eval.__file__).parent / "data"
    rng = random.Random(SEED)
    rows = []
    for category in CATEGORIES:
        items = _read(data / f"BFCL_v4_{category}.json")
        answers = {a["id"]: a["ground_truth"] for a in _read(data / "possible_answer" / f"BFCL_v4_{category}.json")}
        sampled = rng.sample(items, min(per_category, len(items)))
        chosen = {i["id"] for i in sampled}
        probes: dict[str, int] = {}
        for item in sampled + [i for i in items if i["id"] not in chosen]:
            for n, (kind, calls, override) in enumerate(perturb(item, answers[item["id"]], rng)):
                if item["id"] not in chosen:  # the rest of the category: only the rare rules, a few each
                    if kind not in RARE or probes.get(kind, 0) >= PROBES:
                        continue
                    probes[kind] = probes.get(kind, 0) + 1
                answer = override or answers[item["id"]]
                calls = json.loads(json.dumps(calls))  # what a parser of JSON text hands the checker
                output = [{c["name"]: c["arguments"]} for c in calls]
                verdict = ast_checker(item["function"], output, answer, Language.PYTHON, category, MODEL)
                row = {"id": f"{item['id']}#{n}", "item": item["id"], "category": category, "perturbation": kind,
                       "calls": calls, "bfcl_valid": verdict["valid"], "bfcl_error": verdict.get("error_type", "")}
                if override:
                    row["answer"] = override
                rows.append(row)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    valid = sum(r["bfcl_valid"] for r in rows)
    print(f"{out}: {len(rows)} cases, {valid} valid by BFCL {version}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", type=Path, default=Path("/tmp/bfcl-venv"))
    ap.add_argument("--per-category", type=int, default=40)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--judge", action="store_true", help=argparse.SUPPRESS)  # set when re-run in the venv
    args = ap.parse_args()
    if args.judge:
        judge(args.per_category, args.out)
        return
    python = ensure_venv(args.venv)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    subprocess.run([str(python), __file__, "--judge", "--per-category", str(args.per_category), "--out",
                    str(args.out)], check=True, env=env)


if __name__ == "__main__":
    main()
