"""Events the tolerance service consumes (one Subscription per producer)."""

from __future__ import annotations

from kernel.consumer import Handler, Subscription
from kernel.contracts import appraisal_v1, petitions_v1, rank_v1
from kernel.directory import directory_handlers
from services.tolerance.messaging import handlers
from services.tolerance.service_layer.access import DIRECTORY_TABLES

# Full-state events are guarded by sequence, facts by their natural keys.
SUBSCRIPTIONS = [
    # The cadre directory and org tree (docs/reliability.md S1, S2), plus rank holdings for "original" levels.
    Subscription(
        producer="rank",
        handlers={
            **directory_handlers(DIRECTORY_TABLES),
            rank_v1.RankChanged: Handler(handlers.on_rank_changed),
            rank_v1.PostChanged: Handler(handlers.on_post_changed),
        },
    ),
    Subscription(
        producer="petitions",
        handlers={
            petitions_v1.CaseOpened: Handler(handlers.on_case_opened, guard=False),
            petitions_v1.ReportClosed: Handler(handlers.on_report_closed),
            petitions_v1.FalseAccusationConfirmed: Handler(handlers.on_false_accusation, guard=False),
            petitions_v1.AppealDecided: Handler(handlers.on_appeal_decided, guard=False),
        },
    ),
    Subscription(
        producer="appraisal",
        handlers={
            appraisal_v1.InactionConfirmed: Handler(handlers.on_inaction_confirmed, guard=False),
            appraisal_v1.AdmonishmentIssued: Handler(handlers.on_admonishment_issued, guard=False),
            appraisal_v1.GradeFinalized: Handler(handlers.on_grade_finalized),
        },
    ),
]
