"""Maps tolerance domain events to public contract events (what goes to the outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from kernel.contracts import tolerance_v1 as v1
from kernel.contracts.base import Contract
from services.tolerance.domain import events
from services.tolerance.domain.restrictions import last_day


@singledispatch
def to_contracts(event: Any) -> Iterable[Contract]:
    """Returns the contract events for a domain event (none by default)."""
    return ()


def _fields(value: Any) -> dict[str, Any]:
    # A shallow copy: dataclasses.asdict deep-copies every date and dominated the expiry sweep's profile.
    return dict(vars(value))


def _restriction(state: events.RestrictionSnapshot) -> dict[str, Any]:
    # Outside, ends_on is the last day the restriction applies (inclusive); a lifted one ends the day before.
    values = _fields(state)
    until = values.pop("until")
    values["ends_on"] = last_day(until if state.status == "LIFTED" else state.ends_on)
    return values


def _sanction(state: events.SanctionSnapshot) -> dict[str, Any]:
    values = _fields(state)
    values["effects"] = list(state.effects)
    values["ends_on"] = last_day(state.ends_on)
    return values


@to_contracts.register
def _(event: events.RestrictionActivated) -> Iterable[Contract]:
    return (v1.RestrictionActivated(**_restriction(event.state)),)


@to_contracts.register
def _(event: events.RestrictionExpired) -> Iterable[Contract]:
    return (v1.RestrictionExpired(**_restriction(event.state)),)


@to_contracts.register
def _(event: events.RestrictionLifted) -> Iterable[Contract]:
    return (v1.RestrictionLifted(**_restriction(event.state)),)


@to_contracts.register
def _(event: events.RestrictionExtended) -> Iterable[Contract]:
    return (v1.RestrictionExtended(**_restriction(event.state)),)


@to_contracts.register
def _(event: events.SanctionBecameEffective) -> Iterable[Contract]:
    return (v1.SanctionEffective(**_sanction(event.state)),)


@to_contracts.register
def _(event: events.SanctionExpired) -> Iterable[Contract]:
    return (v1.SanctionExpired(**_sanction(event.state)),)


@to_contracts.register
def _(event: events.SanctionVaried) -> Iterable[Contract]:
    return (v1.SanctionVaried(**_sanction(event.state), previous_type=event.previous_type, appeal_id=event.appeal_id),)


@to_contracts.register
def _(event: events.SanctionRevoked) -> Iterable[Contract]:
    return (
        v1.SanctionRevoked(
            **_sanction(event.state),
            appeal_id=event.appeal_id,
            revoked_on=event.revoked_on,
            publication_scope=event.publication_scope,
        ),
    )


def _refs(refs: tuple[events.SourceRef, ...]) -> list[v1.SourceRef]:
    return [v1.SourceRef(type=r.type, id=r.id) for r in refs]


@to_contracts.register
def _(event: events.ToleranceGranted) -> Iterable[Contract]:
    return (
        v1.ToleranceGranted(
            case_id=event.case_id,
            incident_id=event.incident_id,
            cadre_id=event.cadre_id,
            decision=event.decision,
            decided_on=event.decided_on,
            source_refs=_refs(event.source_refs),
            mitigated_to=event.mitigated_to,
        ),
    )


@to_contracts.register
def _(event: events.ToleranceRejected) -> Iterable[Contract]:
    return (
        v1.ToleranceRejected(
            case_id=event.case_id,
            incident_id=event.incident_id,
            cadre_id=event.cadre_id,
            decided_on=event.decided_on,
            source_refs=_refs(event.source_refs),
        ),
    )


@to_contracts.register
def _(event: events.InvestigationOpened) -> Iterable[Contract]:
    return (v1.InvestigationOpened(**_fields(event)),)


@to_contracts.register
def _(event: events.InvestigationClosed) -> Iterable[Contract]:
    return (v1.InvestigationClosed(**_fields(event)),)


@to_contracts.register
def _(event: events.ReinstatementApproved) -> Iterable[Contract]:
    return (v1.ReinstatementApproved(**_fields(event)),)
