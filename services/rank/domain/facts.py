"""What the rank service knows about a cadre when it evaluates eligibility, points and the development track.

Built by the facts loader from the register and the projections of other services' events; pure values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.rank.domain.holdings import Assignment, LevelHolding, PostHolding, RankHolding

GRADE_ORDER = {"EXCELLENT": 4, "COMPETENT": 3, "BASIC": 2, "UNDETERMINED": 1, "INCOMPETENT": 0}


@dataclass(frozen=True)
class GradeFact:
    year: int
    grade: str  # EXCELLENT | COMPETENT | BASIC | INCOMPETENT | UNDETERMINED
    finalized_on: dt.date
    assessment_id: str = ""


@dataclass(frozen=True)
class RestrictionFact:
    restriction_id: str
    effect: str
    starts_on: dt.date
    ends_on: dt.date | None  # the last day the restriction applies (inclusive); None: open-ended
    status: str  # ACTIVE | EXPIRED | LIFTED | VOID
    source_type: str = "SANCTION"
    discretionary_extension: bool = False

    def applies_on(self, day: dt.date) -> bool:
        """Tells whether the restriction was in force on `day` (a VOID one never was)."""
        if self.status == "VOID" or day < self.starts_on:
            return False
        if self.ends_on is None:
            return self.status == "ACTIVE"
        return day <= self.ends_on


@dataclass(frozen=True)
class InvestigationFact:
    case_id: str
    opened_on: dt.date
    closed_on: dt.date | None = None

    def open_on(self, day: dt.date) -> bool:
        """Tells whether the investigation was open on `day` (the closing day is free)."""
        return self.opened_on <= day and (self.closed_on is None or day < self.closed_on)


@dataclass(frozen=True)
class XinfangFact:
    """A petition about the cadre flagged for selection supervision (信访工作条例 §30): never a bar."""

    report_id: str
    received_on: dt.date
    closed_on: dt.date | None = None

    def open_on(self, day: dt.date) -> bool:
        return self.received_on <= day and (self.closed_on is None or day < self.closed_on)


@dataclass(frozen=True)
class ClarificationFact:
    """A clarification (澄清正名): the reports it names may never be used against the cadre."""

    clarification_id: str
    executed_on: dt.date
    report_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AwardFact:
    award_id: str
    type: str
    granted_on: dt.date
    revoked_on: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        return self.granted_on <= day and (self.revoked_on is None or day < self.revoked_on)


@dataclass(frozen=True)
class SanctionFact:
    sanction_id: str
    type: str
    effective_on: dt.date
    ends_on: dt.date | None
    status: str  # EFFECTIVE | EXPIRED | REVOKED | VARIED


@dataclass(frozen=True)
class UnitFact:
    org_unit_id: str
    agency_level: str  # the effective agency level (a DIVISION inherits its agency's)


@dataclass(frozen=True)
class CadreFacts:
    """Everything the rules read about one cadre."""

    cadre_id: str
    name: str
    category: str
    birth_date: dt.date
    entry_date: dt.date
    education: str | None
    org_unit: UnitFact
    active: bool = True
    reserve_cadre: bool = False
    grassroots_experience: bool = False
    rank_holdings: tuple[RankHolding, ...] = ()
    post_holdings: tuple[PostHolding, ...] = ()
    level_holdings: tuple[LevelHolding, ...] = ()
    assignments: tuple[tuple[Assignment, str], ...] = ()  # (assignment, effective agency level of its unit)
    grades: tuple[GradeFact, ...] = ()
    awards: tuple[AwardFact, ...] = ()
    restrictions: tuple[RestrictionFact, ...] = ()
    investigations: tuple[InvestigationFact, ...] = ()
    sanctions: tuple[SanctionFact, ...] = ()
    xinfang_flags: tuple[XinfangFact, ...] = ()
    clarifications: tuple[ClarificationFact, ...] = ()
    index_percentile: float | None = None
    demotion_required: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    def holdings(self) -> list[RankHolding | PostHolding | LevelHolding | Assignment]:
        """Every holding: rank, post and level holdings, then the unit assignments."""
        return [*self.rank_holdings, *self.post_holdings, *self.level_holdings, *(a for a, _ in self.assignments)]

    def grades_known_on(self, day: dt.date) -> dict[int, GradeFact]:
        """Returns the latest finalized grade per year, as known on `day`."""
        known: dict[int, GradeFact] = {}
        for grade in sorted(self.grades, key=lambda g: (g.year, g.finalized_on)):
            if grade.finalized_on <= day:
                known[grade.year] = grade
        return known
