"""Maps rank's domain events to public contract events (what goes to the outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from kernel.contracts import rank_v1
from kernel.contracts.base import Contract
from services.rank.domain import events


@singledispatch
def to_contracts(event: Any) -> Iterable[Contract]:
    """Returns the contract events for a domain event (none by default)."""
    return ()


@to_contracts.register
def _(event: events.OrgUnitSaved) -> Iterable[Contract]:
    return (rank_v1.OrgUnitChanged(org_unit_id=event.org_unit_id, parent_id=event.parent_id, name=event.name,
                                   agency_level=event.agency_level, path=list(event.path), active=event.active),)


def _snapshot(state: events.CadreState) -> dict[str, Any]:
    return dict(cadre_id=state.cadre_id, name=state.name, gender=state.gender, birth_date=state.birth_date,
                org_unit_id=state.org_unit_id, org_path=list(state.org_path), category=state.category,
                party_member=state.party_member, entry_date=state.entry_date, education=state.education,
                active=state.active)


@to_contracts.register
def _(event: events.CadreRegistered) -> Iterable[Contract]:
    return (rank_v1.CadreRegistered(**_snapshot(event.state)),)


@to_contracts.register
def _(event: events.CadreUpdated) -> Iterable[Contract]:
    return (rank_v1.CadreUpdated(**_snapshot(event.state)),)
