"""Release harness: train, merge, export GGUF at every precision, score, gate, publish."""

__version__ = "0.1.0"
