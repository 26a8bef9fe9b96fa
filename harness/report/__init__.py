"""Building a release's records from its evaluation: report.json (build.py) and the failed items (failed.py)."""
