"""Repositories of the tolerance service: rows ⇄ aggregates over the unit of work's connection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.contracts.vocabulary import (
    RestrictionEffect,
    RestrictionSource,
    RestrictionStatus,
    SanctionSystem,
    SanctionType,
    ToleranceDecision,
)
from kernel.db import utcnow
from kernel.errors import ConcurrencyError
from kernel.sql import without_affinity
from services.tolerance.adapters import orm
from services.tolerance.domain.events import SourceRef
from services.tolerance.domain.investigation import (
    EffectLevel,
    Incident,
    Investigation,
    InvestigationResult,
    InvestigationStatus,
)
from services.tolerance.domain.reinstatement import OPEN_STATES, Objection, Reinstatement, ReinstatementStatus
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.rules.tolerance import Condition, Exclusion, Ground, Initiator
from services.tolerance.domain.sanction import Origin, Sanction, SanctionStatus
from services.tolerance.domain.tolerance_case import CaseStatus, Finding, Member, ToleranceCase, Vote

Track = Callable[[Any], None]


def _opt(enum: type, value: Any) -> Any:
    return None if value is None else enum(value)


class _Repo:
    table: Table

    def __init__(self, conn: AsyncConnection, track: Track) -> None:
        self.conn = conn
        self.track = track

    async def _row(self, **where: Any) -> Any:
        t = self.table
        clauses = [t.c[k] == v for k, v in where.items()]
        return (await self.conn.execute(select(t).where(*clauses))).mappings().first()

    async def _insert(self, values: dict[str, Any], aggregate: Any) -> None:
        now = utcnow()
        extra = {k: now for k in ("created_at", "updated_at") if k in self.table.c}
        await self.conn.execute(insert(self.table).values(**values, **extra, version=1))
        aggregate.version = 1
        self.track(aggregate)

    async def _update(self, key: str, values: dict[str, Any], aggregate: Any, rule: str) -> None:
        t = self.table
        extra = {"updated_at": utcnow()} if "updated_at" in t.c else {}
        result = await self.conn.execute(
            update(t)
            .where(t.c.id == key, t.c.version == aggregate.version)
            .values(**values, **extra, version=aggregate.version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrencyError("the record was changed by someone else; reload and retry", rule=rule)
        aggregate.version += 1


# -- incidents -------------------------------------------------------------------------------------------------
class IncidentRepository(_Repo):
    table = orm.incident

    async def get(self, incident_id: str) -> Incident | None:
        """Returns an incident with its cadres and sources, or None."""
        row = await self._row(id=incident_id)
        if row is None:
            return None
        cadres = (
            (
                await self.conn.execute(
                    select(orm.incident_cadre.c.cadre_id)
                    .where(orm.incident_cadre.c.incident_id == incident_id)
                    .order_by(orm.incident_cadre.c.cadre_id)
                )
            )
            .scalars()
            .all()
        )
        s = orm.incident_source
        sources = (
            await self.conn.execute(
                select(s.c.ref_type, s.c.ref_id)
                .where(s.c.incident_id == incident_id)
                .order_by(s.c.ref_type, s.c.ref_id)
            )
        ).all()
        incident = Incident(
            id=row["id"],
            cadre_ids=tuple(cadres),
            occurred_on=row["occurred_on"],
            opened_on=row["opened_on"],
            summary=row["summary"],
            source_refs=tuple(SourceRef(t, i) for t, i in sources),
            loss_amount=row["loss_amount"],
            effect_level=_opt(EffectLevel, row["effect_level"]),
            tolerance_window_ends_on=row["tolerance_window_ends_on"],
            version=row["version"],
        )
        self.track(incident)
        return incident

    async def by_source(self, ref_type: str, ref_id: str) -> str | None:
        """Returns the id of the incident recorded for a source reference, or None."""
        s = orm.incident_source
        return (
            await self.conn.execute(select(s.c.incident_id).where(s.c.ref_type == ref_type, s.c.ref_id == ref_id))
        ).scalar()

    async def add(self, incident: Incident, *, created_by: str) -> None:
        """Inserts an incident with its cadres and sources."""
        await self._insert(
            dict(
                id=incident.id,
                occurred_on=incident.occurred_on,
                opened_on=incident.opened_on,
                summary=incident.summary,
                loss_amount=incident.loss_amount,
                effect_level=incident.effect_level.value if incident.effect_level else None,
                tolerance_window_ends_on=incident.tolerance_window_ends_on,
                created_by=created_by,
            ),
            incident,
        )
        await self.conn.execute(
            insert(orm.incident_cadre), [{"incident_id": incident.id, "cadre_id": c} for c in incident.cadre_ids]
        )
        if incident.source_refs:
            await self.conn.execute(
                insert(orm.incident_source),
                [{"ref_type": r.type, "ref_id": r.id, "incident_id": incident.id} for r in incident.source_refs],
            )

    async def add_source(self, incident_id: str, ref: SourceRef) -> None:
        """Links a source reference to an incident (idempotent)."""
        if await self.by_source(ref.type, ref.id) is None:
            await self.conn.execute(
                insert(orm.incident_source).values(ref_type=ref.type, ref_id=ref.id, incident_id=incident_id)
            )

    async def rewrite(self, incident_id: str, *, occurred_on: dt.date, opened_on: dt.date, summary: str) -> None:
        """Rewrites the dates and summary of an incident recorded with a past fact that is being corrected."""
        t = self.table
        await self.conn.execute(
            update(t)
            .where(t.c.id == incident_id)
            .values(
                occurred_on=occurred_on,
                opened_on=opened_on,
                summary=summary,
                updated_at=utcnow(),
                version=t.c.version + 1,
            )
        )

    async def add_cadre(self, incident_id: str, cadre_id: str) -> None:
        """Adds a cadre to an incident (idempotent)."""
        c = orm.incident_cadre
        exists = (
            await self.conn.execute(
                select(c.c.cadre_id).where(c.c.incident_id == incident_id, c.c.cadre_id == cadre_id)
            )
        ).first()
        if exists is None:
            await self.conn.execute(insert(c).values(incident_id=incident_id, cadre_id=cadre_id))


# -- sanctions -------------------------------------------------------------------------------------------------
SANCTION_FIELDS = (
    "cadre_id",
    "incident_id",
    "external_ref",
    "proposed_on",
    "proposed_months",
    "combined_count",
    "facts_notified_on",
    "defence_due_on",
    "defence_on",
    "defence_statement",
    "decided_on",
    "decided_by",
    "effective_on",
    "period_months",
    "ends_on",
    "extension_reason",
    "publication_scope",
    "original_post_level",
    "original_rank_code",
    "mitigated_by_case_id",
    "varied_on",
    "revoked_on",
    "withdrawn_on",
    "withdrawal_reason",
)


def sanction_from_row(row: Any) -> Sanction:
    """Builds a Sanction from its row."""
    return Sanction(
        id=row["id"],
        system=SanctionSystem(row["system"]),
        type=SanctionType(row["type"]),
        proposed_type=SanctionType(row["proposed_type"]),
        status=SanctionStatus(row["status"]),
        origin=Origin(row["origin"]),
        previous_type=_opt(SanctionType, row["previous_type"]),
        version=row["version"],
        **{k: row[k] for k in SANCTION_FIELDS},
    )


class SanctionRepository(_Repo):
    table = orm.sanction

    def _values(self, s: Sanction) -> dict[str, Any]:
        return dict(
            system=s.system.value,
            type=s.type.value,
            proposed_type=s.proposed_type.value,
            status=s.status.value,
            origin=s.origin.value,
            previous_type=s.previous_type.value if s.previous_type else None,
            **{k: getattr(s, k) for k in SANCTION_FIELDS},
        )

    async def get(self, sanction_id: str) -> Sanction | None:
        """Returns a sanction, or None."""
        row = await self._row(id=sanction_id)
        if row is None:
            return None
        sanction = sanction_from_row(row)
        self.track(sanction)
        return sanction

    async def by_external_ref(self, ref: str) -> Sanction | None:
        """Returns the sanction created from an external fact (a talk, a finding), or None."""
        row = await self._row(external_ref=ref)
        if row is None:
            return None
        sanction = sanction_from_row(row)
        self.track(sanction)
        return sanction

    async def for_incident(self, incident_id: str, cadre_id: str | None = None) -> list[Sanction]:
        """Returns the sanctions about an incident (optionally for one cadre)."""
        t = self.table
        query = select(t).where(t.c.incident_id == incident_id)
        if cadre_id is not None:
            query = query.where(t.c.cadre_id == cadre_id)
        sanctions = [sanction_from_row(r) for r in (await self.conn.execute(query.order_by(t.c.id))).mappings()]
        for s in sanctions:
            self.track(s)
        return sanctions

    async def running_until(self, cadre_id: str, system: SanctionSystem, on: dt.date, exclude: str) -> dt.date | None:
        """Returns the latest end of the cadre's sanctions of `system` still running on `on`."""
        t = self.table
        rows = (
            (
                await self.conn.execute(
                    select(t.c.ends_on).where(
                        t.c.cadre_id == cadre_id,
                        t.c.system == system.value,
                        t.c.id != exclude,
                        t.c.status.in_([SanctionStatus.EFFECTIVE.value, SanctionStatus.EXTENDED.value]),
                        t.c.ends_on > on,
                    )
                )
            )
            .scalars()
            .all()
        )
        return max(rows) if rows else None

    async def removals_without_reinstatement(self, cadre_ids: Sequence[str], removal_types: Sequence[str]) -> list[Any]:
        """Returns (id, cadre_id, status, original_post_level) of the cadres' sanctions of a removing type that no
        reinstatement is based on yet, whatever their status (the caller checks it), 500 cadres a statement.

        Index-driven on the cadre: a status filter in SQL let SQLite scan every sanction in force instead."""
        s, b = self.table, orm.reinstatement_basis
        rows: list[Any] = []
        for start in range(0, len(cadre_ids), 500):
            rows.extend(
                (
                    await self.conn.execute(
                        select(s.c.id, s.c.cadre_id, s.c.status, s.c.original_post_level).where(
                            s.c.cadre_id.in_(cadre_ids[start : start + 500]),
                            s.c.type.in_(removal_types),
                            ~exists().where(b.c.sanction_id == s.c.id),
                        )
                    )
                ).all()
            )
        return rows

    async def add(self, sanction: Sanction) -> None:
        """Inserts a sanction."""
        await self._insert(dict(id=sanction.id, **self._values(sanction)), sanction)

    async def save(self, sanction: Sanction) -> None:
        """Updates a sanction (optimistic version check)."""
        await self._update(sanction.id, self._values(sanction), sanction, "sanction.version")


# -- restrictions ----------------------------------------------------------------------------------------------
def restriction_from_row(row: Any) -> Restriction:
    """Builds a Restriction from its row."""
    return Restriction(
        id=row["id"],
        cadre_id=row["cadre_id"],
        effect=RestrictionEffect(row["effect"]),
        source_type=RestrictionSource(row["source_type"]),
        source_id=row["source_id"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        status=RestrictionStatus(row["status"]),
        discretionary_extension=row["discretionary_extension"],
        reason=row["reason"],
        original_post_level=row["original_post_level"],
        original_rank_code=row["original_rank_code"],
        lifted_on=row["lifted_on"],
        version=row["version"],
    )


def _restriction_values(r: Restriction) -> dict[str, Any]:
    return dict(
        cadre_id=r.cadre_id,
        effect=r.effect.value,
        source_type=r.source_type.value,
        source_id=r.source_id,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        until_on=r.until,
        status=r.status.value,
        discretionary_extension=r.discretionary_extension,
        reason=r.reason,
        original_post_level=r.original_post_level,
        original_rank_code=r.original_rank_code,
        lifted_on=r.lifted_on,
    )


class RestrictionRepository(_Repo):
    table = orm.restriction

    async def get(self, restriction_id: str) -> Restriction | None:
        """Returns a restriction, or None."""
        row = await self._row(id=restriction_id)
        if row is None:
            return None
        restriction = restriction_from_row(row)
        self.track(restriction)
        return restriction

    async def of_source(self, source_types: Sequence[RestrictionSource], source_id: str) -> list[Restriction]:
        """Returns every restriction derived from one source object."""
        t = self.table
        rows = (
            await self.conn.execute(
                select(t)
                .where(t.c.source_type.in_([s.value for s in source_types]), t.c.source_id == source_id)
                .order_by(t.c.starts_on, t.c.id)
            )
        ).mappings()
        items = [restriction_from_row(r) for r in rows]
        for item in items:
            self.track(item)
        return items

    async def of_cadre(self, cadre_id: str, *, active_only: bool = True) -> list[Restriction]:
        """Returns a cadre's restrictions (by default those still ACTIVE)."""
        t = self.table
        query = select(t).where(t.c.cadre_id == cadre_id)
        if active_only:
            query = query.where(t.c.status == RestrictionStatus.ACTIVE.value)
        return [restriction_from_row(r) for r in (await self.conn.execute(query.order_by(t.c.id))).mappings()]

    async def barred_cadres(self, cadre_ids: Sequence[str], effects: Sequence[str], on: dt.date) -> set[str]:
        """Returns those of the cadres with an ACTIVE restriction of one of the effects started by `on`, 500 cadres
        a statement."""
        r = self.table
        barred: set[str] = set()
        for start in range(0, len(cadre_ids), 500):
            barred.update(
                (
                    await self.conn.execute(
                        select(r.c.cadre_id)
                        .distinct()
                        .where(
                            r.c.cadre_id.in_(cadre_ids[start : start + 500]),
                            r.c.status == RestrictionStatus.ACTIVE.value,
                            r.c.effect.in_(effects),
                            r.c.starts_on <= on,
                        )
                    )
                ).scalars()
            )
        return barred

    async def add_many(self, restrictions: Iterable[Restriction]) -> None:
        """Inserts new restrictions in one statement."""
        items = list(restrictions)
        if not items:
            return
        now = utcnow()
        await self.conn.execute(
            insert(self.table), [{"id": r.id, **_restriction_values(r), "version": 1, "updated_at": now} for r in items]
        )
        for r in items:
            r.version = 1
            self.track(r)

    async def save_many(self, restrictions: Iterable[Restriction]) -> None:
        """Updates changed restrictions (optimistic version check each)."""
        for r in restrictions:
            await self._update(r.id, _restriction_values(r), r, "restriction.version")

    async def record_extension(
        self,
        *,
        restriction_id: str,
        previous_ends_on: dt.date,
        new_ends_on: dt.date,
        reason: str,
        discretionary: bool,
        decided_by: str,
        decided_on: dt.date,
    ) -> None:
        """Keeps the recorded reason of every extension."""
        await self.conn.execute(
            insert(orm.restriction_extension).values(
                restriction_id=restriction_id,
                previous_ends_on=previous_ends_on,
                new_ends_on=new_ends_on,
                reason=reason,
                discretionary=discretionary,
                decided_by=decided_by,
                decided_on=decided_on,
                recorded_at=utcnow(),
            )
        )


# -- investigations --------------------------------------------------------------------------------------------
class InvestigationRepository(_Repo):
    table = orm.investigation

    def _from(self, row: Any) -> Investigation:
        inv = Investigation(
            id=row["id"],
            case_id=row["case_id"],
            report_id=row["report_id"],
            cadre_id=row["cadre_id"],
            opened_on=row["opened_on"],
            status=InvestigationStatus(row["status"]),
            incident_id=row["incident_id"],
            closed_on=row["closed_on"],
            result=_opt(InvestigationResult, row["result"]),
            version=row["version"],
        )
        self.track(inv)
        return inv

    def _values(self, inv: Investigation) -> dict[str, Any]:
        return dict(
            case_id=inv.case_id,
            report_id=inv.report_id,
            cadre_id=inv.cadre_id,
            opened_on=inv.opened_on,
            status=inv.status.value,
            incident_id=inv.incident_id,
            closed_on=inv.closed_on,
            result=inv.result.value if inv.result else None,
        )

    async def get(self, investigation_id: str) -> Investigation | None:
        """Returns an investigation, or None."""
        row = await self._row(id=investigation_id)
        return None if row is None else self._from(row)

    async def by_case(self, case_id: str) -> Investigation | None:
        """Returns the investigation mirroring a petitions case, or None."""
        row = await self._row(case_id=case_id)
        return None if row is None else self._from(row)

    async def not_closed(
        self,
        *,
        cadre_id: str,
        report_id: str | None = None,
        case_ids: Sequence[str] = (),
        incident_id: str | None = None,
    ) -> list[Investigation]:
        """Returns the cadre's investigations not yet closed, for a report, its cases, or an incident."""
        t = self.table
        links = []
        if report_id is not None:
            links.append(t.c.report_id == report_id)
        if case_ids:
            links.append(t.c.case_id.in_(list(case_ids)))
        if incident_id is not None:
            links.append(t.c.incident_id == incident_id)
        if not links:
            return []
        rows = (
            await self.conn.execute(
                select(t)
                .where(t.c.cadre_id == cadre_id, t.c.status != InvestigationStatus.CLOSED.value, or_(*links))
                .order_by(t.c.id)
            )
        ).mappings()
        return [self._from(r) for r in rows]

    async def add(self, inv: Investigation) -> None:
        """Inserts an investigation."""
        await self._insert(dict(id=inv.id, **self._values(inv)), inv)

    async def save(self, inv: Investigation) -> None:
        """Updates an investigation (optimistic version check)."""
        await self._update(inv.id, self._values(inv), inv, "investigation.version")


# -- tolerance cases -------------------------------------------------------------------------------------------
def _findings(raw: dict[str, Any], enum: type) -> dict[Any, Finding]:
    return {enum(k): Finding(holds=bool(v["holds"]), evidence=v["evidence"]) for k, v in raw.items()}


def _raw_findings(items: dict[Any, Finding]) -> dict[str, Any]:
    return {k.value: {"holds": f.holds, "evidence": f.evidence} for k, f in sorted(items.items())}


CASE_FIELDS = (
    "incident_id",
    "cadre_id",
    "applied_on",
    "statement",
    "accepted_on",
    "acceptance_note",
    "verification_report_ref",
    "verified_on",
    "decision_reasons",
    "decided_on",
    "decided_by_body",
    "body_size",
    "notified_on",
    "filed_upward_on",
    "publication_scope",
    "correction_plan",
    "correction_due_on",
    "correction_done_on",
    "correction_follow_up",
    "closed_on",
)


def case_from_row(row: Any) -> ToleranceCase:
    """Builds a ToleranceCase from its row."""
    members = tuple(
        Member(
            member_id=m["member_id"],
            vote=_opt(Vote, m.get("vote")),
            recused=m.get("recused", False),
            recusal_reason=m.get("recusal_reason"),
            cadre_id=m.get("cadre_id"),
        )
        for m in row["members"]
    )
    return ToleranceCase(
        id=row["id"],
        initiator=Initiator(row["initiator"]),
        grounds=tuple(Ground(g) for g in row["grounds"]),
        status=CaseStatus(row["status"]),
        conditions=_findings(row["conditions"], Condition),
        exclusions=_findings(row["exclusions"], Exclusion),
        decision=_opt(ToleranceDecision, row["decision"]),
        mitigated_to=_opt(SanctionType, row["mitigated_to"]),
        members=members,
        version=row["version"],
        **{k: row[k] for k in CASE_FIELDS},
    )


class ToleranceCaseRepository(_Repo):
    table = orm.tolerance_case

    def _values(self, c: ToleranceCase) -> dict[str, Any]:
        return dict(
            initiator=c.initiator.value,
            grounds=[g.value for g in c.grounds],
            status=c.status.value,
            conditions=_raw_findings(c.conditions),
            exclusions=_raw_findings(c.exclusions),
            decision=c.decision.value if c.decision else None,
            mitigated_to=c.mitigated_to.value if c.mitigated_to else None,
            members=[
                {
                    "member_id": m.member_id,
                    "vote": m.vote.value if m.vote else None,
                    "recused": m.recused,
                    "recusal_reason": m.recusal_reason,
                    "cadre_id": m.cadre_id,
                }
                for m in c.members
            ],
            **{k: getattr(c, k) for k in CASE_FIELDS},
        )

    async def get(self, case_id: str) -> ToleranceCase | None:
        """Returns a tolerance case, or None."""
        row = await self._row(id=case_id)
        if row is None:
            return None
        case = case_from_row(row)
        self.track(case)
        return case

    async def for_incident(self, incident_id: str, cadre_id: str) -> list[ToleranceCase]:
        """Returns the cases about an incident for one cadre."""
        t = self.table
        rows = (
            await self.conn.execute(
                select(t)
                .where(t.c.incident_id == incident_id, t.c.cadre_id == cadre_id)
                .order_by(t.c.applied_on, t.c.id)
            )
        ).mappings()
        cases = [case_from_row(r) for r in rows]
        for c in cases:
            self.track(c)
        return cases

    async def add(self, case: ToleranceCase, *, created_by: str) -> None:
        """Inserts a case."""
        await self._insert(dict(id=case.id, created_by=created_by, **self._values(case)), case)

    async def save(self, case: ToleranceCase) -> None:
        """Updates a case (optimistic version check)."""
        await self._update(case.id, self._values(case), case, "tolerance_case.version")


# -- reinstatements --------------------------------------------------------------------------------------------
REINSTATEMENT_FIELDS = (
    "cadre_id",
    "eligible_from",
    "original_post_level",
    "cadre_report_on",
    "cadre_report",
    "org_opinion_on",
    "org_opinion",
    "target_post",
    "target_post_level",
    "discipline_opinion_on",
    "discipline_opinion",
    "discipline_favourable",
    "fact_finding_on",
    "survey_done",
    "fact_finding_note",
    "postponed_on",
    "upper_consult_required",
    "upper_consulted_on",
    "upper_consult_ref",
    "upper_agreed",
    "decided_on",
    "decided_by_body",
    "approved",
    "decision_note",
    "announced_on",
)


class ReinstatementRepository(_Repo):
    table = orm.reinstatement

    def _values(self, r: Reinstatement) -> dict[str, Any]:
        return dict(
            status=r.status.value,
            objection_level=r.objection_level.value if r.objection_level else None,
            **{k: getattr(r, k) for k in REINSTATEMENT_FIELDS},
        )

    async def get(self, reinstatement_id: str) -> Reinstatement | None:
        """Returns a reinstatement with its basis sanctions, or None."""
        row = await self._row(id=reinstatement_id)
        if row is None:
            return None
        b = orm.reinstatement_basis
        basis = (
            (
                await self.conn.execute(
                    select(b.c.sanction_id).where(b.c.reinstatement_id == reinstatement_id).order_by(b.c.sanction_id)
                )
            )
            .scalars()
            .all()
        )
        item = Reinstatement(
            id=row["id"],
            basis_sanction_ids=tuple(basis),
            status=ReinstatementStatus(row["status"]),
            objection_level=_opt(Objection, row["objection_level"]),
            version=row["version"],
            **{k: row[k] for k in REINSTATEMENT_FIELDS},
        )
        self.track(item)
        return item

    async def has_open(self, cadre_id: str) -> bool:
        """Tells whether the cadre has a reinstatement still open (domain.reinstatement.OPEN_STATES)."""
        t = self.table
        return (
            await self.conn.execute(
                select(t.c.id)
                .where(and_(t.c.cadre_id == cadre_id, t.c.status.in_([st.value for st in OPEN_STATES])))
                .limit(1)
            )
        ).first() is not None

    async def add(self, item: Reinstatement) -> None:
        """Inserts a reinstatement and its basis."""
        await self._insert(dict(id=item.id, **self._values(item)), item)
        await self.conn.execute(
            insert(orm.reinstatement_basis),
            [{"sanction_id": s, "reinstatement_id": item.id} for s in item.basis_sanction_ids],
        )

    async def save(self, item: Reinstatement) -> None:
        """Updates a reinstatement (optimistic version check)."""
        await self._update(item.id, self._values(item), item, "reinstatement.version")


def active_filter(table: Table, day: Any, *, dates_as_text: bool = False) -> Any:
    """Returns the SQL condition "the restriction applies on `day`" (see domain.restrictions). `dates_as_text`
    (SQLite only) compares the dates without the columns' affinity (kernel.sql.without_affinity): the same rows,
    for a filter over many of them."""
    starts, until = table.c.starts_on, table.c.until_on
    if dates_as_text:
        starts, until = without_affinity(starts), without_affinity(until)
    return and_(
        starts <= day,
        (table.c.until_on.is_(None)) | (until > day),
        table.c.status != RestrictionStatus.VOID.value,
    )
