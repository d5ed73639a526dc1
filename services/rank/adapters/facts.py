"""Loads what the rules need about many cadres at once (set-based: one query per kind per chunk of ids)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rank.adapters import orm
from services.rank.adapters.repository import load_holdings
from services.rank.adapters.sql import loads, path_list
from services.rank.domain.facts import (
    AwardFact,
    CadreFacts,
    ClarificationFact,
    GradeFact,
    InvestigationFact,
    RestrictionFact,
    SanctionFact,
    UnitFact,
    XinfangFact,
)
from services.rank.domain.holdings import Assignment, LevelHolding, PostHolding, RankHolding
from services.rank.domain.percentile import percentile_rank


@dataclass(frozen=True)
class OrgTree:
    """The org units (small next to the register), for effective agency levels and paths."""

    units: dict[str, tuple[str | None, str, list[str]]]  # id → (parent id, agency level, path)

    def effective_level(self, unit_id: str) -> str:
        """Returns the agency level of a unit; a DIVISION takes that of its nearest non-division ancestor."""
        unit = self.units.get(unit_id)
        while unit is not None and unit[1] == "DIVISION" and unit[0] is not None:
            unit = self.units.get(unit[0])
        return unit[1] if unit is not None else "DIVISION"

    def path(self, unit_id: str) -> list[str]:
        unit = self.units.get(unit_id)
        return unit[2] if unit else [unit_id]


async def load_tree(conn: AsyncConnection) -> OrgTree:
    """Reads the whole org tree."""
    t = orm.org_unit
    rows = (await conn.execute(select(t.c.id, t.c.parent_id, t.c.agency_level, t.c.path))).all()
    return OrgTree({r[0]: (r[1], r[2], path_list(r[3])) for r in rows})


async def load_facts(conn: AsyncConnection, cadre_ids: Sequence[str], tree: OrgTree) -> dict[str, CadreFacts]:
    """Returns the facts of each cadre (missing ids are left out)."""
    ids = list(cadre_ids)
    if not ids:
        return {}
    c = orm.cadre
    cadres = (
        await conn.execute(
            select(
                c.c.id,
                c.c.name,
                c.c.category,
                c.c.birth_date,
                c.c.entry_date,
                c.c.education,
                c.c.org_unit_id,
                c.c.active,
                c.c.reserve_cadre,
                c.c.grassroots_experience,
            ).where(c.c.id.in_(ids))
        )
    ).all()
    holdings: dict[str, dict[type, list]] = defaultdict(lambda: defaultdict(list))
    for cadre_id, holding in await load_holdings(conn, ids):
        holdings[cadre_id][type(holding)].append(holding)
    grades: dict[str, list[GradeFact]] = defaultdict(list)
    g = orm.appraisal_grade
    for row in (
        await conn.execute(
            select(g.c.cadre_id, g.c.year, g.c.grade, g.c.finalized_on, g.c.assessment_id).where(g.c.cadre_id.in_(ids))
        )
    ).all():
        grades[row[0]].append(GradeFact(row[1], row[2], row[3], row[4]))
    awards: dict[str, list[AwardFact]] = defaultdict(list)
    a = orm.appraisal_award
    for row in (
        await conn.execute(
            select(a.c.cadre_id, a.c.award_id, a.c.type, a.c.granted_on, a.c.revoked_on).where(
                a.c.cadre_id.in_(ids), a.c.granted_on.is_not(None)
            )
        )
    ).all():
        awards[row[0]].append(AwardFact(row[1], row[2], row[3], row[4]))
    percentile = await _index_percentiles(conn, ids, {row[0]: row[6] for row in cadres})
    restrictions: dict[str, list[RestrictionFact]] = defaultdict(list)
    r = orm.tolerance_restriction
    for row in (
        await conn.execute(
            select(
                r.c.cadre_id,
                r.c.restriction_id,
                r.c.effect,
                r.c.starts_on,
                r.c.ends_on,
                r.c.status,
                r.c.source_type,
                r.c.discretionary_extension,
            ).where(r.c.cadre_id.in_(ids), r.c.status != "VOID")
        )
    ).all():
        restrictions[row[0]].append(RestrictionFact(row[1], row[2], row[3], row[4], row[5], row[6], row[7]))
    investigations: dict[str, list[InvestigationFact]] = defaultdict(list)
    v = orm.tolerance_investigation
    for row in (
        await conn.execute(
            select(v.c.cadre_id, v.c.case_id, v.c.opened_on, v.c.closed_on).where(
                v.c.cadre_id.in_(ids), v.c.opened_on.is_not(None)
            )
        )
    ).all():
        investigations[row[0]].append(InvestigationFact(row[1], row[2], row[3]))
    sanctions: dict[str, list[SanctionFact]] = defaultdict(list)
    s = orm.tolerance_sanction
    for row in (
        await conn.execute(
            select(s.c.cadre_id, s.c.sanction_id, s.c.type, s.c.effective_on, s.c.ends_on, s.c.status).where(
                s.c.cadre_id.in_(ids)
            )
        )
    ).all():
        sanctions[row[0]].append(SanctionFact(row[1], row[2], row[3], row[4], row[5]))
    flags: dict[str, list[XinfangFact]] = defaultdict(list)
    x = orm.petitions_report
    for row in (
        await conn.execute(
            select(x.c.cadre_id, x.c.report_id, x.c.received_on, x.c.closed_on).where(x.c.cadre_id.in_(ids))
        )
    ).all():
        flags[row[0]].append(XinfangFact(row[1], row[2], row[3]))
    clarifications: dict[str, list[ClarificationFact]] = defaultdict(list)
    k = orm.petitions_clarification
    for row in (
        await conn.execute(
            select(k.c.cadre_id, k.c.clarification_id, k.c.executed_on, k.c.report_ids).where(k.c.cadre_id.in_(ids))
        )
    ).all():
        clarifications[row[0]].append(ClarificationFact(row[1], row[2], tuple(loads(row[3], []))))
    d = orm.demotion
    demotion_required = set(
        (await conn.execute(select(d.c.cadre_id).where(d.c.cadre_id.in_(ids), d.c.status == "REQUIRED"))).scalars()
    )
    facts = {}
    for row in cadres:
        cadre_id = row[0]
        h = holdings[cadre_id]
        facts[cadre_id] = CadreFacts(
            cadre_id=cadre_id,
            name=row[1],
            category=row[2],
            birth_date=row[3],
            entry_date=row[4],
            education=row[5],
            org_unit=UnitFact(row[6], tree.effective_level(row[6])),
            active=row[7],
            reserve_cadre=row[8],
            grassroots_experience=row[9],
            rank_holdings=tuple(h[RankHolding]),
            post_holdings=tuple(h[PostHolding]),
            level_holdings=tuple(h[LevelHolding]),
            assignments=tuple((x, tree.effective_level(x.org_unit_id)) for x in h[Assignment]),
            grades=tuple(grades[cadre_id]),
            awards=tuple(awards[cadre_id]),
            restrictions=tuple(restrictions[cadre_id]),
            investigations=tuple(investigations[cadre_id]),
            sanctions=tuple(sanctions[cadre_id]),
            xinfang_flags=tuple(flags[cadre_id]),
            clarifications=tuple(clarifications[cadre_id]),
            index_percentile=percentile.get(cadre_id),
            demotion_required=cadre_id in demotion_required,
        )
    return facts


async def _index_percentiles(conn: AsyncConnection, ids: list[str], unit_of: dict[str, str]) -> dict[str, float]:
    """Returns each cadre's index percentile for its latest period, within its org unit (two queries).

    A percentile stated by the event is kept; otherwise it is derived from the totals of the same period held for
    the cadres now in the same org unit (:func:`percentile_rank`).
    """
    i, c = orm.appraisal_index, orm.cadre
    latest: dict[str, tuple] = {}
    for cadre_id, computed_at, period_key, total, stated in (
        await conn.execute(
            select(i.c.cadre_id, i.c.computed_at, i.c.period_key, i.c.total, i.c.percentile).where(
                i.c.cadre_id.in_(ids)
            )
        )
    ).all():
        if cadre_id not in latest or computed_at > latest[cadre_id][0]:
            latest[cadre_id] = (computed_at, period_key, total, stated)
    result = {k: v[3] for k, v in latest.items() if v[3] is not None}
    wanted = {k: v for k, v in latest.items() if v[3] is None and k in unit_of}
    if not wanted:
        return result
    periods = sorted({v[1] for v in wanted.values()})
    units = sorted({unit_of[k] for k in wanted})
    totals: dict[tuple[str, str], list[float]] = defaultdict(list)
    for unit_id, period_key, total in (
        await conn.execute(
            select(c.c.org_unit_id, i.c.period_key, i.c.total)
            .join(c, c.c.id == i.c.cadre_id)
            .where(i.c.period_key.in_(periods), c.c.org_unit_id.in_(units))
        )
    ).all():
        totals[(unit_id, period_key)].append(total)
    for cadre_id, (_, period_key, total, _) in wanted.items():
        result[cadre_id] = percentile_rank(total, totals[(unit_of[cadre_id], period_key)])
    return result
