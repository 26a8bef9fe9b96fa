"""Publishing: the Hugging Face model card and the static report site, both built from report.json."""

from harness.publish.card import render_card, write_card

__all__ = ["build_site", "render_card", "write_card"]


def __getattr__(name: str):  # site pulls in matplotlib: import it only when asked for
    if name == "build_site":
        from harness.publish.site import build_site

        return build_site
    raise AttributeError(name)
