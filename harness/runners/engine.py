"""The runners' engine record (what ran a level) is a persisted format: it lives with the others in
harness/records/engine.py; runners build it."""

from harness.records.engine import EngineInfo

__all__ = ["EngineInfo"]
