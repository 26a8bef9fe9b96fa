"""The training recipe: LoRA SFT of a base model on the project's multi-task mixture."""
