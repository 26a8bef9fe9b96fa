"""Every format the harness persists, as typed, versioned pydantic models with their load and write
(strict on write, tolerant of added fields on read); the bottom layer: it imports no other package of
the harness but errors and cache.

report.py        report.json (levels, metrics, comparisons, checks, suites, provenance, training)
gate.py          the gate's verdict inside it
gguf.py, base.py the export's and the base stage's records inside it
items.py         item_scores.json.gz (per-item scores of every level) and ItemResult
common.py        the shared base model (Record, TOLERANT) and helpers
"""
