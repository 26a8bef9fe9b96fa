"""Stage `kld`: every GGUF level against the 16-bit reference on held-out text, cached by the levels'
hashes; the 16-bit GGUF itself against the merged HF model (conversion fidelity)."""

from __future__ import annotations

import json
from pathlib import Path

from harness import progress
from harness.cache import StageCache, run_stage, sha256_file
from harness.profiles.model import EvalSpec
from harness.records.common import Record
from harness.records.report import Metric


class KLDOutputs(Record):
    tokens: int  # held-out tokens compared per level; the metrics: kld.json in the folder


def kld_stage(cache: StageCache, spec: EvalSpec, merged_dir: Path, merged_sha: str, ggufs) -> dict[str, dict[str, Metric]]:
    """KLD of every GGUF level against the 16-bit reference (the first GGUF, the converter's output);
    the 16-bit GGUF itself is measured against the merged HF model (conversion fidelity)."""
    ref = ggufs[0]
    inputs = {"merged": merged_sha, "levels": {a.name: a.sha256 for a in ggufs}, "max_tokens": spec.kld_max_tokens,
              "heldout": _heldout_digest()}

    def work(out: Path) -> KLDOutputs:
        import numpy as np

        from harness.evals.kld import compare_logits, heldout_chunks, kld_metrics, merge
        from harness.runners import open_runner

        ref_runner = open_runner("gguf", ref.path, n_ctx=spec.n_ctx)
        chunks = heldout_chunks(ref_runner.tokenize, spec.kld_max_tokens)
        ref_logits = [ref_runner.logits_for_tokens(c).astype(np.float32) for c in chunks]
        ref_runner.close()
        per_level = {}
        with progress.bar("kld", len(ggufs)) as advance:
            for a in ggufs:
                runner = open_runner("hf" if a is ref else "gguf", merged_dir if a is ref else a.path, n_ctx=spec.n_ctx)
                stats = [compare_logits(r, runner.logits_for_tokens(c), c) if a is not ref else
                         compare_logits(runner.logits_for_tokens(c), r, c) for r, c in zip(ref_logits, chunks)]
                runner.close()
                per_level[a.name] = {k: v.model_dump() for k, v in kld_metrics(merge(stats)).items()}
                advance()
        (out / "kld.json").write_text(json.dumps(per_level, indent=2))
        return KLDOutputs(tokens=int(sum(len(c) for c in chunks)))

    # Version 2: kld/max added (conversion fidelity reports max and mean).
    done = run_stage(cache, "kld", 2, inputs, work, KLDOutputs, f"{len(ggufs)} GGUF levels")
    raw = json.loads((done.path / "kld.json").read_text())
    return {lvl: {k: Metric.model_validate(v) for k, v in m.items()} for lvl, m in raw.items()}


def _heldout_digest() -> str:
    from evalsets import DATA_DIR

    return ",".join(sha256_file(DATA_DIR / n) for n in ("heldout_en.txt", "heldout_fr.txt"))
