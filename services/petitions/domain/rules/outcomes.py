"""From findings per allegation to an outcome per cadre and for the report (docs/rules.md §2.3 item 4)."""

from __future__ import annotations

from collections.abc import Iterable

from kernel.contracts.vocabulary import ReportOutcome as O

FINDINGS = frozenset({O.SUBSTANTIATED, O.PARTLY_SUBSTANTIATED, O.UNFOUNDED, O.UNVERIFIABLE})
ADVERSE = frozenset({O.SUBSTANTIATED, O.PARTLY_SUBSTANTIATED})


def combine(results: Iterable[O]) -> O:
    """Combines findings (or cadre outcomes) into one outcome.

    All substantiated → SUBSTANTIATED; some substantiated or partly → PARTLY_SUBSTANTIATED; otherwise any
    unverifiable → UNVERIFIABLE; all unfounded → UNFOUNDED; all tolerated → TOLERATED; unfounded mixed with
    tolerated → UNFOUNDED (nothing substantiated remains against anyone); all no-action → NO_ACTION.
    """
    values = list(results)
    if not values:
        raise ValueError("no findings to combine")
    kinds = set(values)
    if kinds == {O.SUBSTANTIATED}:
        return O.SUBSTANTIATED
    if kinds & ADVERSE:
        return O.PARTLY_SUBSTANTIATED
    if O.UNVERIFIABLE in kinds:
        return O.UNVERIFIABLE
    if kinds == {O.TOLERATED}:
        return O.TOLERATED
    if kinds == {O.NO_ACTION}:
        return O.NO_ACTION
    if O.UNFOUNDED in kinds:
        return O.UNFOUNDED
    return O.NO_ACTION if O.NO_ACTION in kinds else O.TOLERATED
