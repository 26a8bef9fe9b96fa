"""The release recipe and its stages."""
