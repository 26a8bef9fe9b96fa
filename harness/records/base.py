"""What stage `base` wrote: the typed record kept in the stage record, report.json and the card.

Strict on write (typed fields, built in code), tolerant on read: fields a later version adds are ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class DroppedPart(_Read):
    """Weights of the source checkpoint that the text model does not carry, and why."""

    name: str  # "vision tower" | "MTP head"
    prefix: str  # tensor-name prefix in the source safetensors, e.g. "model.visual."
    tensors: int
    params: int
    reason: str


class BaseRecord(_Read):
    schema_version: Literal[1] = 1
    source: str  # the folder (or package GGUF) read
    source_architecture: str  # config.json `architectures[0]` of the source, e.g. Qwen3_5ForConditionalGeneration
    architecture: str  # what was saved, e.g. Qwen3_5ForCausalLM
    dtype: str
    tie_word_embeddings: bool
    dropped: list[DroppedPart] = []
    # Files copied from the source byte for byte (tokenizer, special tokens, template, generation config).
    copied: list[str] = []
    hub_id: str = ""  # the Hub repo the folder was resolved from ("" for a local path or package)
    revision: str = ""  # the snapshot (commit) of that repo in the local Hugging Face cache
