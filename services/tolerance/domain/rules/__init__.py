"""Regulation figures of the tolerance service as data, each with its source and confidence tag (docs/rules.md §0)."""
