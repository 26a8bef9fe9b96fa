"""`python -m harness.cli`: the same entry point as the `harness` script."""

from harness.cli import main

main()
