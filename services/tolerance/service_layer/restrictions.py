"""Restriction use cases: the discretionary extension (期满影响使用) and the expiry sweep."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.auth import Principal
from kernel.contracts.vocabulary import RestrictionSource
from kernel.errors import NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.tolerance.domain import events
from services.tolerance.domain.reinstatement import Reinstatement
from services.tolerance.domain.restrictions import USE_BARS, first_free_day
from services.tolerance.domain.sanction import IN_FORCE, SanctionStatus
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action
from services.tolerance.service_layer.publishing import to_contracts
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork

EXTENDABLE = frozenset(
    {
        RestrictionSource.SANCTION,
        RestrictionSource.ORG_HANDLING,
        RestrictionSource.ADMONISHMENT,
        RestrictionSource.ACCOUNTABILITY,
    }
)


async def extend_restriction(
    cmd: commands.ExtendRestriction, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Extends a restriction by the organization's judgement that use is still affected, with the reason kept."""
    async with uow:
        restriction = await uow.restrictions.get(cmd.restriction_id)
        if restriction is None:
            raise NotFound("restriction not found", field="restriction_id", rule="restriction.id")
        await cadre_for_action(uow, principal, restriction.cadre_id)
        if restriction.source_type not in EXTENDABLE:
            raise RuleViolation(
                "an investigation's restriction ends with the investigation", rule="restriction.extension_source"
            )
        previous = restriction.ends_on
        restriction.extend(
            new_ends_on=first_free_day(cmd.new_ends_on), reason=cmd.reason, today=today, discretionary=True
        )
        await uow.restrictions.save_many([restriction])
        assert previous is not None
        await uow.restrictions.record_extension(
            restriction_id=restriction.id,
            previous_ends_on=previous,
            new_ends_on=first_free_day(cmd.new_ends_on),
            reason=cmd.reason.strip(),
            discretionary=True,
            decided_by=principal.subject,
            decided_on=today,
        )
        await uow.audit(principal, "EXTEND", "restriction", restriction.id)
        return await uow.commit(state_of(restriction))


# -- the expiry sweep ------------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    restrictions_expired: int = 0
    sanctions_expired: int = 0
    reinstatements_opened: int = 0
    batches: int = 0
    cadres: set[str] = field(default_factory=set, repr=False)


async def expire_due(uow: ToleranceUnitOfWork, *, today: dt.date, batch: int, result: SweepResult) -> bool:
    """Expires one batch of due restrictions and sanctions in the open transaction; True if more may be due.

    The rows are claimed so that two replicas never expire, nor announce, the same row twice (adapters.expiry).
    """
    policy = uow.context.policy
    due, expired = await uow.expiry.restrictions(today, batch)
    for restriction in expired:
        uow.emit(*to_contracts(events.RestrictionExpired(restriction.snapshot())))
        if restriction.effect in USE_BARS:  # only the end of a bar on re-use can make a cadre eligible
            result.cadres.add(restriction.cadre_id)
    result.restrictions_expired += len(expired)
    due_sanctions, sanctions = await uow.expiry.sanctions(today, batch)
    for sanction in sanctions:
        uow.emit(*to_contracts(events.SanctionExpired(sanction.snapshot(policy.catalogue))))
    result.sanctions_expired += len(sanctions)
    return due == batch or due_sanctions == batch


async def open_eligible_reinstatements(uow: ToleranceUnitOfWork, *, cadre_ids: set[str], today: dt.date) -> int:
    """Opens a reinstatement for removed cadres among `cadre_ids` once no bar on re-use remains."""
    policy = uow.context.policy
    if not cadre_ids:
        return 0
    removal_types = [t.value for t, rule in policy.catalogue.rules.items() if rule.removes_from_post]
    in_force = {st.value for st in (*IN_FORCE, SanctionStatus.EXPIRED)}
    basis: dict[str, list] = {}
    # Two index-driven steps (removals without a reinstatement, then the bars of those few cadres): one query
    # with an anti-join on restriction let PostgreSQL hash the whole table on every batch; status is checked here.
    for row in await uow.sanctions.removals_without_reinstatement(sorted(cadre_ids), removal_types):
        if row.status in in_force:
            basis.setdefault(row.cadre_id, []).append(row)
    if not basis:
        return 0
    candidates = sorted(basis)
    barred = await uow.restrictions.barred_cadres(candidates, [e.value for e in USE_BARS], today)
    opened = 0
    for cadre_id in candidates:
        if cadre_id in barred or await uow.reinstatements.has_open(cadre_id):
            continue
        rows = sorted(basis[cadre_id], key=lambda row: row.id)
        levels = [row.original_post_level for row in rows]
        item = Reinstatement.become_eligible(
            reinstatement_id=new_id(),
            cadre_id=cadre_id,
            basis_sanction_ids=[row.id for row in rows],
            eligible_from=today,
            original_post_level=None if None in levels else max(levels),
        )
        await uow.reinstatements.add(item)
        opened += 1
    return opened


async def sweep(uow_factory, *, today: dt.date, batch: int = 1000, max_batches: int = 10_000) -> SweepResult:
    """Expires everything due on `today` in short transactions; each batch also opens the reinstatements that
    became eligible by it, in the same transaction."""
    result = SweepResult()
    more = True
    while more and result.batches < max_batches:
        async with uow_factory() as uow:
            result.cadres = set()
            more = await expire_due(uow, today=today, batch=batch, result=result)
            result.reinstatements_opened += await open_eligible_reinstatements(
                uow, cadre_ids=result.cadres, today=today
            )
            result.batches += 1
            await uow.commit()
    return result
