"""The sanction catalogue: every SanctionType with its systems, influence period, bars and grade effects.

Sources and confidence tags follow docs/rules.md §0: [V] primary text, [S] supported, [S-] single secondary source,
[R] recalled (configurable), [D] design decision (configurable). Rows or figures tagged [R]/[D] can be overridden
through `build_catalogue(overrides)`; the others cannot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

from kernel.contracts.vocabulary import RestrictionEffect as E
from kernel.contracts.vocabulary import SanctionSystem as Sys
from kernel.contracts.vocabulary import SanctionType as T
from kernel.errors import RuleViolation


class PeriodKind(StrEnum):
    FIXED = "FIXED"  # a fixed number of months from the effective date
    PER_CASE = "PER_CASE"  # the decision sets the months within configured bounds (停职检查)
    PROBATION = "PROBATION"  # 留党察看: 12 or 24 months, a 12-month term may be extended once by 12
    PERMANENT = "PERMANENT"  # no end (开除, 开除党籍)
    YEAR = "YEAR"  # only the current assessment year is affected (问责 通报批评)


PROMOTION_BARS = (E.NO_POST_PROMOTION, E.NO_RANK_PROMOTION, E.NO_LEVEL_PROMOTION)
GOV_SOURCE = "公职人员政务处分法 §8, §19, §26; 公务员法 §65; 行政机关公务员处分条例 §7–9"
GOV_GRADE_SOURCE = "组通字〔1998〕19号 and practitioner tables (docs/rules.md §1.3)"
PARTY_SOURCE = "中国共产党纪律处分条例 (2023) (docs/rules.md §3.2 B)"
PARTY_GRADE_SOURCE = "组通字〔1998〕19号 as revised 2016 (docs/rules.md §1.3)"
ORG_SOURCE = "党政领导干部选拔任用工作条例 Q&A 44 (12371.cn) (docs/rules.md §3.2 C)"


@dataclass(frozen=True)
class Span:
    """A restriction from the effective date for `months` (or until `months` after the period's end)."""

    effect: E
    months: int
    after_period: bool = False


@dataclass(frozen=True)
class SanctionRule:
    """One row of the catalogue."""

    type: T
    systems: frozenset[Sys]
    severity: int  # order within its family; a decision may not be heavier than its proposal
    family: str  # GOV (政务/公务员法), PARTY, ORG (组织处理, 问责, 诫勉): severities compare within a family
    period_kind: PeriodKind
    period_months: int | None
    bars: tuple[E, ...]  # effects that run for the whole period
    spans: tuple[Span, ...] = ()  # effects with their own duration
    grade_effects: tuple[tuple[int, E], ...] = ()  # (year offset from the effective year, grade effect)
    combinable: bool = False  # §15: several identical sanctions (up to 撤职) share one period of up to 48 months
    demotes_rank: bool = False
    demotes_level: bool = False
    removes_from_post: bool = False  # a removed cadre becomes eligible for reinstatement (复出) afterwards
    ends_employment: bool = False
    warning_level: bool = False  # an investigation closed with only this allows 补定等次 (docs/rules.md §1.3)
    source: str = ""
    confidence: str = "S"
    grade_source: str = ""
    grade_confidence: str = "S-"
    configurable: bool = False  # [R]/[D]: the months may be overridden by configuration
    note: str = ""

    def allows(self, system: Sys) -> bool:
        """Tells whether this type can be given under `system`."""
        return system in self.systems


GOV_SYSTEMS = frozenset({Sys.GOV, Sys.CIVIL_SERVICE})
ORG_SYSTEMS = frozenset({Sys.ORG_HANDLING, Sys.ACCOUNTABILITY})
SALARY = (*PROMOTION_BARS, E.NO_SALARY_STEP)


def _gov(
    type_: T, severity: int, months: int | None, bars: tuple[E, ...], grades: tuple[tuple[int, E], ...], **extra
) -> SanctionRule:
    return SanctionRule(
        type=type_,
        systems=GOV_SYSTEMS,
        severity=severity,
        family="GOV",
        period_kind=PeriodKind.FIXED if months else PeriodKind.PERMANENT,
        period_months=months,
        bars=bars,
        grade_effects=grades,
        source=GOV_SOURCE,
        confidence="V",
        grade_source=GOV_GRADE_SOURCE,
        **extra,
    )


def _party(
    type_: T,
    severity: int,
    kind: PeriodKind,
    months: int | None,
    bars: tuple[E, ...],
    grades: tuple[tuple[int, E], ...],
    **extra,
) -> SanctionRule:
    return SanctionRule(
        type=type_,
        systems=frozenset({Sys.PARTY}),
        severity=severity,
        family="PARTY",
        period_kind=kind,
        period_months=months,
        bars=bars,
        grade_effects=grades,
        source=PARTY_SOURCE,
        confidence="S",
        grade_source=PARTY_GRADE_SOURCE,
        grade_confidence="S",
        **extra,
    )


def _org(
    type_: T,
    severity: int,
    kind: PeriodKind,
    months: int | None,
    bars: tuple[E, ...],
    grades: tuple[tuple[int, E], ...],
    *,
    systems: frozenset[Sys] = ORG_SYSTEMS,
    **extra,
) -> SanctionRule:
    return SanctionRule(
        type=type_,
        systems=systems,
        severity=severity,
        family="ORG",
        period_kind=kind,
        period_months=months,
        bars=bars,
        grade_effects=grades,
        **extra,
    )


Y0_NOT_EXCELLENT = ((0, E.GRADE_NOT_EXCELLENT),)
Y0_UNDETERMINED = ((0, E.GRADE_UNDETERMINED),)

BASE_RULES: tuple[SanctionRule, ...] = (
    # A. 政务处分 / 公务员法处分: the same periods [V]
    _gov(T.WARNING, 1, 6, PROMOTION_BARS, Y0_NOT_EXCELLENT, combinable=True, warning_level=True, grade_confidence="S"),
    _gov(T.DEMERIT, 2, 12, SALARY, Y0_UNDETERMINED, combinable=True),
    _gov(T.MAJOR_DEMERIT, 3, 18, SALARY, ((0, E.GRADE_UNDETERMINED), (1, E.GRADE_UNDETERMINED)), combinable=True),
    _gov(
        T.LEVEL_DEMOTION,
        4,
        24,
        SALARY,
        ((0, E.GRADE_UNDETERMINED), (1, E.GRADE_UNDETERMINED)),
        combinable=True,
        demotes_level=True,
        note="lifted at expiry, the original level is not restored (§26)",
    ),
    _gov(
        T.DISMISSAL_FROM_POST,
        5,
        24,
        SALARY,
        ((0, E.GRADE_UNDETERMINED), (1, E.GRADE_UNDETERMINED)),
        combinable=True,
        demotes_rank=True,
        demotes_level=True,
        removes_from_post=True,
        note="post, rank, level and pay lowered; not restored at expiry (§19, §26)",
    ),
    _gov(
        T.EXPULSION,
        6,
        None,
        (*SALARY, E.NO_LEADERSHIP_POST),
        (),
        ends_employment=True,
        note="employment ends on the effective date; never again a civil servant (§24, §26)",
    ),
    # B. Party discipline [S]
    _party(T.PARTY_WARNING, 1, PeriodKind.FIXED, 12, PROMOTION_BARS, Y0_NOT_EXCELLENT, warning_level=True),
    _party(T.PARTY_SERIOUS_WARNING, 2, PeriodKind.FIXED, 18, PROMOTION_BARS, Y0_UNDETERMINED),
    _party(
        T.PARTY_POST_REMOVAL,
        3,
        PeriodKind.FIXED,
        24,
        (*PROMOTION_BARS, E.NO_POST_EQUAL_OR_ABOVE),
        ((0, E.GRADE_INCOMPETENT),),
        removes_from_post=True,
        note="no post, nor recommendation to a post, equal to or above the original for 2 years",
    ),
    _party(
        T.PARTY_PROBATION,
        4,
        PeriodKind.PROBATION,
        12,
        PROMOTION_BARS,
        ((0, E.GRADE_INCOMPETENT),),
        spans=(Span(E.NO_POST_EQUAL_OR_ABOVE, 24, after_period=True),),
        note="1 or 2 years (a 1-year term may be extended by 1, max 2); then 2 more years with no post equal "
        "to or above the original; next year(s) of the term 不定等次",
    ),
    _party(
        T.PARTY_EXPULSION,
        5,
        PeriodKind.PERMANENT,
        None,
        (*PROMOTION_BARS, E.NO_LEADERSHIP_POST),
        ((0, E.GRADE_INCOMPETENT), (1, E.GRADE_UNDETERMINED), (2, E.GRADE_UNDETERMINED)),
        note="cannot rejoin the party for 5 years; promotion bars are permanent [D]",
    ),
    # C. 组织处理 and 问责; severities follow the order of the 2021 组织处理规定 list [S-], compared as [D]
    _org(
        T.ACCOUNTABILITY_CRITICISM,
        1,
        PeriodKind.YEAR,
        None,
        (),
        Y0_NOT_EXCELLENT,
        systems=frozenset({Sys.ACCOUNTABILITY}),
        warning_level=True,
        source="关于实行党政领导干部问责的暂行规定 (2009): loses that year's 优秀 and awards",
        confidence="S",
        grade_source="2009 问责暂行规定",
        grade_confidence="S",
    ),
    _org(
        T.ADMONISHMENT,
        2,
        PeriodKind.FIXED,
        6,
        PROMOTION_BARS,
        Y0_NOT_EXCELLENT,
        systems=frozenset({Sys.ADMONISHMENT, Sys.ACCOUNTABILITY}),
        warning_level=True,
        source="commonly cited 6 months (docs/rules.md §3.2 C, §5.3)",
        confidence="R",
        configurable=True,
        grade_source="docs/rules.md §1.3 (诫勉: cannot be 优秀)",
    ),
    _org(
        T.SUSPENSION_FOR_REVIEW,
        3,
        PeriodKind.PER_CASE,
        None,
        PROMOTION_BARS,
        Y0_NOT_EXCELLENT,
        source="duration set per case; one local rule says 3–6 months (docs/rules.md §3.2 C)",
        confidence="S-",
        configurable=True,
        grade_source="organisational handling: not 优秀 [D]",
        grade_confidence="D",
    ),
    _org(
        T.POST_ADJUSTMENT,
        4,
        PeriodKind.FIXED,
        12,
        PROMOTION_BARS,
        Y0_NOT_EXCELLENT,
        source="组织处理规定 (2021), commonly 1 year (docs/rules.md §3.2 C)",
        confidence="R",
        configurable=True,
        grade_source="docs/rules.md §1.3 (调整职务: cannot be 优秀)",
    ),
    _org(
        T.TRANSFER_UNSUITABLE,
        4,
        PeriodKind.FIXED,
        12,
        PROMOTION_BARS,
        Y0_NOT_EXCELLENT,
        removes_from_post=True,
        source=ORG_SOURCE,
        confidence="S",
        grade_source="as 调整职务 [D]",
        grade_confidence="D",
    ),
    _org(
        T.RESIGNATION_FOR_FAULT,
        5,
        PeriodKind.FIXED,
        12,
        (*PROMOTION_BARS, E.NO_LEADERSHIP_POST),
        Y0_UNDETERMINED,
        spans=(Span(E.NO_POST_ABOVE_ORIGINAL, 24),),
        removes_from_post=True,
        source=ORG_SOURCE,
        confidence="S",
        grade_source="as 责令辞职 [D]",
        grade_confidence="D",
    ),
    _org(
        T.ORDERED_RESIGNATION,
        5,
        PeriodKind.FIXED,
        12,
        (*PROMOTION_BARS, E.NO_LEADERSHIP_POST),
        Y0_UNDETERMINED,
        spans=(Span(E.NO_POST_ABOVE_ORIGINAL, 24),),
        removes_from_post=True,
        source=ORG_SOURCE,
        confidence="S",
    ),
    _org(
        T.REMOVAL_FROM_POST,
        6,
        PeriodKind.FIXED,
        12,
        (*PROMOTION_BARS, E.NO_LEADERSHIP_POST),
        Y0_UNDETERMINED,
        spans=(Span(E.NO_POST_ABOVE_ORIGINAL, 24),),
        removes_from_post=True,
        source=ORG_SOURCE,
        confidence="S",
    ),
    _org(
        T.DEMOTION,
        7,
        PeriodKind.FIXED,
        24,
        PROMOTION_BARS,
        Y0_UNDETERMINED,
        demotes_rank=True,
        removes_from_post=True,
        source="组织处理规定 (2021), commonly 2 years (docs/rules.md §3.2 C)",
        confidence="R",
        configurable=True,
    ),
)

MAX_COMBINED_MONTHS = 48  # 政务处分法 §15; 行政机关公务员处分条例 §10 [V]
PROBATION_TERMS = (12, 24)
PROBATION_MAX_MONTHS = 24


@dataclass(frozen=True)
class Catalogue:
    """The rules in force: the base table with configured overrides applied."""

    rules: Mapping[T, SanctionRule]
    suspension_months: tuple[int, int] = (3, 6)

    def rule(self, type_: T | str) -> SanctionRule:
        """Returns the rule of a sanction type, or refuses an unknown type."""
        try:
            return self.rules[T(type_)]
        except (ValueError, KeyError):
            raise RuleViolation(f"unknown sanction type {type_}", rule="sanction.type") from None

    def check_system(self, type_: T, system: Sys) -> SanctionRule:
        """Returns the rule if `type_` can be given under `system`, else refuses."""
        rule = self.rule(type_)
        if not rule.allows(system):
            raise RuleViolation(
                f"{type_} cannot be given as {system}",
                rule="sanction.system",
                allowed=sorted(s.value for s in rule.systems),
            )
        return rule


def build_catalogue(
    overrides: Mapping[str, int] | None = None, *, suspension_months: tuple[int, int] = (3, 6)
) -> Catalogue:
    """Applies configured month overrides; only rows tagged [R]/[D] may be overridden."""
    rules = {r.type: r for r in BASE_RULES}
    for name, months in (overrides or {}).items():
        try:
            type_ = T(name)
        except ValueError:
            raise ValueError(f"period override for unknown sanction type {name}") from None
        rule = rules[type_]
        if not rule.configurable or rule.period_kind is not PeriodKind.FIXED:
            raise ValueError(f"the period of {name} is fixed by {rule.source} [{rule.confidence}]")
        if not 1 <= int(months) <= MAX_COMBINED_MONTHS:
            raise ValueError(f"period override for {name} must be 1..{MAX_COMBINED_MONTHS} months")
        rules[type_] = replace(rule, period_months=int(months), confidence=rule.confidence + " (configured)")
    low, high = suspension_months
    if not 1 <= low <= high <= MAX_COMBINED_MONTHS:
        raise ValueError("suspension months must satisfy 1 <= min <= max <= 48")
    missing = set(T) - set(rules)
    if missing:
        raise ValueError(f"catalogue lacks {sorted(missing)}")
    return Catalogue(rules=MappingProxyType(rules), suspension_months=(low, high))
