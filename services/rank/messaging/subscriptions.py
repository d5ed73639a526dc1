"""Events the rank service consumes: one Subscription per producer (each is one durable consumer)."""

from __future__ import annotations

from kernel.consumer import Handler, Subscription
from kernel.contracts import appraisal_v1, petitions_v1, tolerance_v1
from services.rank.messaging import handlers as h

# Every event below carries the full state of its CE subject (an assessment's grade, an award, a restriction,
# a sanction, an investigation, a case, a report), so the per-subject watermark guard drops stale redeliveries;
# the 信访 flag and the clarification are facts, idempotent by natural key instead.
SUBSCRIPTIONS: list[Subscription] = [
    Subscription(
        producer="appraisal",
        handlers={
            appraisal_v1.GradeFinalized: Handler(h.on_grade_finalized),
            appraisal_v1.AwardGranted: Handler(h.on_award_granted),
            appraisal_v1.AwardRevoked: Handler(h.on_award_revoked),
            appraisal_v1.IndexComputed: Handler(h.on_index_computed),
        },
    ),
    Subscription(
        producer="tolerance",
        handlers={
            tolerance_v1.RestrictionActivated: Handler(h.on_restriction),
            tolerance_v1.RestrictionExpired: Handler(h.on_restriction),
            tolerance_v1.RestrictionLifted: Handler(h.on_restriction),
            tolerance_v1.RestrictionExtended: Handler(h.on_restriction),
            tolerance_v1.SanctionEffective: Handler(h.on_sanction_effective),
            tolerance_v1.SanctionExpired: Handler(h.on_sanction_expired),
            tolerance_v1.SanctionVaried: Handler(h.on_sanction_varied),
            tolerance_v1.SanctionRevoked: Handler(h.on_sanction_revoked),
            tolerance_v1.InvestigationOpened: Handler(h.on_investigation_opened),
            tolerance_v1.InvestigationClosed: Handler(h.on_investigation_closed),
            tolerance_v1.ReinstatementApproved: Handler(h.on_reinstatement_approved),
        },
    ),
    Subscription(
        producer="petitions",
        handlers={
            petitions_v1.CaseOpened: Handler(h.on_case_opened),
            petitions_v1.ReportClosed: Handler(h.on_report_closed),
            # Facts (a flag per report and cadre, a clarification), idempotent by natural key: no watermark.
            petitions_v1.XinfangAboutCadre: Handler(h.on_xinfang_about_cadre, guard=False),
            petitions_v1.ClarificationExecuted: Handler(h.on_clarification_executed, guard=False),
        },
    ),
]
