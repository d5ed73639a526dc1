"""Percentile rank of an accountability index within its org unit and period (points item, docs/rules.md §4.5).

Appraisal publishes each cadre's index total; the percentile depends on everyone else's total of the same
period in the same org unit, so rank derives it from the totals it holds, at the moment points are computed,
instead of trusting a figure that was true only when one cadre's index was last computed.
"""

from __future__ import annotations

from collections.abc import Sequence


def percentile_rank(value: float, population: Sequence[float]) -> float:
    """Returns the mid-rank percentile (0..100) of ``value`` among ``population``, which includes it.

    ``100 × (below + equal / 2) / n``: the top of four distinct totals is 87.5, a lone cadre 50, and equal
    totals always get equal percentiles. A value missing from the population is counted in it.
    """
    below = sum(1 for x in population if x < value)
    equal = sum(1 for x in population if x == value)
    n = len(population)
    if equal == 0:  # the value itself is not in the population: count it
        equal, n = 1, n + 1
    return round(100.0 * (below + equal / 2.0) / n, 2)
