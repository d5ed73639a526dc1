"""Repositories of the processes: promotion batches with candidates, contracts, demotions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from services.rank.adapters import orm
from services.rank.adapters.sql import dumps, loads
from services.rank.domain.batch import OPEN_BATCH, Candidate, PromotionBatch
from services.rank.domain.contract import OPEN as OPEN_CONTRACT
from services.rank.domain.contract import Contract
from services.rank.domain.model import Demotion

_CANDIDATE_FIELDS = (
    "target_rank",
    "bucket",
    "status",
    "points",
    "rank_in_bucket",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "investigation_passed",
    "investigation_note",
    "objection_open",
    "decision_reason",
)


def _candidate_row(batch_id: str, c: Candidate) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "cadre_id": c.cadre_id,
        **{f: getattr(c, f) for f in _CANDIDATE_FIELDS},
        "points_breakdown": dumps(c.points_breakdown),
        "eligibility": dumps(c.eligibility),
        "updated_at": utcnow(),
    }


class BatchRepository:
    """Loads and saves promotion batches with their candidates."""

    def __init__(self, conn: AsyncConnection, track: Callable[[Any], None]) -> None:
        self.conn = conn
        self.track = track

    async def get(self, batch_id: str) -> PromotionBatch | None:
        """Returns a batch with its candidates, or None."""
        t, c = orm.promotion_batch, orm.promotion_candidate
        row = (await self.conn.execute(select(t).where(t.c.id == batch_id))).mappings().first()
        if row is None:
            return None
        batch = PromotionBatch(
            id=row["id"],
            org_unit_id=row["org_unit_id"],
            title=row["title"],
            target_ranks=loads(row["target_ranks"]),
            status=row["status"],
            created_by=row["created_by"],
            publicity_from=row["publicity_from"],
            publicity_to=row["publicity_to"],
            approved_by=row["approved_by"],
            approved_on=row["approved_on"],
            effective_date=row["effective_date"],
            version=row["version"],
        )
        for cand in (await self.conn.execute(select(c).where(c.c.batch_id == batch_id))).mappings():
            batch.candidates[cand["cadre_id"]] = Candidate(
                cadre_id=cand["cadre_id"],
                points_breakdown=loads(cand["points_breakdown"], []),
                eligibility=loads(cand["eligibility"], {}),
                **{f: cand[f] for f in _CANDIDATE_FIELDS},
            )
        self.track(batch)
        return batch

    async def add(self, batch: PromotionBatch) -> None:
        """Inserts a new batch."""
        now = utcnow()
        await self.conn.execute(
            insert(orm.promotion_batch).values(
                id=batch.id,
                org_unit_id=batch.org_unit_id,
                title=batch.title,
                target_ranks=dumps(batch.target_ranks),
                status=batch.status,
                created_by=batch.created_by,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        batch.version = 1
        self.track(batch)

    async def save(self, batch: PromotionBatch) -> None:
        """Updates a batch (version-checked) and writes its changed candidates."""
        t, c = orm.promotion_batch, orm.promotion_candidate
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == batch.id, t.c.version == batch.version)
            .values(
                status=batch.status,
                publicity_from=batch.publicity_from,
                publicity_to=batch.publicity_to,
                approved_by=batch.approved_by,
                approved_on=batch.approved_on,
                effective_date=batch.effective_date,
                version=batch.version + 1,
                updated_at=utcnow(),
            )
        )
        if result.rowcount != 1:
            raise ConcurrencyError("the batch was changed by someone else; reload and retry", rule="batch.version")
        batch.version += 1
        if batch.replaced_candidates:
            await self.conn.execute(delete(c).where(c.c.batch_id == batch.id))
            rows = [_candidate_row(batch.id, cand) for cand in batch.candidates.values()]
            if rows:
                await self.conn.execute(insert(c), rows)
            batch.replaced_candidates = False
        else:
            for cand in batch.candidates.values():
                if cand.changed:
                    values = _candidate_row(batch.id, cand)
                    await self.conn.execute(
                        update(c)
                        .where(c.c.batch_id == batch.id, c.c.cadre_id == cand.cadre_id)
                        .values(**{k: v for k, v in values.items() if k not in ("batch_id", "cadre_id")})
                    )
        for cand in batch.candidates.values():
            cand.changed = False

    async def open_with_candidate(self, cadre_id: str) -> list[PromotionBatch]:
        """Returns the open batches in which the cadre is a candidate."""
        t, c = orm.promotion_batch, orm.promotion_candidate
        ids = (
            (
                await self.conn.execute(
                    select(t.c.id)
                    .join(c, c.c.batch_id == t.c.id)
                    .where(c.c.cadre_id == cadre_id, t.c.status.in_(OPEN_BATCH))
                )
            )
            .scalars()
            .all()
        )
        return [b for b in [await self.get(i) for i in ids] if b is not None]

    async def reserved(self, *, exclude_batch: str, rank_codes: list[str], path_prefix: str) -> int:
        """Counts candidates of other open batches holding a place for these ranks under an org path."""
        t, c, u = orm.promotion_batch, orm.promotion_candidate, orm.org_unit
        query = (
            select(func.count())
            .select_from(c)
            .join(t, t.c.id == c.c.batch_id)
            .join(u, u.c.id == t.c.org_unit_id)
            .where(
                t.c.id != exclude_batch,
                t.c.status.in_(OPEN_BATCH),
                c.c.target_rank.in_(rank_codes),
                c.c.status.in_(("RECOMMENDED", "INVESTIGATED", "PUBLICISED", "APPROVED")),
                u.c.path.startswith(path_prefix, autoescape=True),
            )
        )
        return int((await self.conn.execute(query)).scalar_one())


def _contract(row: Any) -> Contract:
    return Contract(
        id=row["id"],
        cadre_id=row["cadre_id"],
        kind=row["kind"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        probation_months=row["probation_months"],
        tier=row["tier"],
        status=row["status"],
        filed_on=row["filed_on"],
        review_due_on=row["review_due_on"],
        outcome=row["outcome"],
        decided_on=row["decided_on"],
        termination_ground=row["termination_ground"],
        terminated_on=row["terminated_on"],
        renewed_from=row["renewed_from"],
        status_before_hold=row["status_before_hold"],
        version=row["version"],
    )


_CONTRACT_FIELDS = (
    "cadre_id",
    "kind",
    "tier",
    "starts_on",
    "ends_on",
    "probation_months",
    "probation_ends_on",
    "status",
    "filed_on",
    "review_due_on",
    "outcome",
    "decided_on",
    "termination_ground",
    "terminated_on",
    "renewed_from",
    "status_before_hold",
)


class ContractRepository:
    """Loads and saves contracts."""

    def __init__(self, conn: AsyncConnection, track: Callable[[Any], None]) -> None:
        self.conn = conn
        self.track = track

    async def get(self, contract_id: str) -> Contract | None:
        t = orm.contract
        row = (await self.conn.execute(select(t).where(t.c.id == contract_id))).mappings().first()
        if row is None:
            return None
        found = _contract(row)
        self.track(found)
        return found

    async def open_for(self, cadre_id: str, kind: str | None = None) -> list[Contract]:
        """Returns the cadre's contracts not yet ended (of one kind, or all)."""
        t = orm.contract
        query = select(t).where(t.c.cadre_id == cadre_id, t.c.status.in_(OPEN_CONTRACT))
        if kind is not None:
            query = query.where(t.c.kind == kind)
        found = [_contract(r) for r in (await self.conn.execute(query)).mappings()]
        for item in found:
            self.track(item)
        return found

    async def any_for(self, cadre_id: str, kind: str) -> bool:
        t = orm.contract
        return (
            await self.conn.execute(select(t.c.id).where(t.c.cadre_id == cadre_id, t.c.kind == kind).limit(1))
        ).first() is not None

    async def add(self, item: Contract) -> None:
        now = utcnow()
        await self.conn.execute(
            insert(orm.contract).values(
                id=item.id, version=1, created_at=now, updated_at=now, **{f: getattr(item, f) for f in _CONTRACT_FIELDS}
            )
        )
        item.version = 1
        self.track(item)

    async def save(self, item: Contract) -> bool:
        """Updates a contract if nobody changed it meanwhile; False otherwise (the sweep skips it)."""
        t = orm.contract
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == item.id, t.c.version == item.version)
            .values(version=item.version + 1, updated_at=utcnow(), **{f: getattr(item, f) for f in _CONTRACT_FIELDS})
        )
        if result.rowcount != 1:
            return False
        item.version += 1
        return True

    async def save_checked(self, item: Contract) -> None:
        """Updates a contract or refuses a concurrent change."""
        if not await self.save(item):
            raise ConcurrencyError(
                "the contract was changed by someone else; reload and retry", rule="contract.version"
            )


def _demotion(row: Any) -> Demotion:
    return Demotion(
        id=row["id"],
        cadre_id=row["cadre_id"],
        source=row["source"],
        reason=row["reason"],
        status=row["status"],
        from_rank=row["from_rank"],
        to_rank=row["to_rank"],
        from_level=row["from_level"],
        to_level=row["to_level"],
        effective_date=row["effective_date"],
        dismissal_review=row["dismissal_review"],
        version=row["version"],
    )


_DEMOTION_FIELDS = (
    "cadre_id",
    "source",
    "reason",
    "status",
    "from_rank",
    "to_rank",
    "from_level",
    "to_level",
    "effective_date",
    "dismissal_review",
)


class DemotionRepository:
    """Loads and saves demotions (keyed by their source decision)."""

    def __init__(self, conn: AsyncConnection, track: Callable[[Any], None]) -> None:
        self.conn = conn
        self.track = track

    async def by_source(self, source: str) -> Demotion | None:
        t = orm.demotion
        row = (await self.conn.execute(select(t).where(t.c.source == source))).mappings().first()
        return None if row is None else _demotion(row)

    async def get(self, demotion_id: str) -> Demotion | None:
        t = orm.demotion
        row = (await self.conn.execute(select(t).where(t.c.id == demotion_id))).mappings().first()
        return None if row is None else _demotion(row)

    async def add(self, item: Demotion) -> None:
        now = utcnow()
        await self.conn.execute(
            insert(orm.demotion).values(
                id=item.id, version=1, created_at=now, updated_at=now, **{f: getattr(item, f) for f in _DEMOTION_FIELDS}
            )
        )
        item.version = 1

    async def save(self, item: Demotion) -> None:
        t = orm.demotion
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == item.id, t.c.version == item.version)
            .values(version=item.version + 1, updated_at=utcnow(), **{f: getattr(item, f) for f in _DEMOTION_FIELDS})
        )
        if result.rowcount != 1:
            raise ConcurrencyError(
                "the demotion was changed by someone else; reload and retry", rule="demotion.version"
            )
        item.version += 1


async def due_contract_ids(
    conn: AsyncConnection, *, review_opens_by: dt.date, probation_before: dt.date, limit: int
) -> list[str]:
    """Returns contracts whose renewal review is due (term ending by a date) or still marked in probation."""
    t = orm.contract
    query = (
        select(t.c.id)
        .where(
            or_(
                and_(t.c.status.in_(("ACTIVE", "PROBATION")), t.c.ends_on <= review_opens_by),
                and_(t.c.status == "PROBATION", t.c.probation_ends_on <= probation_before),
            )
        )
        .order_by(t.c.ends_on, t.c.id)
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars())
