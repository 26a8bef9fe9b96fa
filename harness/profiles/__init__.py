"""Release profiles: validated YAML, built in (demo, 4b, 9b) or a path."""

from harness.profiles.model import Profile, load_profile

__all__ = ["Profile", "load_profile"]
