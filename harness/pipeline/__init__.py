"""The release recipe (steps only) and its cached stages, each with a typed output model."""
