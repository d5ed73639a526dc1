"""Read side of configuration and processes: ladders, schemes, quotas, batches, contracts, standings, dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, in_subtree
from kernel.auth import Principal, Role
from kernel.pagination import PageParams, decode_cursor, encode_cursor, keyset, next_cursor
from services.rank.adapters import config_repo, orm, selection
from services.rank.adapters.facts import load_facts
from services.rank.adapters.reference import Reference, reference_for_read
from services.rank.adapters.sql import loads, path_list
from services.rank.domain.batch import CANDIDATE_RESERVING, OPEN_BATCH
from services.rank.domain.contract import Contract
from services.rank.domain.facts import CadreFacts
from services.rank.domain.ladder import Ladder
from services.rank.domain.rules.policies import RankPolicies
from services.rank.service_layer.contracts import suggestion
from services.rank.service_layer.evaluation import eligibility_json, points_json, standing_of, track_json
from services.rank.views import (
    _relatives,
    access_of,
    cadre_clause,
    config_filter,
    config_units,
    history_of,
    unit_prefix_within,
)


# -- configuration -------------------------------------------------------------------------------------
async def ladders_in_force(conn: AsyncConnection, day: dt.date) -> list[Ladder]:
    """Returns the ladder of each series in force on `day`."""
    return list((await config_repo.ladders_in_force(conn, day)).values())


async def ladder_in_force(conn: AsyncConnection, series: str, day: dt.date) -> Ladder:
    """Returns the ladder of one series in force on `day`."""
    return (await config_repo.ladders_in_force(conn, day))[series]


async def ladder_versions(conn: AsyncConnection, series: str) -> list[Ladder]:
    """Returns every version of a series' ladder."""
    return await config_repo.ladder_versions(conn, series)


async def list_schemes(
    conn: AsyncConnection, principal: Principal, page: PageParams, org_unit_id: str | None
) -> tuple[list[dict], str | None]:
    """Lists the points schemes that apply to the caller (their subtree and its ancestors)."""
    prefix, ancestors = await config_units(conn, principal)
    t, u = orm.points_scheme, orm.org_unit
    query = (
        select(t, u.c.path)
        .join(u, u.c.id == t.c.org_unit_id)
        .where(config_filter(t.c.org_unit_id, u.c.path, prefix, ancestors))
    )
    if org_unit_id:
        query = query.where(t.c.org_unit_id == org_unit_id)
    query = keyset(query, [t.c.id], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.id,))
    return [
        {
            "id": r.id,
            "org_unit_id": r.org_unit_id,
            "version": r.version,
            "effective_from": r.effective_from,
            "definition": loads(r.definition),
        }
        for r in rows
    ], cursor


async def get_scheme(conn: AsyncConnection, principal: Principal, scheme_id: str) -> dict[str, Any] | None:
    """Returns a points scheme that applies to the caller, or None."""
    prefix, ancestors = await config_units(conn, principal)
    t, u = orm.points_scheme, orm.org_unit
    row = (
        await conn.execute(
            select(t)
            .join(u, u.c.id == t.c.org_unit_id)
            .where(t.c.id == scheme_id, config_filter(t.c.org_unit_id, u.c.path, prefix, ancestors))
        )
    ).first()
    if row is None:
        return None
    return {
        "id": row.id,
        "org_unit_id": row.org_unit_id,
        "version": row.version,
        "effective_from": row.effective_from,
        "definition": loads(row.definition),
    }


async def list_quotas(
    conn: AsyncConnection, principal: Principal, page: PageParams, org_unit_id: str | None, today: dt.date
) -> tuple[list[dict], str | None]:
    """Lists the quotas in force that apply to the caller, with occupancy and vacancies."""
    prefix, ancestors = await config_units(conn, principal)
    quotas = await config_repo.quotas_in_force(conn, today)
    visible = [q for q in quotas if (prefix and q.org_path.startswith(prefix)) or q.org_unit_id in ancestors]
    if org_unit_id:
        visible = [q for q in visible if q.org_unit_id == org_unit_id]
    visible.sort(key=lambda q: q.id)
    if page.cursor:
        after = decode_cursor(page.cursor, 1)[0]
        visible = [q for q in visible if q.id > after]
    more = len(visible) > page.limit
    visible = visible[: page.limit]
    items = [await quota_usage(conn, q) for q in visible]
    return items, encode_cursor([visible[-1].id]) if more else None


async def quota_usage(conn: AsyncConnection, q: config_repo.QuotaRow) -> dict[str, Any]:
    """Returns a quota with its holders, places reserved by open batches and vacancies."""
    holders = await selection.holders(conn, q.org_path, sorted(q.rank_codes))
    t, c, u = orm.promotion_batch, orm.promotion_candidate, orm.org_unit
    reserved = int(
        (
            await conn.execute(
                select(func.count())
                .select_from(c)
                .join(t, t.c.id == c.c.batch_id)
                .join(u, u.c.id == t.c.org_unit_id)
                .where(
                    t.c.status.in_(OPEN_BATCH),
                    c.c.status.in_(CANDIDATE_RESERVING),
                    c.c.target_rank.in_(sorted(q.rank_codes)),
                    u.c.path.startswith(q.org_path, autoescape=True),
                )
            )
        ).scalar_one()
    )
    return {
        "id": q.id,
        "org_unit_id": q.org_unit_id,
        "bucket": q.bucket,
        "rank_codes": sorted(q.rank_codes),
        "max_count": q.max_count,
        "effective_from": q.effective_from,
        "holders": holders,
        "reserved": reserved,
        "vacancies": max(0, q.max_count - holders - reserved),
    }


# -- promotion batches ---------------------------------------------------------------------------------
def _batch(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "org_unit_id": row.org_unit_id,
        "title": row.title,
        "target_ranks": loads(row.target_ranks),
        "status": row.status,
        "created_by": row.created_by,
        "publicity_from": row.publicity_from,
        "publicity_to": row.publicity_to,
        "approved_by": row.approved_by,
        "approved_on": row.approved_on,
        "effective_date": row.effective_date,
        "version": row.version,
    }


async def get_batch(conn: AsyncConnection, principal: Principal, batch_id: str) -> dict[str, Any] | None:
    """Returns a batch of the caller's subtree with candidate counts by status, or None."""
    access = await access_of(conn, principal)
    t, u, c = orm.promotion_batch, orm.org_unit, orm.promotion_candidate
    row = (await conn.execute(select(t, u.c.path).join(u, u.c.id == t.c.org_unit_id).where(t.c.id == batch_id))).first()
    if row is None or not access.sees_unit(row.path):
        return None
    counts = dict(
        (
            await conn.execute(select(c.c.status, func.count()).where(c.c.batch_id == batch_id).group_by(c.c.status))
        ).all()
    )
    return {**_batch(row), "counts": {k: int(v) for k, v in counts.items()}}


async def list_batches(
    conn: AsyncConnection, principal: Principal, page: PageParams, *, org_unit_id: str | None, status: str | None
) -> tuple[list[dict], str | None]:
    """Lists batches of the caller's subtree, newest first."""
    access = await access_of(conn, principal)
    prefix = (
        await unit_prefix_within(conn, access.prefix, org_unit_id) if access.prefix and not access.self_only else None
    )
    if prefix is None:
        return [], None
    t, u = orm.promotion_batch, orm.org_unit
    query = select(t).join(u, u.c.id == t.c.org_unit_id).where(u.c.path.startswith(prefix, autoescape=True))
    if status:
        query = query.where(t.c.status == status)
    query = keyset(query, [t.c.created_at, t.c.id], page, descending=True, converters=[dt.datetime.fromisoformat, None])
    rows, cursor = next_cursor(
        list((await conn.execute(query)).all()), page, lambda r: (r.created_at.isoformat(), r.id)
    )
    return [_batch(r) for r in rows], cursor


async def list_candidates(
    conn: AsyncConnection, batch_id: str, page: PageParams, *, bucket: str | None, status: str | None
) -> tuple[list[dict], str | None]:
    """Lists a batch's candidates ranked per bucket (points, then the scheme's tie-breakers)."""
    c, k = orm.promotion_candidate, orm.cadre
    rank_key = func.coalesce(c.c.rank_in_bucket, 1_000_000)
    query = select(c, k.c.name, rank_key.label("rk")).join(k, k.c.id == c.c.cadre_id).where(c.c.batch_id == batch_id)
    if bucket:
        query = query.where(c.c.bucket == bucket)
    if status:
        query = query.where(c.c.status == status)
    query = keyset(query, [c.c.bucket, rank_key, c.c.cadre_id], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.bucket, r.rk, r.cadre_id))
    return [
        {
            "cadre_id": r.cadre_id,
            "name": r.name,
            "target_rank": r.target_rank,
            "bucket": r.bucket,
            "status": r.status,
            "points": r.points,
            "rank_in_bucket": r.rank_in_bucket,
            "points_breakdown": loads(r.points_breakdown, []),
            "eligibility": loads(r.eligibility, {}),
            "votes_for": r.votes_for,
            "votes_against": r.votes_against,
            "votes_abstain": r.votes_abstain,
            "investigation_passed": r.investigation_passed,
            "objection_open": r.objection_open,
            "decision_reason": r.decision_reason,
        }
        for r in rows
    ], cursor


# -- contracts -----------------------------------------------------------------------------------------
_CONTRACT_COLUMNS = (
    "id",
    "cadre_id",
    "kind",
    "tier",
    "starts_on",
    "ends_on",
    "probation_months",
    "status",
    "filed_on",
    "review_due_on",
    "outcome",
    "decided_on",
    "termination_ground",
    "terminated_on",
    "renewed_from",
    "version",
    "source",
    "document_no",
    "recorded_by",
    "recorded_at",
)


async def _contract_rows(
    conn: AsyncConnection, access: Access | None, where: list[Any], page: PageParams | None
) -> tuple[list[Any], str | None]:
    """Contract rows of cadres the caller may see (`access`; None: already checked by the caller)."""
    t, c, u = orm.contract, orm.cadre, orm.org_unit
    query = (
        select(t, c.c.name.label("cadre_name"))
        .join(c, c.c.id == t.c.cadre_id)
        .join(u, u.c.id == c.c.org_unit_id)
        .where(*where)
    )
    if access is not None:
        query = query.where(cadre_clause(access, t.c.cadre_id, u.c.path))
    if page is None:
        return list((await conn.execute(query.order_by(t.c.starts_on))).all()), None
    query = keyset(query, [t.c.id], page)
    return next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.id,))


async def _with_suggestion(conn: AsyncConnection, row: Any, policies: RankPolicies) -> dict[str, Any]:
    item = {k: getattr(row, k) for k in _CONTRACT_COLUMNS}
    item["cadre_name"] = row.cadre_name
    if row.status == "RENEWAL_REVIEW":
        g = orm.appraisal_grade
        grades: dict[int, tuple] = {}
        for year, grade, finalized in (
            await conn.execute(
                select(g.c.year, g.c.grade, g.c.finalized_on).where(
                    g.c.cadre_id == row.cadre_id, g.c.year >= row.starts_on.year, g.c.year <= row.ends_on.year
                )
            )
        ).all():
            if year not in grades or finalized > grades[year][1]:
                grades[year] = (grade, finalized)
        contract = Contract(
            id=row.id, cadre_id=row.cadre_id, kind=row.kind, starts_on=row.starts_on, ends_on=row.ends_on, tier=row.tier
        )  # the tier decides a fallback at the ladder's ends
        item["suggestion"] = suggestion(contract, [grades[y][0] for y in sorted(grades)], policies.contract)
    return item


async def get_contract(
    conn: AsyncConnection, principal: Principal, contract_id: str, policies: RankPolicies
) -> dict[str, Any] | None:
    """Returns a contract the caller may see (own for the cadre role), with the renewal suggestion when reviewed."""
    rows, _ = await _contract_rows(conn, await access_of(conn, principal), [orm.contract.c.id == contract_id], None)
    return await _with_suggestion(conn, rows[0], policies) if rows else None


async def list_contracts(
    conn: AsyncConnection,
    principal: Principal,
    page: PageParams,
    *,
    cadre_id: str | None,
    status: str | None,
    policies: RankPolicies,
) -> tuple[list[dict], str | None]:
    """Lists contracts of the caller's subtree (own for the cadre role)."""
    t = orm.contract
    where = ([t.c.cadre_id == cadre_id] if cadre_id else []) + ([t.c.status == status] if status else [])
    rows, cursor = await _contract_rows(conn, await access_of(conn, principal), where, page)
    return [await _with_suggestion(conn, r, policies) for r in rows], cursor


_CONTRACTS_OF = (
    select(orm.contract, orm.cadre.c.name.label("cadre_name"))
    .join(orm.cadre, orm.cadre.c.id == orm.contract.c.cadre_id)
    .where(orm.contract.c.cadre_id == bindparam("cadre_id"))
    .order_by(orm.contract.c.starts_on)
)  # built once: the dossier part reads it on every request


async def contracts_of(conn: AsyncConnection, cadre_id: str, policies: RankPolicies) -> list[dict[str, Any]]:
    rows = (await conn.execute(_CONTRACTS_OF, {"cadre_id": cadre_id})).all()
    return [await _with_suggestion(conn, r, policies) for r in rows]


# -- eligibility, standings, development track -----------------------------------------------------------
# 信访 review flags in eligibility answers are for selection supervision (信访工作条例 §30): org_admin,
# discipline_officer and auditor see them, never about themselves or a relative (S2); assessors and cadres do not
# (permissions.md rules 3 and 5). They never block, so hiding them changes no answer.
PETITION_FLAG_READERS = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.AUDITOR)
PETITION_FLAG_RULES = frozenset({"review.xinfang"})


async def petition_flags_hidden_for(conn: AsyncConnection, principal: Principal) -> set[str] | None:
    """Returns the cadres whose 信访 flags the caller may not see (None: every cadre's)."""
    if not principal.has(*PETITION_FLAG_READERS):
        return None
    if principal.cadre_id is None:
        return set()
    return {principal.cadre_id, *(await _relatives(conn, [principal.cadre_id])).get(principal.cadre_id, [])}


def without_petition_flags(
    reasons: list[dict[str, Any]], cadre_id: str, hidden: set[str] | None
) -> list[dict[str, Any]]:
    """Drops the 信访 flags from a list of reasons when the caller may not see them for this cadre."""
    if hidden is not None and cadre_id not in hidden:
        return reasons
    return [r for r in reasons if r["rule"] not in PETITION_FLAG_RULES]


async def live_eligibility(
    conn: AsyncConnection,
    cadre_id: str,
    *,
    as_of: dt.date,
    target_rank: str | None,
    policies: RankPolicies,
    principal: Principal,
) -> dict[str, Any]:
    """Evaluates a cadre now (facts as known on `as_of`), with points under their unit's scheme; 信访 flags only
    for the callers who may see them."""
    reference = await reference_for_read(conn, as_of)
    facts = (await load_facts(conn, [cadre_id], reference.tree))[cadre_id]
    return await _evaluate_live(
        conn, facts, reference, as_of=as_of, target_rank=target_rank, policies=policies, principal=principal
    )


async def live_dossier(
    conn: AsyncConnection,
    cadre: dict[str, Any],
    *,
    as_of: dt.date,
    policies: RankPolicies,
    principal: Principal,
) -> dict[str, Any]:
    """A cadre's history and live evaluation as of a day, from one load of their facts (`cadre`: the register
    entry the route read already, not selected again)."""
    cadre_id = cadre["id"]
    reference = await reference_for_read(conn, as_of)
    facts = (await load_facts(conn, [cadre_id], reference.tree, known=[cadre]))[cadre_id]
    live = await _evaluate_live(
        conn, facts, reference, as_of=as_of, target_rank=None, policies=policies, principal=principal
    )
    return {"history": history_of(cadre_id, facts.holdings(), as_of), **live}


async def _evaluate_live(
    conn: AsyncConnection,
    facts: CadreFacts,
    reference: Reference,
    *,
    as_of: dt.date,
    target_rank: str | None,
    policies: RankPolicies,
    principal: Principal,
) -> dict[str, Any]:
    scheme = reference.schemes.for_path(reference.tree.path(facts.org_unit.org_unit_id))
    standing = standing_of(
        facts, ladders=reference.ladders, scheme=scheme, policies=policies, as_of=as_of, target_rank=target_rank
    )
    eligibility = eligibility_json(standing.eligibility)
    eligibility["reasons"] = without_petition_flags(
        eligibility["reasons"], facts.cadre_id, await petition_flags_hidden_for(conn, principal)
    )
    return {
        "eligibility": eligibility,
        "points": points_json(standing.points),
        "development": track_json(standing.track),
        "level_step": standing.level,
    }


async def _standing_query(conn: AsyncConnection, principal: Principal, org_unit_id: str | None) -> Any:
    access = await access_of(conn, principal)
    s, c, u = orm.cadre_standing, orm.cadre, orm.org_unit
    query = (
        select(s, c.c.name, c.c.org_unit_id)
        .join(c, c.c.id == s.c.cadre_id)
        .join(u, u.c.id == c.c.org_unit_id)
        .where(c.c.active.is_(True), cadre_clause(access, s.c.cadre_id, u.c.path))
    )
    if not org_unit_id:
        return query
    prefix = (
        await unit_prefix_within(conn, access.prefix, org_unit_id) if access.prefix and not access.self_only else None
    )
    return None if prefix is None else query.where(in_subtree(u.c.path, prefix))


def _standing(r: Any, today: dt.date) -> dict[str, Any]:
    return {
        "cadre_id": r.cadre_id,
        "name": r.name,
        "org_unit_id": r.org_unit_id,
        "current_rank": r.current_rank,
        "target_rank": r.target_rank,
        "eligible_on": r.eligible_on,
        "eligible_now": r.eligible_on is not None and r.eligible_on <= today,
        "blocked": r.blocked,
        "points": r.points,
        "reasons": loads(r.reasons, []),
        "as_of": r.as_of,
    }


async def list_standings(
    conn: AsyncConnection,
    principal: Principal,
    page: PageParams,
    *,
    org_unit_id: str | None,
    eligible_by: dt.date | None,
    target_rank: str | None,
    today: dt.date,
) -> tuple[list[dict], str | None]:
    """Lists precomputed standings (eligible on or before a date, or for a target rank), best points first."""
    query = await _standing_query(conn, principal, org_unit_id)
    if query is None:
        return [], None
    s = orm.cadre_standing
    if eligible_by is not None:
        query = query.where(s.c.eligible_on.is_not(None), s.c.eligible_on <= eligible_by)
    if target_rank:
        query = query.where(s.c.target_rank == target_rank)
    points = func.coalesce(s.c.points, -1_000_000.0)
    query = keyset(
        query.add_columns(points.label("pk")), [points, s.c.cadre_id], page, descending=True, converters=[float, None]
    )
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.pk, r.cadre_id))
    hidden = await petition_flags_hidden_for(conn, principal)
    items = [_standing(r, today) for r in rows]
    for item in items:
        item["reasons"] = without_petition_flags(item["reasons"], item["cadre_id"], hidden)
    return items, cursor


async def list_track(
    conn: AsyncConnection,
    principal: Principal,
    page: PageParams,
    *,
    org_unit_id: str | None,
    stage: str | None,
    step: str | None,
    include_none: bool,
) -> tuple[list[dict], str | None]:
    """Lists the development track: each cadre's stage, suggested next step and reasons."""
    query = await _standing_query(conn, principal, org_unit_id)
    if query is None:
        return [], None
    s = orm.cadre_standing
    if stage:
        query = query.where(s.c.track_stage == stage)
    if step:
        query = query.where(s.c.track_step == step)
    elif not include_none:
        query = query.where(s.c.track_step.is_not(None), s.c.track_step != "NONE")
    query = keyset(query, [s.c.cadre_id], page)
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda r: (r.cadre_id,))
    return [
        {
            "cadre_id": r.cadre_id,
            "name": r.name,
            "org_unit_id": r.org_unit_id,
            "stage": r.track_stage,
            "step": r.track_step,
            "reasons": loads(r.track_reasons, []),
            "as_of": r.as_of,
        }
        for r in rows
    ], cursor


# -- dashboard -----------------------------------------------------------------------------------------
async def dashboard(conn: AsyncConnection, prefix: str, org_unit_id: str, today: dt.date) -> dict[str, Any]:
    """Aggregates the rank figures of an org subtree (counts in SQL; a top-10 of eligible cadres)."""
    s, c, u = orm.cadre_standing, orm.cadre, orm.org_unit
    in_tree = (u.c.path.startswith(prefix, autoescape=True), c.c.active.is_(True))
    base = select().select_from(c).join(u, u.c.id == c.c.org_unit_id).where(*in_tree)
    cadres = int((await conn.execute(base.add_columns(func.count()))).scalar_one())
    by_rank = {
        k or "NONE": int(v)
        for k, v in (await conn.execute(base.add_columns(c.c.rank_code, func.count()).group_by(c.c.rank_code))).all()
    }
    joined = base.join(s, s.c.cadre_id == c.c.id)
    eligible_now = int(
        (await conn.execute(joined.add_columns(func.count()).where(s.c.eligible_on <= today))).scalar_one()
    )
    within = int(
        (
            await conn.execute(
                joined.add_columns(func.count()).where(s.c.eligible_on <= today + dt.timedelta(days=365))
            )
        ).scalar_one()
    )
    blocked = int((await conn.execute(joined.add_columns(func.count()).where(s.c.blocked.is_(True)))).scalar_one())
    steps = {
        k: int(v)
        for k, v in (
            await conn.execute(
                joined.add_columns(s.c.track_step, func.count())
                .where(s.c.track_step.is_not(None))
                .group_by(s.c.track_step)
            )
        ).all()
    }
    pending = int((await conn.execute(joined.add_columns(func.count()).where(s.c.dirty.is_(True)))).scalar_one())
    top = (
        await conn.execute(
            select(s, c.c.name, c.c.org_unit_id)
            .join(c, c.c.id == s.c.cadre_id)
            .join(u, u.c.id == c.c.org_unit_id)
            .where(*in_tree, s.c.eligible_on <= today)
            .order_by(func.coalesce(s.c.points, -1e6).desc(), s.c.cadre_id)
            .limit(10)
        )
    ).all()
    b = orm.promotion_batch
    batches = {
        k: int(v)
        for k, v in (
            await conn.execute(
                select(b.c.status, func.count())
                .join(u, u.c.id == b.c.org_unit_id)
                .where(u.c.path.startswith(prefix, autoescape=True))
                .group_by(b.c.status)
            )
        ).all()
    }
    k = orm.contract
    contracts = {
        st: int(v)
        for st, v in (
            await conn.execute(
                base.join(k, k.c.cadre_id == c.c.id).add_columns(k.c.status, func.count()).group_by(k.c.status)
            )
        ).all()
    }
    d = orm.demotion
    demotions = (
        await conn.execute(
            base.join(d, d.c.cadre_id == c.c.id)
            .add_columns(func.count(), func.coalesce(func.sum(func.cast(d.c.dismissal_review, Integer)), 0))
            .where(d.c.status == "REQUIRED")
        )
    ).one()
    ancestors = path_list(prefix)
    quotas = [
        await quota_usage(conn, q)
        for q in await config_repo.quotas_in_force(conn, today)
        if q.org_path.startswith(prefix) or q.org_unit_id in ancestors
    ]
    return {
        "org_unit_id": org_unit_id,
        "as_of": today,
        "cadres": cadres,
        "by_rank": by_rank,
        "eligible_now": eligible_now,
        "eligible_within_year": within,
        "blocked": blocked,
        "top_eligible": [_standing(r, today) for r in top],
        "development_steps": steps,
        "batches_by_status": batches,
        "contracts_by_status": contracts,
        "demotions_required": int(demotions[0]),
        "dismissal_reviews": int(demotions[1]),
        "quotas": quotas,
        "standings_pending": pending,
    }
