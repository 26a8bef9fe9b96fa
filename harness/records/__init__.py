"""Every format the harness persists, as typed, versioned pydantic models with their load and write
(strict on write, tolerant of added fields on read); the bottom layer: it imports nothing of the harness
but errors, names and files.

report.py        report.json (levels, metrics, comparisons, checks, suites, provenance, training)
gate.py          the gate's verdict inside it
gguf.py, base.py the export's and the base stage's records inside it
engine.py        what computed a level's items (engine, device, dtype, batch)
items.py         item_scores.json.gz (per-item scores of every level) and ItemResult
failed_items.py  items.jsonl (every item a level got wrong, for the site's explorer)
eval_scores.py   eval.json of `harness eval`
doctor.py        what `harness doctor --json` prints (not stored, read by scripts)
common.py        the shared base model (Record, TOLERANT) and helpers
"""
