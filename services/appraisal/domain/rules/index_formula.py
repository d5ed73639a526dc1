"""The accountability index (担当指数): a versioned, weighted formula over facts, each component explained [D].

docs/rules.md §1.4 gives illustrative weights only (no national formula): verified records 40 %, 平时考核 20 %,
urgent and hard tasks 15 %, public evaluation 15 %, awards 10 %; inaction findings, substantiated reports,
sanctions and organizational handling subtract points. A new version is a new entry in FORMULAS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Formula:
    version: str
    weights: dict[str, float]
    record_points: dict[str, float]  # per verified record, by category
    record_saturation: float  # raw points worth 100
    urgent_points: float
    urgent_saturation: float
    regular_scores: dict[str, float]
    award_points: dict[str, float]
    finding_cap: float  # at most this many points per finding
    report_points: dict[str, float]
    sanction_points: dict[str, float]
    false_accusation_points: float
    max_quantity_factor: float = 3.0


FORMULAS: dict[str, Formula] = {
    "2026.1": Formula(
        version="2026.1",
        weights={
            "PERFORMANCE_RECORDS": 0.40,
            "REGULAR_ASSESSMENT": 0.20,
            "URGENT_HARD_TASKS": 0.15,
            "PUBLIC_EVALUATION": 0.15,
            "AWARDS": 0.10,
        },
        record_points={"KEY_TASK": 10.0, "REFORM_INNOVATION": 12.0, "DAILY_DUTY": 4.0},
        record_saturation=40.0,
        urgent_points=15.0,
        urgent_saturation=30.0,
        regular_scores={"GOOD": 100.0, "FAIRLY_GOOD": 80.0, "AVERAGE": 60.0, "POOR": 20.0},
        award_points={
            "COMMENDATION": 40.0,
            "MERIT_3": 70.0,
            "MERIT_2": 85.0,
            "MERIT_1": 100.0,
            "TITLE": 100.0,
            "POLITICAL_HONOUR": 60.0,
            "NOTICE_OF_PRAISE": 30.0,
        },
        finding_cap=30.0,
        report_points={"SUBSTANTIATED": 10.0, "PARTLY_SUBSTANTIATED": 5.0},
        sanction_points={
            "WARNING": 10.0,
            "DEMERIT": 15.0,
            "MAJOR_DEMERIT": 20.0,
            "LEVEL_DEMOTION": 25.0,
            "DISMISSAL_FROM_POST": 30.0,
            "EXPULSION": 40.0,
            "PARTY_WARNING": 10.0,
            "PARTY_SERIOUS_WARNING": 15.0,
            "PARTY_POST_REMOVAL": 20.0,
            "PARTY_PROBATION": 25.0,
            "PARTY_EXPULSION": 40.0,
            "POST_ADJUSTMENT": 8.0,
            "RESIGNATION_FOR_FAULT": 15.0,
            "ORDERED_RESIGNATION": 15.0,
            "REMOVAL_FROM_POST": 15.0,
            "TRANSFER_UNSUITABLE": 10.0,
            "DEMOTION": 15.0,
            "SUSPENSION_FOR_REVIEW": 5.0,
            "ADMONISHMENT": 5.0,
            "ACCOUNTABILITY_CRITICISM": 8.0,
        },
        false_accusation_points=15.0,
    ),
}
ORG_HANDLING_SYSTEMS = ("ORG_HANDLING", "ACCOUNTABILITY", "ADMONISHMENT")


@dataclass(frozen=True)
class RecordFact:
    id: str
    category: str
    quantity: float | None


@dataclass(frozen=True)
class Inputs:
    """The facts of one cadre in one period that count (tolerated, unfounded, revoked and superseded ones removed)."""

    records: tuple[RecordFact, ...] = ()
    regular: tuple[tuple[str, str], ...] = ()  # (id, result)
    awards: tuple[tuple[str, str], ...] = ()  # (id, type)
    findings: tuple[tuple[str, float], ...] = ()  # (id, points)
    reports: tuple[tuple[str, str], ...] = ()  # (report id, outcome)
    sanctions: tuple[tuple[str, str, str], ...] = ()  # (id, system, type)
    false_accusations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Component:
    source: str
    ref_ids: tuple[str, ...]
    raw: float
    weight: float
    contribution: float

    def as_dict(self) -> dict:
        """Returns the component as stored and served."""
        return {
            "source": self.source,
            "ref_ids": list(self.ref_ids),
            "raw": self.raw,
            "weight": self.weight,
            "contribution": self.contribution,
        }


@dataclass(frozen=True)
class Result:
    formula_version: str
    total: float
    components: tuple[Component, ...] = field(default_factory=tuple)


def _scaled(raw: float, saturation: float) -> float:
    return min(raw / saturation, 1.0) * 100.0 if saturation > 0 else 0.0


def compute(formula: Formula, inputs: Inputs) -> Result:
    """Computes the index of one cadre for one period; the total is clamped to 0..100."""
    w = formula.weights
    comps: list[Component] = []

    def positive(source: str, refs: list[str], raw: float, score: float) -> None:
        comps.append(Component(source, tuple(refs), round(raw, 2), w[source], round(score * w[source], 2)))

    def negative(source: str, refs: list[str], points: float) -> None:
        comps.append(Component(source, tuple(refs), round(points, 2), -1.0, round(-points, 2)))

    general = [r for r in inputs.records if r.category in formula.record_points]
    raw = sum(
        formula.record_points[r.category] * min(max(r.quantity or 1.0, 1.0), formula.max_quantity_factor)
        for r in general
    )
    positive("PERFORMANCE_RECORDS", [r.id for r in general], raw, _scaled(raw, formula.record_saturation))
    scores = [formula.regular_scores[res] for _, res in inputs.regular if res in formula.regular_scores]
    mean = sum(scores) / len(scores) if scores else 0.0
    positive("REGULAR_ASSESSMENT", [i for i, _ in inputs.regular], mean, mean)
    urgent = [r for r in inputs.records if r.category == "URGENT_HARD"]
    raw = formula.urgent_points * len(urgent)
    positive("URGENT_HARD_TASKS", [r.id for r in urgent], raw, _scaled(raw, formula.urgent_saturation))
    public = [r for r in inputs.records if r.category == "PUBLIC_EVALUATION"]
    mean = sum(min(max(r.quantity or 0.0, 0.0), 100.0) for r in public) / len(public) if public else 0.0
    positive("PUBLIC_EVALUATION", [r.id for r in public], mean, mean)
    raw = sum(formula.award_points.get(t, 0.0) for _, t in inputs.awards)
    positive("AWARDS", [i for i, _ in inputs.awards], raw, min(raw, 100.0))
    if inputs.findings:
        negative(
            "INACTION_FINDINGS",
            [i for i, _ in inputs.findings],
            sum(min(p, formula.finding_cap) for _, p in inputs.findings),
        )
    counted = [(i, o) for i, o in inputs.reports if o in formula.report_points]
    if counted:
        negative("SUBSTANTIATED_REPORTS", [i for i, _ in counted], sum(formula.report_points[o] for _, o in counted))
    sanctions = [s for s in inputs.sanctions if s[1] not in ORG_HANDLING_SYSTEMS]
    handling = [s for s in inputs.sanctions if s[1] in ORG_HANDLING_SYSTEMS]
    if sanctions:
        negative("SANCTIONS", [s[0] for s in sanctions], sum(formula.sanction_points.get(s[2], 0.0) for s in sanctions))
    if handling:
        negative(
            "ORG_HANDLING", [s[0] for s in handling], sum(formula.sanction_points.get(s[2], 0.0) for s in handling)
        )
    if inputs.false_accusations:
        negative(
            "FALSE_ACCUSATION",
            list(inputs.false_accusations),
            formula.false_accusation_points * len(inputs.false_accusations),
        )
    total = round(min(max(sum(c.contribution for c in comps), 0.0), 100.0), 2)
    return Result(formula.version, total, tuple(comps))


def formula(version: str) -> Formula:
    """Returns a formula by version (KeyError names an unknown version)."""
    return FORMULAS[version]


def in_period(day: dt.date | None, first: dt.date, last: dt.date) -> bool:
    """Tells whether a fact's date falls in a period."""
    return day is not None and first <= day <= last
