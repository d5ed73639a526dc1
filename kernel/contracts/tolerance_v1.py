"""Public events of the tolerance service, major version 1.

Restrictions are the only thing rank and appraisal consume: every restriction event carries the full
state of the restriction, so the latest event per restriction is all a consumer needs.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.contracts.base import Contract, Item
from kernel.contracts.vocabulary import (
    RestrictionEffect,
    RestrictionSource,
    RestrictionStatus,
    SanctionSystem,
    SanctionType,
    ToleranceDecision,
)
from kernel.subjects import EventName

P = "tolerance"


class RestrictionState(Contract):
    """Full state of one restriction (one effect, a start and an end)."""

    subject_template: ClassVar = "restriction/{restriction_id}"
    minor: ClassVar[int] = 1

    restriction_id: str
    cadre_id: str
    effect: RestrictionEffect
    source_type: RestrictionSource
    source_id: str
    starts_on: dt.date  # the first day it applies
    # The last day it applies (inclusive); for LIFTED, the day before it was lifted. None: open-ended
    # (investigation) or permanent. VOID: never applied (ignore it).
    ends_on: dt.date | None
    status: RestrictionStatus
    discretionary_extension: bool = False
    reason: str | None = None
    # 1.1: the post level and rank held before the sanction, for NO_POST_EQUAL_OR_ABOVE / NO_POST_ABOVE_ORIGINAL.
    original_post_level: int | None = None
    original_rank_code: str | None = None


class RestrictionActivated(RestrictionState):
    event_name: ClassVar = EventName(P, "restriction_activated")
    summary: ClassVar = "A restriction became active"


class RestrictionExpired(RestrictionState):
    event_name: ClassVar = EventName(P, "restriction_expired")
    summary: ClassVar = "A restriction ended on its end date"


class RestrictionLifted(RestrictionState):
    event_name: ClassVar = EventName(P, "restriction_lifted")
    summary: ClassVar = "A restriction ended early (appeal revoked, investigation closed, tolerated)"


class RestrictionExtended(RestrictionState):
    event_name: ClassVar = EventName(P, "restriction_extended")
    summary: ClassVar = "A restriction was extended (期满影响使用 or 留党察看), with the reason recorded"


class SanctionState(Contract):
    subject_template: ClassVar = "sanction/{sanction_id}"

    sanction_id: str
    cadre_id: str
    system: SanctionSystem
    type: SanctionType
    effective_on: dt.date
    ends_on: dt.date | None  # the last day of the influence period (inclusive); None: permanent
    period_months: int | None
    effects: list[RestrictionEffect] = []
    incident_id: str | None = None
    demotes_rank: bool = False  # 撤职 / 降职: one rank down, not restored at expiry
    demotes_level: bool = False  # 降级


class SanctionEffective(SanctionState):
    event_name: ClassVar = EventName(P, "sanction_effective")
    summary: ClassVar = "A sanction or organizational handling took effect"


class SanctionExpired(SanctionState):
    event_name: ClassVar = EventName(P, "sanction_expired")
    summary: ClassVar = "A sanction's influence period ended (降级/撤职 are not restored)"


class SanctionVaried(SanctionState):
    event_name: ClassVar = EventName(P, "sanction_varied")
    summary: ClassVar = "A sanction was varied on appeal (never heavier); carries the new state"

    previous_type: SanctionType
    appeal_id: str | None = None


class SanctionRevoked(SanctionState):
    event_name: ClassVar = EventName(P, "sanction_revoked")
    summary: ClassVar = "A sanction was revoked on appeal: restore rank, level and pay; clarify in the original scope"

    appeal_id: str | None = None
    revoked_on: dt.date
    publication_scope: str | None = None


class SourceRef(Item):
    type: str  # REPORT | INACTION_FINDING | AUDIT | ACCIDENT | OTHER
    id: str


class ToleranceGranted(Contract):
    event_name: ClassVar = EventName(P, "tolerance_granted")
    subject_template: ClassVar = "tolerance-case/{case_id}"
    summary: ClassVar = "Error tolerance (容错) granted: exempt or mitigate"
    minor: ClassVar[int] = 1

    case_id: str
    incident_id: str
    cadre_id: str
    decision: ToleranceDecision
    decided_on: dt.date
    source_refs: list[SourceRef] = []
    # 1.1: for MITIGATE, the lighter sanction type the pending proposal was lowered to (its own period applies).
    mitigated_to: SanctionType | None = None


class ToleranceRejected(Contract):
    event_name: ClassVar = EventName(P, "tolerance_rejected")
    subject_template: ClassVar = "tolerance-case/{case_id}"
    summary: ClassVar = "An error-tolerance application was rejected"

    case_id: str
    incident_id: str
    cadre_id: str
    decided_on: dt.date
    source_refs: list[SourceRef] = []


class InvestigationOpened(Contract):
    event_name: ClassVar = EventName(P, "investigation_opened")
    subject_template: ClassVar = "investigation/{investigation_id}"
    summary: ClassVar = "An investigation of a cadre is open (mirrored from petitions.case_opened)"

    investigation_id: str
    cadre_id: str
    case_id: str
    opened_on: dt.date


class InvestigationClosed(Contract):
    event_name: ClassVar = EventName(P, "investigation_closed")
    subject_template: ClassVar = "investigation/{investigation_id}"
    summary: ClassVar = "An investigation closed; NO_SANCTION or WARNING_LEVEL allows 补定等次"

    investigation_id: str
    cadre_id: str
    case_id: str
    opened_on: dt.date
    closed_on: dt.date
    result: str  # NO_SANCTION | WARNING_LEVEL | SANCTIONED | UNFOUNDED


class ReinstatementApproved(Contract):
    event_name: ClassVar = EventName(P, "reinstatement_approved")
    subject_template: ClassVar = "reinstatement/{reinstatement_id}"
    summary: ClassVar = "A cadre's re-use after a mistake (复出) was approved"

    reinstatement_id: str
    cadre_id: str
    target_post: str
    target_post_level: int | None = None
    target_rank: str | None = None
    upper_consulted: bool
    decided_on: dt.date


_R = dict(cadre_id="c-4711", source_type=RestrictionSource.SANCTION, source_id="s-1", starts_on=dt.date(2026, 3, 1))
_S = dict(
    sanction_id="s-1",
    cadre_id="c-4711",
    system=SanctionSystem.GOV,
    type=SanctionType.WARNING,
    effective_on=dt.date(2026, 3, 1),
    ends_on=dt.date(2026, 9, 1),
    period_months=6,
    effects=[RestrictionEffect.NO_RANK_PROMOTION, RestrictionEffect.GRADE_NOT_EXCELLENT],
)

EXAMPLES: list[Contract] = [
    RestrictionActivated(
        restriction_id="rs-1",
        effect=RestrictionEffect.NO_RANK_PROMOTION,
        ends_on=dt.date(2026, 9, 1),
        status=RestrictionStatus.ACTIVE,
        **_R,
    ),
    RestrictionExpired(
        restriction_id="rs-1",
        effect=RestrictionEffect.NO_RANK_PROMOTION,
        ends_on=dt.date(2026, 9, 1),
        status=RestrictionStatus.EXPIRED,
        **_R,
    ),
    RestrictionLifted(
        restriction_id="rs-1",
        effect=RestrictionEffect.NO_RANK_PROMOTION,
        ends_on=dt.date(2026, 6, 1),
        status=RestrictionStatus.LIFTED,
        reason="APPEAL_REVOKED",
        **_R,
    ),
    RestrictionExtended(
        restriction_id="rs-1",
        effect=RestrictionEffect.NO_RANK_PROMOTION,
        ends_on=dt.date(2027, 3, 1),
        status=RestrictionStatus.ACTIVE,
        discretionary_extension=True,
        reason="期满影响使用: unit objection",
        original_post_level=3,
        original_rank_code="C08",
        **_R,
    ),
    SanctionEffective(**_S),
    SanctionExpired(**_S),
    SanctionVaried(**{**_S, "type": SanctionType.WARNING}, previous_type=SanctionType.DEMERIT, appeal_id="ap-5"),
    SanctionRevoked(**_S, appeal_id="ap-5", revoked_on=dt.date(2026, 5, 1), publication_scope="UNIT"),
    ToleranceGranted(
        case_id="tc-1",
        incident_id="inc-31",
        cadre_id="c-4711",
        decision=ToleranceDecision.EXEMPT,
        decided_on=dt.date(2026, 6, 20),
        source_refs=[SourceRef(type="INACTION_FINDING", id="if-9")],
    ),
    ToleranceRejected(case_id="tc-2", incident_id="inc-32", cadre_id="c-4711", decided_on=dt.date(2026, 6, 20)),
    InvestigationOpened(investigation_id="inv-1", cadre_id="c-4711", case_id="case-7", opened_on=dt.date(2026, 5, 10)),
    InvestigationClosed(
        investigation_id="inv-1",
        cadre_id="c-4711",
        case_id="case-7",
        opened_on=dt.date(2026, 5, 10),
        closed_on=dt.date(2026, 8, 1),
        result="NO_SANCTION",
    ),
    ReinstatementApproved(
        reinstatement_id="ri-1",
        cadre_id="c-4711",
        target_post="DIVISION_DEPUTY",
        target_post_level=3,
        upper_consulted=True,
        decided_on=dt.date(2027, 4, 1),
    ),
]
