"""The training recipe: LoRA SFT of a base model on the project's multi-task mixture. It depends on the
profile schemas, chat and errors; nothing in those imports it (a profile checks its sources through
`harness/profiles/sources.py`)."""
