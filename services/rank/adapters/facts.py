"""Loads what the rules need about many cadres at once (set-based: the register entries, the holdings in one UNION
ALL, the index, and every fact other services told rank in one more UNION ALL; see fact_union.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.sql import DIALECTS, in_bound, one_of
from services.rank.adapters import orm
from services.rank.adapters.fact_union import load_events, load_holdings
from services.rank.adapters.sql import path_list
from services.rank.domain.facts import (
    CadreFacts,
    UnitFact,
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


_CADRE_FIELDS = (
    "id",
    "name",
    "category",
    "birth_date",
    "entry_date",
    "education",
    "org_unit_id",
    "active",
    "reserve_cadre",
    "grassroots_experience",
)


async def load_facts(
    conn: AsyncConnection, cadre_ids: Sequence[str], tree: OrgTree, *, known: Sequence[Mapping[str, Any]] = ()
) -> dict[str, CadreFacts]:
    """Returns the facts of each cadre (missing ids are left out); `known` register entries (with the fields of
    `_CADRE_FIELDS`) a read already holds are not selected again."""
    ids = list(cadre_ids)
    if not ids:
        return {}
    given = [tuple(entry[f] for f in _CADRE_FIELDS) for entry in known if entry["id"] in ids]
    missing = [i for i in ids if i not in {row[0] for row in given}]
    c = orm.cadre
    cadres = given + (
        list((await conn.execute(select(*(c.c[f] for f in _CADRE_FIELDS)).where(one_of(conn, c.c.id, missing)))).all())
        if missing
        else []
    )
    holdings: dict[str, dict[type, list]] = defaultdict(lambda: defaultdict(list))
    for cadre_id, holding in await load_holdings(conn, ids):
        holdings[cadre_id][type(holding)].append(holding)
    percentile = await _index_percentiles(conn, ids, {row[0]: row[6] for row in cadres})
    events = await load_events(conn, ids)
    facts = {}
    for row in cadres:
        cadre_id = row[0]
        h = holdings[cadre_id]
        e = events.get(cadre_id, {})
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
            grades=tuple(e.get("grade", ())),
            awards=tuple(e.get("award", ())),
            restrictions=tuple(e.get("restriction", ())),
            investigations=tuple(e.get("investigation", ())),
            sanctions=tuple(e.get("sanction", ())),
            xinfang_flags=tuple(e.get("xinfang", ())),
            clarifications=tuple(e.get("clarification", ())),
            index_percentile=percentile.get(cadre_id),
            demotion_required=bool(e.get("demotion")),
        )
    return facts


_I = orm.appraisal_index
_INDEX_ROWS = {  # built once per dialect (docs/DEVELOPING.md, SQL)
    dialect: select(_I.c.cadre_id, _I.c.computed_at, _I.c.period_key, _I.c.total, _I.c.percentile).where(
        in_bound(_I.c.cadre_id, dialect)
    )
    for dialect in DIALECTS
}


async def _index_percentiles(conn: AsyncConnection, ids: list[str], unit_of: dict[str, str]) -> dict[str, float]:
    """Returns each cadre's index percentile for its latest period, within its org unit (two queries).

    A percentile stated by the event is kept; otherwise it is derived from the totals of the same period held for
    the cadres now in the same org unit (:func:`percentile_rank`).
    """
    i, c = orm.appraisal_index, orm.cadre
    latest: dict[str, tuple] = {}
    for cadre_id, computed_at, period_key, total, stated in (
        await conn.execute(_INDEX_ROWS[conn.dialect.name], {"ids": ids})
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
