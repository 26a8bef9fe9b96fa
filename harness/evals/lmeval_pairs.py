"""HFLM's split of a log-likelihood request into the text scored after and the text scored, shared by the
harness's own lm-eval models (GGUF: lmeval_llama.py; HF on the GPU: lmeval_hf.py) so that every level's
requests are tokenized as lm-eval's reference HF model tokenizes them."""

from __future__ import annotations


def hflm_pair(context: str, continuation: str, prefix: str) -> tuple[str, str]:
    """An empty context is scored after `prefix` (the BOS token's text, else EOS's, as HFLM's prefix token);
    a context's trailing spaces belong to the continuation, as HFLM tokenizes word boundaries."""
    if not context:
        return prefix, continuation
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces:
        return context[:-n_spaces], context[-n_spaces:] + continuation
    return context, continuation
