"""Evaluation and its runtime: tasks of every kind in one registry, one task on one level, every level with
its EOS probe, KL divergence, the per-item store and the metrics; `evaluate.py` is the recipe's entry point."""
