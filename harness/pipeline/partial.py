"""`harness train|merge|export PROFILE`: the release recipe up to one stage (same cache)."""

from __future__ import annotations

from pathlib import Path

from harness import progress
from harness.cache import StageCache
from harness.pipeline import stages
from harness.pipeline.release import exclusive
from harness.profiles.model import Profile


def run_until(profile: Profile, out_root: Path, upto: str) -> Path:
    run_dir = out_root / profile.name
    progress.quiet_libraries()
    with exclusive(run_dir):
        cache = StageCache(run_dir)
        base_dir, base_rec = stages.base(cache, profile)
        train_dir, train_rec = stages.train(cache, profile, base_dir, base_rec.outputs["sha256"])
        if upto == "train":
            return train_dir
        merged_dir, merge_rec = stages.merge(cache, base_dir, base_rec.outputs["sha256"], train_dir, train_rec.key)
        if upto == "merge":
            return merged_dir
        conv_dir, conv_rec = stages.convert(cache, profile.name, merged_dir, merge_rec.outputs["sha256"],
                                            profile.export.outtype)
        for qtype in profile.export.ladder:
            stages.quantize(cache, profile.name, conv_dir / conv_rec.outputs["file"], conv_rec.outputs["sha256"], qtype)
        return conv_dir.parent
