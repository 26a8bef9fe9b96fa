"""Integrity checks over artifacts: chat template and special tokens, lm_head."""
