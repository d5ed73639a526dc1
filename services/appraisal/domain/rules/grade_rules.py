"""docs/rules.md §1.3 as a rule table keyed by (sanction type, year offset), evaluated against tolerance's facts.

Sources: 组通字〔1998〕19号 and its 2016 revision of §2; 2007 考核规定 §25; a practitioner table for 政务处分 and
组织处理 ([S-]); 2009 问责暂行规定 for accountability. The year offset counts from the year the sanction took effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.appraisal.domain.grades import Constraint, Effect

NE, UD, IC = Effect.NOT_EXCELLENT, Effect.UNDETERMINED, Effect.INCOMPETENT
S_1998 = "组通字〔1998〕19号 (2016 答复修订)"
S_TABLE = "政务处分/组织处理与年度考核 对照表 (secondary)"
S_2009 = "关于实行党政领导干部问责的暂行规定 (2009)"


@dataclass(frozen=True)
class GradeRule:
    """One row: a sanction type, a year offset, the effect on that year's grade, its source and confidence."""

    sanction_type: str
    year_offset: int
    effect: Effect
    source: str
    confidence: str
    min_period_months: int = 0  # the row applies only to sanctions at least this long (2-year 留党察看)

    @property
    def rule_id(self) -> str:
        return f"{self.sanction_type.lower()}_y{self.year_offset}"


SANCTION_RULES: tuple[GradeRule, ...] = (
    GradeRule("PARTY_WARNING", 0, NE, S_1998, "S"),
    GradeRule("PARTY_SERIOUS_WARNING", 0, UD, S_1998, "S"),  # 只写评语、不定等次 (2016)
    GradeRule("PARTY_POST_REMOVAL", 0, IC, S_1998, "S"),
    GradeRule("PARTY_PROBATION", 0, IC, S_1998, "S"),
    GradeRule("PARTY_PROBATION", 1, UD, S_1998, "S"),
    GradeRule("PARTY_PROBATION", 2, UD, S_1998, "S", min_period_months=24),  # 2-year 察看
    GradeRule("PARTY_EXPULSION", 0, IC, S_1998, "S"),
    GradeRule("PARTY_EXPULSION", 1, UD, S_1998, "S"),
    GradeRule("PARTY_EXPULSION", 2, UD, S_1998, "S"),
    GradeRule("WARNING", 0, NE, S_TABLE, "S"),
    GradeRule("DEMERIT", 0, UD, S_TABLE, "S-"),
    GradeRule("MAJOR_DEMERIT", 0, UD, S_TABLE, "S-"),
    GradeRule("MAJOR_DEMERIT", 1, UD, S_TABLE, "S-"),
    GradeRule("LEVEL_DEMOTION", 0, UD, S_TABLE, "S-"),
    GradeRule("LEVEL_DEMOTION", 1, UD, S_TABLE, "S-"),
    GradeRule("DISMISSAL_FROM_POST", 0, UD, S_TABLE, "S-"),
    GradeRule("DISMISSAL_FROM_POST", 1, UD, S_TABLE, "S-"),
    GradeRule("ADMONISHMENT", 0, NE, S_TABLE, "S-"),
    GradeRule("POST_ADJUSTMENT", 0, NE, S_TABLE, "S-"),
    GradeRule("TRANSFER_UNSUITABLE", 0, NE, S_TABLE, "D"),  # treated like 调整职务
    GradeRule("ORDERED_RESIGNATION", 0, UD, S_TABLE, "S-"),
    GradeRule("REMOVAL_FROM_POST", 0, UD, S_TABLE, "S-"),
    GradeRule("DEMOTION", 0, UD, S_TABLE, "S-"),
    GradeRule("RESIGNATION_FOR_FAULT", 0, NE, S_2009, "S"),  # 问责: no 优秀 that year
    GradeRule("ACCOUNTABILITY_CRITICISM", 0, NE, S_2009, "S"),
)

# Restriction effects that tolerance publishes, as grade effects.
RESTRICTION_EFFECTS = {"GRADE_NOT_EXCELLENT": NE, "GRADE_UNDETERMINED": UD, "GRADE_INCOMPETENT": IC}
S_RESTRICTION = "tolerance restriction (docs/rules.md §5 items 3, 12, 17)"
S_INVESTIGATION = "组通字〔1998〕19号: 立案审查调查未结 → 不定等次"
COUNTING_STATUSES = ("ACTIVE", "EXPIRED")


@dataclass(frozen=True)
class SanctionFact:
    sanction_id: str
    type: str
    effective_on: dt.date
    period_months: int | None = None
    incident_id: str | None = None
    status: str = "EFFECTIVE"  # EFFECTIVE | EXPIRED | VARIED | REVOKED


@dataclass(frozen=True)
class RestrictionFact:
    restriction_id: str
    effect: str
    source_type: str
    source_id: str
    starts_on: dt.date
    ends_on: dt.date | None
    status: str


@dataclass(frozen=True)
class InvestigationFact:
    investigation_id: str
    case_id: str
    opened_on: dt.date
    closed_on: dt.date | None = None
    result: str | None = None


@dataclass(frozen=True)
class Facts:
    """What tolerance has told us about one cadre (the local projection), plus the incidents tolerated (EXEMPT)."""

    sanctions: tuple[SanctionFact, ...] = ()
    restrictions: tuple[RestrictionFact, ...] = ()
    investigations: tuple[InvestigationFact, ...] = ()
    tolerated_incidents: frozenset[str] = frozenset()


def rules_for(sanction: SanctionFact, year: int) -> list[GradeRule]:
    """Returns the rows that a sanction triggers for an assessment year."""
    offset = year - sanction.effective_on.year
    return [
        r
        for r in SANCTION_RULES
        if r.sanction_type == sanction.type
        and r.year_offset == offset
        and (sanction.period_months or 0) >= r.min_period_months
    ]


def evaluate(year: int, facts: Facts, *, as_of: dt.date) -> list[Constraint]:
    """Returns every constraint on the grade of `year`, judged on `as_of` (a tolerated incident never counts)."""
    out: list[Constraint] = []
    tolerated_sanctions = set()
    for s in facts.sanctions:
        if s.incident_id and s.incident_id in facts.tolerated_incidents:
            tolerated_sanctions.add(s.sanction_id)
            continue
        if s.status == "REVOKED" or s.effective_on > as_of:
            continue
        for rule in rules_for(s, year):
            out.append(Constraint(rule.effect, rule.rule_id, rule.source, rule.confidence, f"sanction/{s.sanction_id}"))
    closed_investigations = {i.investigation_id for i in facts.investigations if i.closed_on and i.closed_on <= as_of}
    closed_investigations |= {i.case_id for i in facts.investigations if i.closed_on and i.closed_on <= as_of}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for r in facts.restrictions:
        effect = RESTRICTION_EFFECTS.get(r.effect)
        if effect is None or r.status not in COUNTING_STATUSES:
            continue
        if r.source_type == "SANCTION" and r.source_id in tolerated_sanctions:
            continue
        if r.source_type == "INVESTIGATION" and r.source_id in closed_investigations:
            continue
        if r.starts_on > last or (r.ends_on is not None and r.ends_on < first) or r.starts_on > as_of:
            continue
        reason = "PENDING_INVESTIGATION" if r.source_type == "INVESTIGATION" else "SANCTION"
        out.append(
            Constraint(
                effect, f"restriction_{r.effect.lower()}", S_RESTRICTION, "S", f"restriction/{r.restriction_id}", reason
            )
        )
    for i in facts.investigations:
        # 立案 not closed when the grade is decided → 不定等次, whatever year it was opened in.
        if i.opened_on <= as_of and i.investigation_id not in closed_investigations:
            out.append(
                Constraint(
                    UD,
                    "investigation_open",
                    S_INVESTIGATION,
                    "S",
                    f"investigation/{i.investigation_id}",
                    "PENDING_INVESTIGATION",
                )
            )
    return out


def supplement_allowed(result: str) -> bool:
    """Tells whether a closed investigation allows 补定等次 (no sanction, or only a warning-level one)."""
    return result in ("NO_SANCTION", "WARNING_LEVEL", "UNFOUNDED")


def supplement_cap(result: str) -> Effect | None:
    """Returns the cap a closure imposes on the supplemented grade (a warning means no 优秀)."""
    return NE if result == "WARNING_LEVEL" else None
