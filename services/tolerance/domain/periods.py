"""Influence periods: from a sanction decision to its end date and the restrictions it causes (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.calendar import add_months
from kernel.contracts.vocabulary import RestrictionEffect, SanctionSystem
from kernel.errors import RuleViolation
from services.tolerance.domain.rules.catalogue import (
    MAX_COMBINED_MONTHS,
    PROBATION_MAX_MONTHS,
    PROBATION_TERMS,
    Catalogue,
    PeriodKind,
    SanctionRule,
)

CAP_SOURCE = "公职人员政务处分法 §15; 行政机关公务员处分条例 §10"


@dataclass(frozen=True)
class RestrictionSpec:
    """A restriction to create: one effect over [starts_on, ends_on) (ends_on None: no end)."""

    effect: RestrictionEffect
    starts_on: dt.date
    ends_on: dt.date | None


@dataclass(frozen=True)
class Period:
    """The resolved influence period of a decision."""

    months: int | None  # nominal months (None: permanent or the current year only)
    ends_on: dt.date | None  # first day free of the sanction (None: permanent)


def year_start(year: int) -> dt.date:
    """Returns 1 January of `year`."""
    return dt.date(year, 1, 1)


def resolve_period(
    catalogue: Catalogue,
    rule: SanctionRule,
    *,
    system: SanctionSystem,
    effective_on: dt.date,
    months: int | None = None,
    combined_count: int = 1,
    running_until: dt.date | None = None,
) -> Period:
    """Resolves the period of a decision from the table, the chosen months and the §15 / §10 combination rules.

    `combined_count` > 1: several identical sanctions (up to 撤职) for several violations share one period between
    the single period and the sum, at most 48 months (政务处分法 §15). `running_until`: a 公务员法 sanction given
    while an earlier one still runs adds the unexpired rest of the earlier period, at most 48 months in all
    (行政机关公务员处分条例 §10).
    """
    if combined_count < 1:
        raise RuleViolation("combined_count must be at least 1", rule="sanction.combined_count")
    if combined_count > 1 and not rule.combinable:
        raise RuleViolation(
            f"{rule.type} cannot combine several violations into one period",
            rule="sanction.combined_count",
            source=CAP_SOURCE,
        )
    kind = rule.period_kind
    if kind is PeriodKind.PERMANENT:
        _no_months(months, rule)
        return Period(None, None)
    if kind is PeriodKind.YEAR:
        _no_months(months, rule)
        return Period(None, year_start(effective_on.year + 1))
    if kind is PeriodKind.PER_CASE:
        low, high = catalogue.suspension_months
        if months is None or not low <= months <= high:
            raise RuleViolation(
                f"{rule.type} needs period_months between {low} and {high}",
                rule="sanction.period_months",
                source=rule.source,
            )
        return Period(months, add_months(effective_on, months))
    if kind is PeriodKind.PROBATION:
        if months not in PROBATION_TERMS:
            raise RuleViolation("留党察看 lasts 12 or 24 months", rule="sanction.probation_term", source=rule.source)
        return Period(months, add_months(effective_on, months))
    base = rule.period_months
    assert base is not None
    if combined_count > 1:
        ceiling = min(base * combined_count, MAX_COMBINED_MONTHS)
        chosen = base if months is None else months
        if not base <= chosen <= ceiling:
            raise RuleViolation(
                f"for {combined_count} identical {rule.type} sanctions the period must be "
                f"between {base} and {ceiling} months",
                rule="sanction.combined_period",
                source=CAP_SOURCE,
            )
    else:
        if months is not None and months != base:
            raise RuleViolation(
                f"the period of {rule.type} is {base} months", rule="sanction.period_months", source=rule.source
            )
        chosen = base
    ends_on = add_months(effective_on, chosen)
    if running_until is not None and system is SanctionSystem.CIVIL_SERVICE and running_until > effective_on:
        rest = running_until - effective_on
        ends_on = min(add_months(effective_on + rest, chosen), add_months(effective_on, MAX_COMBINED_MONTHS))
    return Period(chosen, ends_on)


def _no_months(months: int | None, rule: SanctionRule) -> None:
    if months is not None:
        raise RuleViolation(f"{rule.type} takes no period_months", rule="sanction.period_months", source=rule.source)


def plan_restrictions(rule: SanctionRule, *, effective_on: dt.date, period: Period) -> list[RestrictionSpec]:
    """Lists the restrictions of a decided sanction: its bars, its own spans and its grade years."""
    specs = [RestrictionSpec(effect, effective_on, period.ends_on) for effect in rule.bars]
    for span in rule.spans:
        if span.after_period:
            if period.ends_on is None:
                continue
            specs.append(RestrictionSpec(span.effect, effective_on, add_months(period.ends_on, span.months)))
        else:
            specs.append(RestrictionSpec(span.effect, effective_on, add_months(effective_on, span.months)))
    specs.extend(grade_restrictions(rule, effective_on=effective_on, period=period))
    return specs


def grade_restrictions(rule: SanctionRule, *, effective_on: dt.date, period: Period) -> list[RestrictionSpec]:
    """Lists the grade effects by assessment year; a probation adds 不定等次 for each further year of its term."""
    offsets = list(rule.grade_effects)
    if rule.period_kind is PeriodKind.PROBATION and period.months:
        offsets += [(year, RestrictionEffect.GRADE_UNDETERMINED) for year in range(1, period.months // 12 + 1)]
    specs = []
    for offset, effect in offsets:
        year = effective_on.year + offset
        specs.append(RestrictionSpec(effect, max(effective_on, year_start(year)), year_start(year + 1)))
    return specs


def extend_probation(*, effective_on: dt.date, months: int, extension_months: int = 12) -> Period:
    """Extends a 1-year 留党察看 by one year (never beyond 24 months in all)."""
    if months + extension_months > PROBATION_MAX_MONTHS:
        raise RuleViolation(
            "留党察看 lasts at most 24 months; a 12-month term may be extended once by 12",
            rule="sanction.probation_extension",
            source="中国共产党纪律处分条例 (2023)",
        )
    total = months + extension_months
    return Period(total, add_months(effective_on, total))
