"""Regulation figures and formulas as data, each with its source and confidence tag (DOMAIN.md §0)."""
