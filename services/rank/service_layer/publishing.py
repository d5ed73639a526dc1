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
    return (
        rank_v1.OrgUnitChanged(
            org_unit_id=event.org_unit_id,
            parent_id=event.parent_id,
            name=event.name,
            agency_level=event.agency_level,
            path=list(event.path),
            active=event.active,
        ),
    )


def _snapshot(state: events.CadreState) -> dict[str, Any]:
    return dict(
        cadre_id=state.cadre_id,
        name=state.name,
        gender=state.gender,
        birth_date=state.birth_date,
        org_unit_id=state.org_unit_id,
        org_path=list(state.org_path),
        category=state.category,
        party_member=state.party_member,
        entry_date=state.entry_date,
        education=state.education,
        active=state.active,
        rank_code=state.rank_code,
        level=state.level,
        post_code=state.post_code,
        leadership=state.leadership,
        relative_ids=list(state.relative_ids),
    )


@to_contracts.register
def _(event: events.CadreRegistered) -> Iterable[Contract]:
    return (rank_v1.CadreRegistered(**_snapshot(event.state)),)


@to_contracts.register
def _(event: events.CadreUpdated) -> Iterable[Contract]:
    return (rank_v1.CadreUpdated(**_snapshot(event.state)),)


@to_contracts.register
def _(event: events.RankChanged) -> Iterable[Contract]:
    return (
        rank_v1.RankChanged(
            holding_id=event.holding_id,
            cadre_id=event.cadre_id,
            series=event.series,
            from_rank=event.from_rank,
            to_rank=event.to_rank,
            basis=event.basis,
            effective_date=event.effective_date,
            level=event.level,
            source_ref=event.source_ref,
        ),
    )


@to_contracts.register
def _(event: events.PostChanged) -> Iterable[Contract]:
    return (
        rank_v1.PostChanged(
            holding_id=event.holding_id,
            cadre_id=event.cadre_id,
            from_post=event.from_post,
            to_post=event.to_post,
            post_level=event.post_level,
            basis=event.basis,
            effective_date=event.effective_date,
            source_ref=event.source_ref,
        ),
    )


@to_contracts.register
def _(event: events.LevelChanged) -> Iterable[Contract]:
    return (
        rank_v1.LevelChanged(
            holding_id=event.holding_id,
            cadre_id=event.cadre_id,
            from_level=event.from_level,
            to_level=event.to_level,
            step=event.step,
            basis=event.basis,
            effective_date=event.effective_date,
        ),
    )


@to_contracts.register
def _(event: events.ContractSigned) -> Iterable[Contract]:
    return (
        rank_v1.ContractSigned(
            contract_id=event.contract_id,
            cadre_id=event.cadre_id,
            kind=event.kind,
            tier=event.tier,
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            probation_months=event.probation_months,
        ),
    )


@to_contracts.register
def _(event: events.ContractTermEnding) -> Iterable[Contract]:
    return (
        rank_v1.ContractTermEnding(
            contract_id=event.contract_id,
            cadre_id=event.cadre_id,
            kind=event.kind,
            ends_on=event.ends_on,
            review_due_on=event.review_due_on,
        ),
    )


@to_contracts.register
def _(event: events.ContractRenewalDecided) -> Iterable[Contract]:
    return (
        rank_v1.ContractRenewalDecided(
            contract_id=event.contract_id,
            cadre_id=event.cadre_id,
            kind=event.kind,
            outcome=event.outcome,
            decided_on=event.decided_on,
            new_contract_id=event.new_contract_id,
            new_ends_on=event.new_ends_on,
        ),
    )


@to_contracts.register
def _(event: events.ContractTerminated) -> Iterable[Contract]:
    return (
        rank_v1.ContractTerminated(
            contract_id=event.contract_id,
            cadre_id=event.cadre_id,
            kind=event.kind,
            ground=event.ground,
            terminated_on=event.terminated_on,
        ),
    )
