"""Read side of the petitions service: scoped queries on the reader (CQRS-lite, no aggregates).

Reporter identity is never read here: the vault is opened only by service_layer.reveal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import Select, and_, bindparam, case, func, null, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.access import Access, in_subtree
from kernel.auth import Role
from kernel.pagination import PageParams, keyset, next_cursor
from services.petitions.adapters import orm, scope
from services.petitions.adapters.directory import DIRECTORY
from services.petitions.adapters.scope import appeal_scope, in_prefix, not_about_me, reads_open, report_scope
from services.petitions.domain.vocab import OUTCOME_STATES
from services.petitions.service_layer.context import PetitionsContext

_date = dt.date.fromisoformat


# -- scope checks of the routes (on their reader connection; the use cases have uow.scope) ---------------------
async def unit_in_scope(conn: AsyncConnection, access: Access, unit_id: str) -> str | None:
    """Returns the path of an active unit inside the caller's subtree, or None."""
    return await scope.unit_in_scope(conn, access, unit_id)


async def cadre_in_scope(conn: AsyncConnection, access: Access, cadre_id: str) -> str | None:
    """Returns the org unit of a cadre the caller may deal with in a petitions matter (kernel.access, sensitive:
    never themself or a relative), or None."""
    return await scope.cadre_in_scope(conn, access, cadre_id)


# -- names ----------------------------------------------------------------------------------------------------
# Lists show people, not ids: a cadre's name comes from the directory, in the query that reads the rows (never one
# query per row), and only for a cadre the caller may see (kernel.access): a name is None both while the register's
# snapshot has not arrived and for a cadre outside the caller's bounds, so that it never tells more than the caller
# could read in the register, nor whether the cadre exists elsewhere. Reporters are never named.
def _name_visible(access: Access, cadre: Any, *, sensitive: bool) -> Any:
    """SQL: the directory row `cadre` (an alias of dir_cadre) is one whose name the caller may read."""
    return access.cadre_clause(
        cadre.c.cadre_id, lambda prefix: in_subtree(cadre.c.org_path, prefix), sensitive=sensitive
    )


def _named(query: Select, cadre_col: Any, access: Access, *, sensitive: bool = False) -> Select:
    """Adds `cadre_name` (the name of the row's cadre, `cadre_col`) to a query, as the caller may see it."""
    c = orm.directory.cadre.alias("named_cadre")  # its own alias: the scope's subqueries over dir_cadre stay apart
    name = case((_name_visible(access, c, sensitive=sensitive), c.c.name), else_=null())
    return query.outerjoin(c, c.c.cadre_id == cadre_col).add_columns(name.label("cadre_name"))


async def _names(conn: AsyncConnection, access: Access, cadre_ids: set[str], *, sensitive: bool) -> dict[str, str]:
    """The names of the cadres (of a whole page) the caller may see, in one query."""
    if not cadre_ids:
        return {}
    c = orm.directory.cadre
    query = select(c.c.cadre_id, c.c.name).where(
        c.c.cadre_id.in_(sorted(cadre_ids)), _name_visible(access, c, sensitive=sensitive)
    )
    return {row.cadre_id: row.name for row in await conn.execute(query)}


# -- reports --------------------------------------------------------------------------------------------------
_SUMMARY = (
    "id",
    "petition_type",
    "channel",
    "received_on",
    "status",
    "category",
    "handling_org_unit_id",
    "outcome",
    "closed_on",
)


async def list_reports(
    conn: AsyncConnection,
    access: Access,
    page: PageParams,
    *,
    status: str | None = None,
    cadre_id: str | None = None,
    org_unit_id: str | None = None,
) -> tuple[list[dict], str | None]:
    """Lists the reports the caller may see, newest first."""
    r, a, u = orm.report, orm.report_accused, orm.directory.org_unit
    query = select(*(r.c[n] for n in _SUMMARY), r.c.identity).where(report_scope(access))
    if status:
        query = query.where(r.c.status == status)
    if cadre_id:
        query = query.where(r.c.id.in_(select(a.c.report_id).where(a.c.cadre_id == cadre_id)))
    if org_unit_id:
        sub = (await conn.execute(select(u.c.path).where(u.c.org_unit_id == org_unit_id))).scalar()
        if sub is None:
            return [], None
        query = query.where(r.c.handling_org_unit_id.in_(select(u.c.org_unit_id).where(in_prefix(u.c.path, sub))))
    query = keyset(query, [r.c.received_on, r.c.id], page, descending=True, converters=[_date, None])
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda x: (x.received_on, x.id))
    ids = [x.id for x in rows]
    accused = await _accused(conn, access, ids)
    items = []
    for row in rows:
        item = {n: getattr(row, n) for n in _SUMMARY}
        item["accused"] = accused.get(row.id, [])
        if reads_open(access):
            item["identity"] = row.identity
        items.append(item)
    return items, cursor


async def _accused(conn: AsyncConnection, access: Access, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The accused of a page of reports, each with their name, in one query."""
    a = orm.report_accused
    out: dict[str, list[dict[str, Any]]] = {}
    if not ids:
        return out
    query = _named(
        select(a.c.report_id, a.c.cadre_id, a.c.outcome).where(a.c.report_id.in_(ids)),
        a.c.cadre_id,
        access,
        sensitive=True,
    ).order_by(a.c.report_id, a.c.position)
    for row in await conn.execute(query):
        out.setdefault(row.report_id, []).append(
            {"cadre_id": row.cadre_id, "cadre_name": row.cadre_name, "outcome": row.outcome}
        )
    return out


async def get_report(
    conn: AsyncConnection, tools: PetitionsContext, access: Access, report_id: str
) -> dict[str, Any] | None:
    """Returns a report as the caller may see it (texts only for those who handle open reports), or None."""
    r = orm.report
    row = (await conn.execute(select(r).where(r.c.id == report_id, report_scope(access)))).mappings().first()
    if row is None:
        return None
    accused = (await _accused(conn, access, [report_id])).get(report_id, [])
    al, units = orm.report_allegation, orm.report_accused_unit
    allegations = [
        {"id": x.id, "summary": x.summary, "cadre_id": x.cadre_id, "cadre_name": x.cadre_name, "result": x.result}
        for x in await conn.execute(
            _named(select(al).where(al.c.report_id == report_id), al.c.cadre_id, access, sensitive=True).order_by(
                al.c.position
            )
        )
    ]
    out: dict[str, Any] = {
        "id": row["id"],
        "petition_type": row["petition_type"],
        "status": row["status"],
        "category": row["category"],
        "received_on": row["received_on"],
        "handling_org_unit_id": row["handling_org_unit_id"],
        "accused": accused,
        "accused_org_unit_ids": [
            x[0]
            for x in await conn.execute(
                select(units.c.org_unit_id).where(units.c.report_id == report_id).order_by(units.c.org_unit_id)
            )
        ],
        "allegations": allegations,
        "outcome": row["outcome"],
        "closed_on": row["closed_on"],
        "conclusion": row["conclusion"],
        "version": row["version"],
    }
    if not reads_open(access):
        return out
    sealer = tools.sealer
    out.update(
        {
            k: row[k]
            for k in (
                "channel",
                "identity",
                "substantive",
                "jurisdiction",
                "real_name_verified_on",
                "transfer_ref",
                "duplicate_of",
                "not_accepted_reason",
                "routed_to",
                "accepted_on",
                "acceptance_notice_on",
                "disposal_mode",
                "adverse_effect",
                "accusation_spread",
                "fabrication_suspected",
                "feedback_on",
                "objection_on",
                "objection_new_evidence",
            )
        }
    )
    out["content"] = sealer.open_text(row["content_sealed"], context="content", record_id=report_id)
    out["accused_description"] = sealer.open_text(row["accused_text_sealed"], context="accused", record_id=report_id)
    out["objection_summary"] = sealer.open_text(row["objection_sealed"], context="objection", record_id=report_id)
    c, d, q, link, dl = orm.report_case, orm.report_disposal, orm.report_question, orm.report_link, orm.deadline
    out["cases"] = [
        {"id": x.id, "cadre_id": x.cadre_id, "cadre_name": x.cadre_name, "opened_on": x.opened_on}
        for x in await conn.execute(
            _named(select(c).where(c.c.report_id == report_id), c.c.cadre_id, access, sensitive=True).order_by(
                c.c.opened_on
            )
        )
    ]
    out["disposals"] = [
        {
            "id": x.id,
            "mode": x.mode,
            "meeting_on": x.meeting_on,
            "participants": x.participants,
            "minutes_ref": x.minutes_ref,
            "decided_by": x.decided_by,
            "decided_on": x.decided_on,
        }
        for x in await conn.execute(select(d).where(d.c.report_id == report_id).order_by(d.c.decided_on, d.c.id))
    ]
    out["questions"] = [
        {
            "id": x.id,
            "text": x.text,
            "asked_on": x.asked_on,
            "answered_on": x.answered_on,
            "answer": sealer.open_text(x.answer_sealed, context="answer", record_id=x.id),
        }
        for x in await conn.execute(select(q).where(q.c.report_id == report_id).order_by(q.c.asked_on, q.c.id))
    ]
    out["links"] = [
        {"report_id": x.other_id, "kind": x.kind, "score": x.score}
        for x in await conn.execute(
            select(link).where(link.c.report_id == report_id).order_by(link.c.score.desc(), link.c.other_id)
        )
    ]
    out["deadlines"] = [
        _deadline(x)
        for x in await conn.execute(select(dl).where(dl.c.report_id == report_id).order_by(dl.c.due_on, dl.c.id))
    ]
    return out


# -- statements -----------------------------------------------------------------------------------------------
def _statement(row: Any, *, staff: bool) -> dict[str, Any]:
    out = {
        k: getattr(row, k)
        for k in (
            "id",
            "cadre_id",
            "cadre_name",
            "kind",
            "facts",
            "requested_on",
            "due_on",
            "status",
            "answer",
            "submitted_on",
            "late",
            "adopted",
            "assessment",
            "assessed_on",
            "waiver_reason",
            "version",
        )
    }
    if staff:
        out["report_id"] = row.report_id
    return out


def _statement_scope(access: Access) -> Any:
    s, r = orm.statement_request, orm.report
    if reads_open(access):
        return s.c.report_id.in_(select(r.c.id).where(report_scope(access, outcomes_only=False)))
    return s.c.cadre_id == (access.me or "")


async def list_statements(
    conn: AsyncConnection,
    access: Access,
    page: PageParams,
    *,
    report_id: str | None = None,
) -> tuple[list[dict], str | None]:
    """Lists statement requests: the accused sees those addressed to them, staff those of reports they handle."""
    s = orm.statement_request
    query = _named(select(s).where(_statement_scope(access)), s.c.cadre_id, access)
    if report_id:
        query = query.where(s.c.report_id == report_id)
    query = keyset(query, [s.c.requested_on, s.c.id], page, descending=True, converters=[_date, None])
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda x: (x.requested_on, x.id))
    return [_statement(x, staff=reads_open(access)) for x in rows], cursor


async def get_statement(conn: AsyncConnection, access: Access, statement_id: str) -> dict[str, Any] | None:
    """Returns a statement request the caller may see, or None."""
    s = orm.statement_request
    row = (
        await conn.execute(
            _named(select(s).where(s.c.id == statement_id, _statement_scope(access)), s.c.cadre_id, access)
        )
    ).first()
    return None if row is None else _statement(row, staff=reads_open(access))


# -- false accusations ----------------------------------------------------------------------------------------
def _fa_scope(access: Access) -> Any:
    fa, r = orm.false_accusation_case, orm.report
    return fa.c.origin_report_id.in_(
        select(r.c.id).where(
            report_scope(access, outcomes_only=False) if reads_open(access) else _auditor_reports(access)
        )
    )


def _auditor_reports(access: Access) -> Any:
    # Auditors read false-accusation cases of concluded reports handled in their subtree.
    r, u = orm.report, orm.directory.org_unit
    return and_(
        r.c.status.in_(sorted(OUTCOME_STATES)),
        r.c.handling_org_unit_id.in_(select(u.c.org_unit_id).where(in_prefix(u.c.path, access.prefix))),
        *not_about_me(access, r.c.id),
    )


def _fa(row: Any, access: Access, names: dict[str, str]) -> dict[str, Any]:
    out = {
        k: getattr(row, k)
        for k in (
            "id",
            "origin_report_id",
            "grounds",
            "opened_on",
            "status",
            "findings",
            "proposed",
            "approval_tier",
            "decided_on",
            "referral",
            "referred_on",
            "closed_on",
            "accuser_is_cadre",
            "version",
        )
    }
    out["victim_cadre_ids"] = orjson.loads(row.victim_cadre_ids)
    out["victim_cadres"] = [{"id": v, "name": names.get(v)} for v in out["victim_cadre_ids"]]
    # Until a fabrication is confirmed the suspected accuser is still a protected reporter (政务处分法 §63); the
    # accuser is never named here (only the id, to those who may have it).
    confirmed = row.status in ("CONFIRMED_FALSE_ACCUSATION", "REFERRED", "CLOSED")
    out["accuser_cadre_id"] = row.accuser_cadre_id if (reads_open(access) or confirmed) else None
    return out


async def list_false_accusations(
    conn: AsyncConnection,
    access: Access,
    page: PageParams,
) -> tuple[list[dict], str | None]:
    """Lists false-accusation cases in scope."""
    fa = orm.false_accusation_case
    query = keyset(
        select(fa).where(_fa_scope(access)), [fa.c.opened_on, fa.c.id], page, descending=True, converters=[_date, None]
    )
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda x: (x.opened_on, x.id))
    names = await _victim_names(conn, access, rows)
    return [_fa(x, access, names) for x in rows], cursor


async def _victim_names(conn: AsyncConnection, access: Access, rows: list[Any]) -> dict[str, str]:
    """The names of the victims of a page of false-accusation cases, in one query."""
    return await _names(conn, access, {v for x in rows for v in orjson.loads(x.victim_cadre_ids)}, sensitive=True)


async def get_false_accusation(conn: AsyncConnection, access: Access, case_id: str) -> dict[str, Any] | None:
    """Returns a false-accusation case in scope, or None."""
    fa = orm.false_accusation_case
    row = (await conn.execute(select(fa).where(fa.c.id == case_id, _fa_scope(access)))).first()
    return None if row is None else _fa(row, access, await _victim_names(conn, access, [row]))


# -- clarifications -------------------------------------------------------------------------------------------
def _clarification_scope(access: Access) -> Any:
    cl = orm.clarification
    if access.self_only:
        return cl.c.cadre_id == (access.me or "")
    return DIRECTORY.cadre_clause(access, cl.c.cadre_id, sensitive=True)


def _clarification(row: Any, access: Access) -> dict[str, Any]:
    out = {
        k: getattr(row, k)
        for k in (
            "id",
            "cadre_id",
            "cadre_name",
            "spread",
            "reason",
            "proposed_on",
            "status",
            "consent_on",
            "method",
            "scope",
            "approved_on",
            "executed_on",
            "record_ref",
            "closed_on",
            "version",
        )
    }
    if not access.self_only:
        # The cadre sees their clarification, never the report behind it.
        out["report_ids"] = orjson.loads(row.report_ids)
    return out


async def list_clarifications(
    conn: AsyncConnection,
    access: Access,
    page: PageParams,
) -> tuple[list[dict], str | None]:
    """Lists clarifications in scope (the cadre's own for self-service)."""
    cl = orm.clarification
    query = keyset(
        _named(select(cl).where(_clarification_scope(access)), cl.c.cadre_id, access),
        [cl.c.proposed_on, cl.c.id],
        page,
        descending=True,
        converters=[_date, None],
    )
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda x: (x.proposed_on, x.id))
    return [_clarification(x, access) for x in rows], cursor


async def get_clarification(conn: AsyncConnection, access: Access, clarification_id: str) -> dict[str, Any] | None:
    """Returns a clarification in scope, or None."""
    cl = orm.clarification
    row = (
        await conn.execute(
            _named(select(cl).where(cl.c.id == clarification_id, _clarification_scope(access)), cl.c.cadre_id, access)
        )
    ).first()
    return None if row is None else _clarification(row, access)


# -- appeals --------------------------------------------------------------------------------------------------
_APPEAL = (
    "id",
    "appellant_cadre_id",
    "target_type",
    "target_ref",
    "stage",
    "original_value",
    "decision_on",
    "notified_on",
    "filed_on",
    "filing_deadline",
    "previous_appeal_id",
    "status",
    "accepted_on",
    "decision_due_on",
    "result",
    "varied_to",
    "reasons",
    "decided_on",
    "grounds",
    "version",
)


def _appeal_visible(access: Access) -> Any:
    ap = orm.appeal
    if access.self_only:
        return ap.c.appellant_cadre_id == (access.me or "")
    own = ap.c.appellant_cadre_id == access.me if access.me else None
    return or_(appeal_scope(access), own) if own is not None else appeal_scope(access)


async def list_appeals(
    conn: AsyncConnection,
    access: Access,
    page: PageParams,
    *,
    status: str | None = None,
) -> tuple[list[dict], str | None]:
    """Lists appeals in scope (the cadre's own for self-service)."""
    ap = orm.appeal
    query = _named(select(*(ap.c[n] for n in _APPEAL)).where(_appeal_visible(access)), ap.c.appellant_cadre_id, access)
    if status:
        query = query.where(ap.c.status == status)
    query = keyset(query, [ap.c.filed_on, ap.c.id], page, descending=True, converters=[_date, None])
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda x: (x.filed_on, x.id))
    return [{n: getattr(x, n) for n in (*_APPEAL, "cadre_name")} for x in rows], cursor


async def get_appeal(conn: AsyncConnection, access: Access, appeal_id: str) -> dict[str, Any] | None:
    """Returns an appeal in scope, or None."""
    ap = orm.appeal
    row = (
        await conn.execute(
            _named(
                select(*(ap.c[n] for n in _APPEAL)).where(ap.c.id == appeal_id, _appeal_visible(access)),
                ap.c.appellant_cadre_id,
                access,
            )
        )
    ).first()
    return None if row is None else {n: getattr(row, n) for n in (*_APPEAL, "cadre_name")}


# -- deadlines ------------------------------------------------------------------------------------------------
def _deadline(row: Any) -> dict[str, Any]:
    return {
        k: getattr(row, k)
        for k in (
            "id",
            "kind",
            "object_type",
            "object_id",
            "report_id",
            "org_unit_id",
            "start_on",
            "due_on",
            "remind_on",
            "status",
            "pausable",
            "extended_days",
            "paused_on",
            "met_on",
            "breached_on",
            "reminded_on",
            "version",
        )
    }


async def list_deadlines(
    conn: AsyncConnection,
    access: Access,
    page: PageParams,
    *,
    state: str,
    today: dt.date,
    org_unit_id: str | None = None,
    kind: str | None = None,
) -> tuple[list[dict], str | None]:
    """Lists deadlines of the caller's subtree: OVERDUE, DUE_SOON (reminder date reached), OPEN or ALL."""
    d, u = orm.deadline, orm.directory.org_unit
    prefix = access.prefix
    if org_unit_id:
        sub = (await conn.execute(select(u.c.path).where(u.c.org_unit_id == org_unit_id))).scalar()
        if not access.sees_unit(sub):
            return [], None
        prefix = sub
    query = select(d).where(d.c.org_unit_id.in_(select(u.c.org_unit_id).where(in_prefix(u.c.path, prefix))))
    if state == "OVERDUE":
        query = query.where(d.c.status == "OPEN", d.c.due_on < today)
    elif state == "DUE_SOON":
        query = query.where(d.c.status == "OPEN", d.c.due_on >= today, d.c.remind_on <= today)
    elif state == "OPEN":
        query = query.where(d.c.status.in_(("OPEN", "PAUSED")))
    if kind:
        query = query.where(d.c.kind == kind)
    query = keyset(query, [d.c.due_on, d.c.id], page, converters=[_date, None])
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda x: (x.due_on, x.id))
    return [_deadline(x) for x in rows], cursor


async def reporter_flags(conn: AsyncConnection, page: PageParams) -> tuple[list[dict], str | None]:
    """Lists reporters flagged for the malicious-report assessment, by pseudonymous flag id (petitions staff)."""
    f, v, r = orm.reporter_flag, orm.reporter_vault, orm.report
    query = keyset(
        select(f.c.id, f.c.fingerprint, f.c.unfounded_count, f.c.flagged_on, f.c.updated_on),
        [f.c.flagged_on, f.c.id],
        page,
        descending=True,
        converters=[_date, None],
    )
    rows, cursor = next_cursor(list((await conn.execute(query)).all()), page, lambda x: (x.flagged_on, x.id))
    items = []
    for row in rows:
        report_ids = [
            x[0]
            for x in await conn.execute(
                select(r.c.id)
                .join(v, v.c.report_id == r.c.id)
                .where(v.c.fingerprint == row.fingerprint, r.c.outcome == "UNFOUNDED")
                .order_by(r.c.id)
            )
        ]
        items.append(
            {
                "id": row.id,
                "unfounded_count": row.unfounded_count,
                "flagged_on": row.flagged_on,
                "updated_on": row.updated_on,
                "report_ids": report_ids,
            }
        )
    return items, cursor


# -- dossier and dashboard parts (for the gateway) ------------------------------------------------------------
_R, _A, _CL, _AP = orm.report, orm.report_accused, orm.clarification, orm.appeal
_CADRE, _AS_OF = bindparam("cadre_id"), bindparam("as_of")
# Built once: a statement built per request costs SQLAlchemy's coercion and cache key every time (docs/DEVELOPING.md).
_OUTCOMES = (
    select(_R.c.id, _R.c.category, _A.c.outcome, _R.c.closed_on)
    .join(_A, _A.c.report_id == _R.c.id)
    .where(_A.c.cadre_id == _CADRE, _R.c.status.in_(sorted(OUTCOME_STATES)), _R.c.closed_on <= _AS_OF)
    .order_by(_R.c.closed_on.desc(), _R.c.id)
    .limit(200)
)
_CLARIFICATIONS = (
    select(_CL.c.id, _CL.c.method, _CL.c.scope, _CL.c.executed_on)
    .where(_CL.c.cadre_id == _CADRE, _CL.c.executed_on.is_not(None), _CL.c.executed_on <= _AS_OF)
    .order_by(_CL.c.executed_on.desc())
    .limit(100)
)
_APPEALS = (
    select(_AP)
    .where(_AP.c.appellant_cadre_id == _CADRE, _AP.c.filed_on <= _AS_OF)
    .order_by(_AP.c.filed_on.desc(), _AP.c.id)
    .limit(100)
)


async def dossier_part(conn: AsyncConnection, access: Access, cadre_id: str, as_of: dt.date) -> dict[str, Any]:
    """A cadre's petitions part: concluded outcomes, executed clarifications and appeals, as of a date.

    Open accusations appear only for roles that read open reports; reporter data never does.
    """
    params = {"cadre_id": cadre_id, "as_of": as_of}
    outcomes = [
        {"report_id": x.id, "category": x.category, "outcome": x.outcome, "closed_on": x.closed_on}
        for x in await conn.execute(_OUTCOMES, params)
    ]
    part: dict[str, Any] = {"cadre_id": cadre_id, "as_of": as_of, "outcomes": outcomes}
    part["clarifications"] = [
        {"id": x.id, "method": x.method, "scope": x.scope, "executed_on": x.executed_on}
        for x in await conn.execute(_CLARIFICATIONS, params)
    ]
    part["appeals"] = [_appeal_as_of(x, as_of) for x in await conn.execute(_APPEALS, params)]
    if access.principal.has(Role.DISCIPLINE_OFFICER):
        part["open_reports"] = [
            {"report_id": x.id, "status": x.status, "category": x.category, "received_on": x.received_on}
            for x in await conn.execute(
                select(_R.c.id, _R.c.status, _R.c.category, _R.c.received_on)
                .join(_A, _A.c.report_id == _R.c.id)
                .where(
                    _A.c.cadre_id == cadre_id,
                    _R.c.status.not_in(sorted(OUTCOME_STATES)),
                    _R.c.received_on <= as_of,
                    report_scope(access, outcomes_only=False),
                )
                .order_by(_R.c.received_on.desc())
                .limit(100)
            )
        ]
    return part


def _appeal_as_of(row: Any, as_of: dt.date) -> dict[str, Any]:
    """An appeal as it stood on `as_of`: a decision taken later is not known yet (filed, or accepted, then)."""
    item = {
        n: getattr(row, n)
        for n in ("id", "target_type", "target_ref", "stage", "status", "filed_on", "result", "varied_to", "decided_on")
    }
    if row.decided_on is not None and row.decided_on > as_of:
        accepted = row.accepted_on is not None and row.accepted_on <= as_of
        item.update(status="ACCEPTED" if accepted else "FILED", result=None, varied_to=None, decided_on=None)
    return item


async def dashboard_part(conn: AsyncConnection, unit_path: str, today: dt.date) -> dict[str, Any]:
    """Overdue and soon-due petition deadlines of an org unit's subtree (counts only)."""
    d, u = orm.deadline, orm.directory.org_unit
    units = select(u.c.org_unit_id).where(in_prefix(u.c.path, unit_path))
    base = and_(d.c.org_unit_id.in_(units), d.c.status == "OPEN")
    overdue = {
        row.kind: (row.n, row.oldest)
        for row in await conn.execute(
            select(d.c.kind, func.count().label("n"), func.min(d.c.due_on).label("oldest"))
            .where(base, d.c.due_on < today)
            .group_by(d.c.kind)
        )
    }
    due_soon = int(
        (await conn.execute(select(func.count()).where(base, d.c.due_on >= today, d.c.remind_on <= today))).scalar_one()
    )
    return {
        "overdue_total": sum(n for n, _ in overdue.values()),
        "overdue_by_kind": {k: n for k, (n, _) in sorted(overdue.items())},
        "oldest_overdue_on": min((o for _, o in overdue.values()), default=None),
        "due_soon": due_soon,
    }
