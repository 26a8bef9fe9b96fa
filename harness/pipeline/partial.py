"""`harness train|merge|export PROFILE`: the release recipe up to one stage (same cache, same steps)."""

from __future__ import annotations

from pathlib import Path

from harness import progress
from harness.cache import StageCache
from harness.pipeline import stages
from harness.pipeline.export import export_ladder, export_tools
from harness.pipeline.release import exclusive
from harness.profiles.model import Profile


def run_until(profile: Profile, out_root: Path, upto: str) -> Path:
    run_dir = out_root / profile.name
    progress.quiet_libraries()
    tools = export_tools(profile) if upto == "export" else None
    with exclusive(run_dir):
        cache = StageCache(run_dir)
        tuned = stages.fine_tune(cache, profile, upto="train" if upto == "train" else "merge")
        if tuned.merged is None:
            return tuned.train.path
        if upto == "merge":
            return tuned.merged.path
        exported = export_ladder(cache, profile, tools, tuned.merged.path, tuned.merged.outputs.sha256)
        for e in exported:
            progress.note(f"{e.name}: {e.path} ({e.record.file_type}, {e.record.bits_per_weight:.2f} bits/weight)")
        return exported[0].path.parent.parent
