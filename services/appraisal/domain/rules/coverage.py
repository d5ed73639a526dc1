"""Incentive coverage (覆盖广泛、激励多数): who received any incentive, by age band, gender, rank and post type [D]."""

from __future__ import annotations

import datetime as dt

INCENTIVE_KINDS = ("AWARD", "EXCELLENT", "PROMOTION", "TRAINING", "ROTATION")


def age_on(birth: dt.date, day: dt.date) -> int:
    """Returns the age in whole years on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def band_labels(bounds: list[int]) -> list[str]:
    """Returns the labels of the age bands cut at `bounds` (e.g. <35, 35-44, 45-54, 55+)."""
    labels, low = [], None
    for b in bounds:
        labels.append(f"<{b}" if low is None else f"{low}-{b - 1}")
        low = b
    labels.append(f"{low}+" if low is not None else "all")
    return labels


def share(covered: int, total: int) -> float:
    """Returns covered/total as a percentage with one decimal (0 for an empty group)."""
    return round(100.0 * covered / total, 1) if total else 0.0
