"""Regulation figures and formulas as data, each with its source and confidence tag (docs/rules.md §0)."""
