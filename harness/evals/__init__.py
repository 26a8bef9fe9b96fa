"""Evaluation: tasks (dataset + solver + scorer), the per-item store and the statistics."""
