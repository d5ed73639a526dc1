"""Public events of the appraisal service, major version 1."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.contracts.base import Contract, Item
from kernel.contracts.vocabulary import AwardType, Grade
from kernel.subjects import EventName

P = "appraisal"


class GradeFinalized(Contract):
    """An annual grade became final (or was amended after review/appeal, or supplemented: 补定等次)."""

    event_name: ClassVar = EventName(P, "grade_finalized")
    subject_template: ClassVar = "annual-assessment/{assessment_id}"
    summary: ClassVar = "Annual grade final, amended or supplemented (latest event per assessment wins)"

    assessment_id: str
    cadre_id: str
    org_unit_id: str
    year: int
    grade: Grade
    supplemented: bool = False
    amended: bool = False
    undetermined_reason: str | None = None
    finalized_on: dt.date


class InactionConfirmed(Contract):
    event_name: ClassVar = EventName(P, "inaction_confirmed")
    subject_template: ClassVar = "inaction-finding/{finding_id}"
    summary: ClassVar = "An inaction (为官不为) finding was confirmed"

    finding_id: str
    cadre_id: str
    item_code: str
    severity: int
    triggers_accountability: bool
    occurred_on: dt.date
    confirmed_on: dt.date
    incident_ref: str | None = None


class AdmonishmentIssued(Contract):
    event_name: ClassVar = EventName(P, "admonishment_issued")
    subject_template: ClassVar = "talk/{talk_id}"
    summary: ClassVar = "An admonishment talk (诫勉) was held; tolerance turns it into restrictions"

    talk_id: str
    cadre_id: str
    issued_on: dt.date
    reason: str


class AwardGranted(Contract):
    event_name: ClassVar = EventName(P, "award_granted")
    subject_template: ClassVar = "award/{award_id}"
    summary: ClassVar = "An award or honour was granted"

    award_id: str
    cadre_id: str
    type: AwardType
    basis: str
    year: int | None = None
    granted_on: dt.date


class AwardRevoked(Contract):
    event_name: ClassVar = EventName(P, "award_revoked")
    subject_template: ClassVar = "award/{award_id}"
    summary: ClassVar = "An award was revoked (公务员法 §56)"

    award_id: str
    cadre_id: str
    type: AwardType
    revoked_on: dt.date
    reason: str


class IndexComponent(Item):
    source: str
    contribution: float
    ref_ids: list[str] = []  # the records that produced the component (added in 1.1)
    raw: float | None = None
    weight: float | None = None  # -1 for point deductions


class IndexComputed(Contract):
    event_name: ClassVar = EventName(P, "index_computed")
    subject_template: ClassVar = "index/{cadre_id}/{period_key}"
    summary: ClassVar = "The accountability index (担当指数) of a cadre for a period was (re)computed"
    minor: ClassVar = 1

    cadre_id: str
    org_unit_id: str
    period_key: str  # YYYY or YYYY-Qn
    formula_version: str
    total: float
    percentile: float | None = None  # within the org unit, 0..100
    components: list[IndexComponent] = []
    computed_at: dt.datetime


EXAMPLES: list[Contract] = [
    GradeFinalized(
        assessment_id="aa-2025-4711",
        cadre_id="c-4711",
        org_unit_id="u-finance",
        year=2025,
        grade=Grade.EXCELLENT,
        finalized_on=dt.date(2026, 1, 20),
    ),
    InactionConfirmed(
        finding_id="if-9",
        cadre_id="c-4711",
        item_code="NA-DELAY-01",
        severity=2,
        triggers_accountability=True,
        occurred_on=dt.date(2026, 5, 3),
        confirmed_on=dt.date(2026, 6, 1),
        incident_ref="inc-31",
    ),
    AdmonishmentIssued(talk_id="t-12", cadre_id="c-4711", issued_on=dt.date(2026, 3, 1), reason="BASIC_GRADE_2025"),
    AwardGranted(
        award_id="aw-3",
        cadre_id="c-4711",
        type=AwardType.COMMENDATION,
        basis="ANNUAL_EXCELLENT",
        year=2025,
        granted_on=dt.date(2026, 2, 1),
    ),
    AwardRevoked(
        award_id="aw-3",
        cadre_id="c-4711",
        type=AwardType.COMMENDATION,
        revoked_on=dt.date(2026, 9, 1),
        reason="SERIOUS_SANCTION",
    ),
    IndexComputed(
        cadre_id="c-4711",
        org_unit_id="u-finance",
        period_key="2026-Q2",
        formula_version="2026.1",
        total=78.5,
        percentile=64.0,
        components=[IndexComponent(source="PERFORMANCE_RECORDS", contribution=31.2)],
        computed_at=dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC),
    ),
]
