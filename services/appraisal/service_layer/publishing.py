"""Maps appraisal domain events to public contract events (what goes to the outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from kernel.contracts import appraisal_v1 as c
from kernel.contracts.base import Contract
from services.appraisal.domain import events


@singledispatch
def to_contracts(event: Any) -> Iterable[Contract]:
    """Returns the contract events for a domain event (none by default)."""
    return ()


@to_contracts.register
def _(e: events.GradeFinalized) -> Iterable[Contract]:
    return (
        c.GradeFinalized(
            assessment_id=e.assessment_id,
            cadre_id=e.cadre_id,
            org_unit_id=e.org_unit_id,
            year=e.year,
            grade=e.grade,
            supplemented=e.supplemented,
            amended=e.amended,
            undetermined_reason=e.undetermined_reason,
            finalized_on=e.finalized_on,
        ),
    )


@to_contracts.register
def _(e: events.InactionConfirmed) -> Iterable[Contract]:
    return (
        c.InactionConfirmed(
            finding_id=e.finding_id,
            cadre_id=e.cadre_id,
            item_code=e.item_code,
            severity=e.severity,
            triggers_accountability=e.triggers_accountability,
            occurred_on=e.occurred_on,
            confirmed_on=e.confirmed_on,
            incident_ref=e.incident_ref,
        ),
    )


@to_contracts.register
def _(e: events.AdmonishmentIssued) -> Iterable[Contract]:
    return (c.AdmonishmentIssued(talk_id=e.talk_id, cadre_id=e.cadre_id, issued_on=e.issued_on, reason=e.reason),)


@to_contracts.register
def _(e: events.AwardGranted) -> Iterable[Contract]:
    return (
        c.AwardGranted(
            award_id=e.award_id, cadre_id=e.cadre_id, type=e.type, basis=e.basis, year=e.year, granted_on=e.granted_on
        ),
    )


@to_contracts.register
def _(e: events.AwardRevoked) -> Iterable[Contract]:
    return (
        c.AwardRevoked(award_id=e.award_id, cadre_id=e.cadre_id, type=e.type, revoked_on=e.revoked_on, reason=e.reason),
    )
