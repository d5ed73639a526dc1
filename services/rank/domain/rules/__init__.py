"""Regulation figures of the rank service as data, each with its source and confidence tag (docs/rules.md §0)."""
