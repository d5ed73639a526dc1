"""Events the appraisal service consumes: one Subscription per producer (one durable each)."""

from __future__ import annotations

from kernel.consumer import Handler, Subscription
from kernel.contracts import petitions_v1 as pet
from kernel.contracts import rank_v1 as rank
from kernel.contracts import tolerance_v1 as tol
from kernel.directory import directory_handlers
from services.appraisal.messaging import handlers as h
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork

SUBSCRIPTIONS: list[Subscription] = [
    # The cadre directory and org tree (scoping, docs/reliability.md S1, S2), plus promotions and rotations for
    # coverage.
    Subscription(
        producer="rank",
        handlers={
            **directory_handlers(AppraisalUnitOfWork.directory.tables),
            rank.RankChanged: Handler(h.on_rank_changed),
            rank.PostChanged: Handler(h.on_post_changed),
            # Facts (one task per contract term), idempotent by natural key.
            rank.ContractTermEnding: Handler(h.on_contract_term_ending, guard=False),
        },
    ),
    # Restrictions, sanctions, investigations and tolerance decisions carry full state: guarded per subject.
    Subscription(
        producer="tolerance",
        handlers={
            tol.RestrictionActivated: Handler(h.on_restriction),
            tol.RestrictionExpired: Handler(h.on_restriction),
            tol.RestrictionLifted: Handler(h.on_restriction),
            tol.RestrictionExtended: Handler(h.on_restriction),
            tol.SanctionEffective: Handler(h.on_sanction),
            tol.SanctionExpired: Handler(h.on_sanction),
            tol.SanctionVaried: Handler(h.on_sanction),
            tol.SanctionRevoked: Handler(h.on_sanction),
            tol.ToleranceGranted: Handler(h.on_tolerance_granted),
            tol.ToleranceRejected: Handler(h.on_tolerance_rejected),
            tol.InvestigationOpened: Handler(h.on_investigation_opened),
            tol.InvestigationClosed: Handler(h.on_investigation_closed),
            tol.ReinstatementApproved: Handler(h.on_reinstatement_approved, guard=False),
        },
    ),
    Subscription(
        producer="petitions",
        handlers={
            pet.ReportClosed: Handler(h.on_report_closed),
            pet.FalseAccusationConfirmed: Handler(h.on_false_accusation),
            # Each decision is a fact of its own (stages REVIEW, APPEAL, REAPPEAL): no watermark, inbox dedup only.
            pet.AppealDecided: Handler(h.on_appeal_decided, guard=False),
            # Notes on the record: facts, idempotent by (kind, source, cadre).
            pet.ClarificationExecuted: Handler(h.on_clarification_executed, guard=False),
            pet.XinfangAboutCadre: Handler(h.on_xinfang_about_cadre, guard=False),
        },
    ),
]
