"""Events the petitions service consumes: one Subscription per producer (durable names are per producer)."""

from __future__ import annotations

from kernel.consumer import Handler, Subscription
from kernel.contracts import appraisal_v1, rank_v1, tolerance_v1
from services.petitions.messaging import handlers as h

SUBSCRIPTIONS = [
    # The cadre directory and org tree, kept from rank's register for scoping (docs/reliability.md S1, S2), and
    # the contract decisions that may be disputed (full state per contract: guarded).
    Subscription(
        producer="rank",
        handlers={
            **h.DIRECTORY_HANDLERS,
            rank_v1.ContractTerminated: Handler(h.on_contract_terminated),
            rank_v1.ContractRenewalDecided: Handler(h.on_contract_renewal),
        },
    ),
    Subscription(
        producer="tolerance",
        handlers={
            # Each exemption is a fact applied once per (report, cadre): no watermark guard.
            tolerance_v1.ToleranceGranted: Handler(h.on_tolerance_granted, guard=False),
            tolerance_v1.SanctionEffective: Handler(h.on_sanction("EFFECTIVE")),
            tolerance_v1.SanctionVaried: Handler(h.on_sanction("VARIED")),
            tolerance_v1.SanctionExpired: Handler(h.on_sanction("EXPIRED")),
            tolerance_v1.SanctionRevoked: Handler(h.on_sanction("REVOKED")),
        },
    ),
    Subscription(
        producer="appraisal",
        handlers={
            appraisal_v1.GradeFinalized: Handler(h.on_grade_finalized),
        },
    ),
]
