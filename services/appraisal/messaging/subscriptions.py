"""Events the appraisal service consumes: one Subscription per producer (one durable each)."""

from __future__ import annotations

from kernel.consumer import Handler, Subscription
from kernel.contracts import petitions_v1 as pet
from kernel.contracts import rank_v1 as rank
from kernel.contracts import tolerance_v1 as tol
from kernel.directory import directory_handlers
from services.appraisal.adapters import orm
from services.appraisal.messaging import handlers as h

SUBSCRIPTIONS: list[Subscription] = [
    # The cadre directory and org tree (scoping, RELIABILITY.md S1, S2), plus promotions and rotations for coverage.
    Subscription(producer="rank", handlers={
        **directory_handlers(orm.directory),
        rank.RankChanged: Handler(h.on_rank_changed),
        rank.PostChanged: Handler(h.on_post_changed),
    }),
    # Restrictions, sanctions, investigations and tolerance decisions carry full state: guarded per subject.
    Subscription(producer="tolerance", handlers={
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
    }),
    Subscription(producer="petitions", handlers={
        pet.ReportClosed: Handler(h.on_report_closed),
        pet.FalseAccusationConfirmed: Handler(h.on_false_accusation),
        # Each decision is a fact of its own (stages REVIEW, APPEAL, REAPPEAL): no watermark, inbox dedup only.
        pet.AppealDecided: Handler(h.on_appeal_decided, guard=False),
    }),
]
