"""Restriction use cases: the discretionary extension (期满影响使用) and the expiry sweep."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, exists, select, update

from kernel.auth import Principal
from kernel.contracts.vocabulary import RestrictionSource, RestrictionStatus
from kernel.db import utcnow
from kernel.errors import NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.tolerance.adapters import orm
from services.tolerance.adapters.repository import restriction_from_row, sanction_from_row
from services.tolerance.domain import events
from services.tolerance.domain.reinstatement import OPEN_STATES, Reinstatement
from services.tolerance.domain.restrictions import USE_BARS, first_free_day
from services.tolerance.domain.sanction import IN_FORCE, SanctionStatus
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action
from services.tolerance.service_layer.publishing import to_contracts
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork

EXTENDABLE = frozenset({RestrictionSource.SANCTION, RestrictionSource.ORG_HANDLING, RestrictionSource.ADMONISHMENT,
                        RestrictionSource.ACCOUNTABILITY})


async def extend_restriction(cmd: commands.ExtendRestriction, uow: ToleranceUnitOfWork, *, principal: Principal,
                             today: dt.date) -> dict[str, Any]:
    """Extends a restriction by the organization's judgement that use is still affected, with the reason kept."""
    async with uow:
        restriction = await uow.restrictions.get(cmd.restriction_id)
        if restriction is None:
            raise NotFound("restriction not found", field="restriction_id", rule="restriction.id")
        await cadre_for_action(uow, principal, restriction.cadre_id)
        if restriction.source_type not in EXTENDABLE:
            raise RuleViolation("an investigation's restriction ends with the investigation",
                                rule="restriction.extension_source")
        previous = restriction.ends_on
        restriction.extend(new_ends_on=first_free_day(cmd.new_ends_on), reason=cmd.reason, today=today,
                           discretionary=True)
        await uow.restrictions.save_many([restriction])
        assert previous is not None
        await uow.restrictions.record_extension(restriction_id=restriction.id, previous_ends_on=previous,
                                                new_ends_on=first_free_day(cmd.new_ends_on),
                                                reason=cmd.reason.strip(),
                                                discretionary=True, decided_by=principal.subject, decided_on=today)
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


async def expire_due(uow: ToleranceUnitOfWork, *, today: dt.date, batch: int,
                     result: SweepResult) -> bool:
    """Expires one batch of due restrictions and sanctions in the open transaction; True if more may be due.

    Rows are claimed by a conditional UPDATE ... WHERE status = 'ACTIVE' RETURNING (and FOR UPDATE SKIP LOCKED on
    PostgreSQL), so two replicas never expire, nor announce, the same row twice.
    """
    policy = uow.context.policy
    r, s = orm.restriction, orm.sanction
    postgres = uow.conn.dialect.name == "postgresql"
    # The status is rendered inline: a bound parameter keeps PostgreSQL's generic plan off the partial index.
    active = bindparam("active", RestrictionStatus.ACTIVE.value, literal_execute=True)
    due = select(r.c.id).where(r.c.status == active, r.c.ends_on <= today).limit(batch)
    if postgres:
        due = due.with_for_update(skip_locked=True)
    ids = (await uow.conn.execute(due)).scalars().all()
    expired = []
    if ids:
        rows = (await uow.conn.execute(
            update(r).where(r.c.id.in_(ids), r.c.status == RestrictionStatus.ACTIVE.value)
            .values(status=RestrictionStatus.EXPIRED.value, version=r.c.version + 1, updated_at=utcnow())
            .returning(*r.c))).mappings().all()
        expired = [restriction_from_row(row) for row in rows]
        for restriction in expired:
            uow.emit(*to_contracts(events.RestrictionExpired(restriction.snapshot())))
            if restriction.effect in USE_BARS:  # only the end of a bar on re-use can make a cadre eligible
                result.cadres.add(restriction.cadre_id)
        result.restrictions_expired += len(expired)
    in_force = [st.value for st in IN_FORCE]
    due_s = select(s.c.id).where(s.c.status.in_(in_force), s.c.ends_on <= today).limit(batch)
    if postgres:
        due_s = due_s.with_for_update(skip_locked=True)
    sids = (await uow.conn.execute(due_s)).scalars().all()
    if sids:
        rows = (await uow.conn.execute(
            update(s).where(s.c.id.in_(sids), s.c.status.in_(in_force))
            .values(status=SanctionStatus.EXPIRED.value, version=s.c.version + 1, updated_at=utcnow())
            .returning(*s.c))).mappings().all()
        for row in rows:
            sanction = sanction_from_row(row)
            uow.emit(*to_contracts(events.SanctionExpired(sanction.snapshot(policy.catalogue))))
        result.sanctions_expired += len(rows)
    return len(ids) == batch or len(sids) == batch


async def open_eligible_reinstatements(uow: ToleranceUnitOfWork, *, cadre_ids: set[str], today: dt.date) -> int:
    """Opens a reinstatement for removed cadres among `cadre_ids` once no bar on re-use remains."""
    policy = uow.context.policy
    if not cadre_ids:
        return 0
    s, r, b = orm.sanction, orm.restriction, orm.reinstatement_basis
    removal_types = [t.value for t, rule in policy.catalogue.rules.items() if rule.removes_from_post]
    in_force = {st.value for st in (*IN_FORCE, SanctionStatus.EXPIRED)}
    basis: dict[str, list] = {}
    ids = sorted(cadre_ids)
    # Two index-driven steps (removals without a reinstatement, then the bars of those few cadres): one query
    # with an anti-join on restriction let PostgreSQL hash the whole table on every batch, and a status filter
    # in SQL let SQLite scan every sanction in force instead of using the cadre index; status is checked here.
    for start in range(0, len(ids), 500):
        rows = (await uow.conn.execute(
            select(s.c.id, s.c.cadre_id, s.c.status, s.c.original_post_level).where(
                s.c.cadre_id.in_(ids[start:start + 500]), s.c.type.in_(removal_types),
                ~exists().where(b.c.sanction_id == s.c.id)))).all()
        for row in rows:
            if row.status in in_force:
                basis.setdefault(row.cadre_id, []).append(row)
    if not basis:
        return 0
    candidates = sorted(basis)
    barred: set[str] = set()
    for start in range(0, len(candidates), 500):
        barred.update((await uow.conn.execute(
            select(r.c.cadre_id).distinct().where(
                r.c.cadre_id.in_(candidates[start:start + 500]), r.c.status == RestrictionStatus.ACTIVE.value,
                r.c.effect.in_([e.value for e in USE_BARS]), r.c.starts_on <= today))).scalars())
    opened = 0
    for cadre_id in candidates:
        if cadre_id in barred or await _has_open_reinstatement(uow, cadre_id):
            continue
        rows = sorted(basis[cadre_id], key=lambda row: row.id)
        levels = [row.original_post_level for row in rows]
        item = Reinstatement.become_eligible(
            reinstatement_id=new_id(), cadre_id=cadre_id, basis_sanction_ids=[row.id for row in rows],
            eligible_from=today, original_post_level=None if None in levels else max(levels))
        await uow.reinstatements.add(item)
        opened += 1
    return opened


async def _has_open_reinstatement(uow: ToleranceUnitOfWork, cadre_id: str) -> bool:
    t = orm.reinstatement
    return (await uow.conn.execute(select(t.c.id).where(
        and_(t.c.cadre_id == cadre_id, t.c.status.in_([st.value for st in OPEN_STATES]))).limit(1))).first() is not None


async def sweep(uow_factory, *, today: dt.date, batch: int = 1000,
                max_batches: int = 10_000) -> SweepResult:
    """Expires everything due on `today` in short transactions; each batch also opens the reinstatements that
    became eligible by it, in the same transaction."""
    result = SweepResult()
    more = True
    while more and result.batches < max_batches:
        async with uow_factory() as uow:
            result.cadres = set()
            more = await expire_due(uow, today=today, batch=batch, result=result)
            result.reinstatements_opened += await open_eligible_reinstatements(uow, cadre_ids=result.cadres,
                                                                               today=today)
            result.batches += 1
            await uow.commit()
    return result
