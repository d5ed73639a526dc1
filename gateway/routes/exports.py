"""Exports in Chinese: an org unit's roster (名册, .xlsx), a cadre's dossier (.xlsx, PDF) and an org unit's
dashboard (.xlsx). The dossier and dashboard exports run the JSON views' own read (read_dossier, read_dashboard:
same roles, scope, limits and per-service audit rows); the roster reads the services' list APIs with the caller's
token. Labels come from kernel.labels."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway import params
from gateway.auth import authenticate, forbid_unless
from gateway.clients import UpstreamError
from gateway.errors import relay
from gateway.exports.dashboard import dashboard_document
from gateway.exports.document import PDF_MEDIA_TYPE, XLSX_MEDIA_TYPE, Document, content_disposition
from gateway.exports.dossier import dossier_document
from gateway.exports.pdf import render_pdf
from gateway.exports.roster import Refused, Roster, TooLarge, gather_roster, pages, roster_document
from gateway.exports.xlsx import render_xlsx
from gateway.forwarding import upstream_headers
from gateway.limits import client_key
from gateway.routes.dashboards import read_dashboard
from gateway.routes.dossier import read_dossier
from kernel.auth import Principal, Role
from kernel.deps import china_today
from kernel.web import ProblemException

router = APIRouter(prefix="/api/v1", tags=["exports"])

# The roster shows grades and restrictions of a unit's cadres: the roles that read both in their subtree.
ROSTER_ROLES = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.AUDITOR)
_XLSX = {200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "the workbook (Content-Disposition: attachment)"}}
_PDF = {200: {"content": {PDF_MEDIA_TYPE: {}}, "description": "the PDF (Content-Disposition: attachment)"}}
_INCLUDE_SUBUNITS = {
    "name": "include_subunits",
    "in": "query",
    "required": False,
    "description": "the cadres of the unit's whole subtree (default true) or of the unit only",
    "schema": {"type": "boolean", "default": True},
}


def subject_of(principal: Principal) -> str:
    """Whom an export was generated for: the token subject, roles and unit (ids and codes only)."""
    roles = "、".join(sorted(r.value for r in principal.roles))
    unit = f"，单位 {principal.unit_id}" if principal.unit_id else ""
    return f"{principal.subject}（{roles}{unit}）"


# Workbooks and PDFs are rendered in a worker thread (asyncio.to_thread): a 20,000-row roster takes seconds of CPU,
# which must not stall the gateway's event loop.
def download(content: bytes, media_type: str, filename: str, fallback: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": content_disposition(filename, fallback)}
    )


def _flag(raw: str | None, name: str, default: bool) -> bool:
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise params.invalid(name, "query", "Input should be a valid boolean", "bool_parsing")


def _day(raw: str | None) -> dt.date:
    as_of = params.date_param(raw, "as_of")
    if as_of is not None and as_of > china_today():
        raise params.invalid("as_of", "query", "as_of may not be in the future", "future_date")
    return as_of or china_today()


async def _unit_names(request: Request, headers: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """The org units the caller may see, by id (names for the sheets; ids are shown when rank cannot list them)."""
    gateway = request.app.state.gateway
    try:
        units = await pages(
            gateway.clients["rank"],
            "/api/v1/org-units",
            {},
            headers,
            max_items=None,
            max_pages=gateway.settings.export_max_pages,
        )
    except (Refused, TooLarge):
        return {}
    return {u["id"]: u for u in units}


# -- roster ---------------------------------------------------------------------------------------------------
@router.get(
    "/org-units/{unit_id}/roster.xlsx",
    response_class=Response,
    responses={
        **_XLSX,
        403: {"description": "the caller's role may not export rosters"},
        404: {"description": "no such org unit in the caller's scope"},
        413: {"description": "the unit has more cadres than GATEWAY_EXPORT_ROSTER_MAX_CADRES"},
    },
    openapi_extra={
        "parameters": [
            params.path_parameter("unit_id", "the org unit's id"),
            _INCLUDE_SUBUNITS,
            params.AS_OF_PARAMETER,
        ],
        "security": params.BEARER,
    },
)
async def export_roster(request: Request) -> Response:
    """The roster (名册) of an org unit as .xlsx: one row per cadre the caller may see."""
    principal = await authenticate(request)
    forbid_unless(principal, *ROSTER_ROLES)
    unit_id = params.identifier(request.path_params["unit_id"], "unit_id")
    include_subunits = _flag(request.query_params.get("include_subunits"), "include_subunits", True)
    as_of = _day(request.query_params.get("as_of"))
    gateway = request.app.state.gateway
    settings = gateway.settings
    key = client_key(request, principal)
    await gateway.limits.check("general", key)
    await gateway.limits.check("dossier", key)  # one roster costs many reads: it counts against the heavy bucket
    headers = upstream_headers(request.scope["headers"], request.client.host if request.client else None)
    rank = gateway.clients["rank"]

    answer = await rank.call("GET", f"/api/v1/org-units/{quote(unit_id, safe='')}", headers=headers)
    if answer.status != 200:
        return relay("rank", answer)  # rank decides visibility: 404 out of scope, as an unknown unit
    unit = answer.json()
    limit = settings.export_roster_max_cadres
    try:
        cadres, units = await asyncio.gather(
            pages(
                rank,
                "/api/v1/cadres",
                {"org_unit_id": unit_id},
                headers,
                max_items=limit,
                max_pages=settings.export_max_pages,
            ),
            _unit_names(request, headers),
        )
    except TooLarge:
        raise ProblemException(
            413,
            f"the roster has more than {limit} cadres; export a smaller unit",
            type_="export-too-large",
            rule="export.roster_too_large",
            field="unit_id",
            limit=limit,
        ) from None
    except Refused as refused:
        return relay("rank", refused.response)
    if not include_subunits:
        cadres = [c for c in cadres if c["org_unit_id"] == unit_id]
    units.setdefault(unit_id, unit)
    roster = Roster(unit=unit, as_of=as_of, cadres=cadres, units=units)
    await gather_roster(
        gateway.clients, roster, headers, concurrency=settings.export_concurrency, max_pages=settings.export_max_pages
    )
    document = roster_document(roster, subject=subject_of(principal))
    day = as_of.isoformat()
    content = await asyncio.to_thread(render_xlsx, document)
    return download(
        content, XLSX_MEDIA_TYPE, f"干部名册-{unit.get('name') or unit_id}-{day}.xlsx", f"roster-{unit_id}-{day}.xlsx"
    )


# -- dossier --------------------------------------------------------------------------------------------------
async def _dossier(request: Request) -> tuple[Document | None, Response | None, str]:
    principal, body = await read_dossier(request)
    if isinstance(body, Response):
        return None, body, ""
    as_of = body["as_of"] or china_today().isoformat()
    cadre = body.get("cadre") or {}
    units: dict[str, str] = {}
    if cadre.get("org_unit_id"):
        # The unit's name for 基本信息 (its id stays when rank cannot say).
        headers = upstream_headers(request.scope["headers"], request.client.host if request.client else None)
        unit_id = cadre["org_unit_id"]
        try:
            answer = await request.app.state.gateway.clients["rank"].call(
                "GET", f"/api/v1/org-units/{quote(unit_id, safe='')}", headers=headers
            )
            if answer.status == 200:
                units[unit_id] = answer.json().get("name") or unit_id
        except UpstreamError:
            pass
    document = dossier_document(body, as_of=as_of, subject=subject_of(principal), units=units)
    return document, None, f"{cadre.get('name') or body['cadre_id']}-{as_of}"


_DOSSIER_DOC = {
    403: {"description": "the caller's role may not read dossiers"},
    404: {"description": "no such cadre in the caller's scope"},
    503: {"description": "no service could contribute"},
}
_DOSSIER_PARAMS = {
    "parameters": [
        params.path_parameter("cadre_id", "the cadre's id"),
        params.AS_OF_PARAMETER,
        params.PURPOSE_PARAMETER,
    ],
    "security": params.BEARER,
}


@router.get(
    "/cadres/{cadre_id}/dossier.xlsx",
    response_class=Response,
    responses={**_XLSX, **_DOSSIER_DOC},
    openapi_extra=_DOSSIER_PARAMS,
)
async def export_dossier_xlsx(request: Request) -> Response:
    """The cadre dossier as .xlsx, one sheet per part (read and audited as the JSON dossier)."""
    document, refusal, name = await _dossier(request)
    if refusal is not None:
        return refusal
    assert document is not None
    cadre_id = request.path_params["cadre_id"]
    content = await asyncio.to_thread(render_xlsx, document)
    return download(content, XLSX_MEDIA_TYPE, f"干部档案-{name}.xlsx", f"dossier-{cadre_id}.xlsx")


@router.get(
    "/cadres/{cadre_id}/dossier.pdf",
    response_class=Response,
    responses={**_PDF, **_DOSSIER_DOC},
    openapi_extra=_DOSSIER_PARAMS,
)
async def export_dossier_pdf(request: Request) -> Response:
    """The cadre dossier as PDF, one section per part (read and audited as the JSON dossier)."""
    document, refusal, name = await _dossier(request)
    if refusal is not None:
        return refusal
    assert document is not None
    settings = request.app.state.gateway.settings
    content = await asyncio.to_thread(
        render_pdf, document, invariant=settings.export_pdf_invariant, compress=settings.export_pdf_compress
    )
    cadre_id = request.path_params["cadre_id"]
    return download(content, PDF_MEDIA_TYPE, f"干部档案-{name}.pdf", f"dossier-{cadre_id}.pdf")


# -- dashboards -----------------------------------------------------------------------------------------------
@router.get(
    "/dashboards/{org_unit_id}.xlsx",
    response_class=Response,
    responses={
        **_XLSX,
        403: {"description": "the caller's role may not read dashboards"},
        404: {"description": "no such org unit in the caller's scope"},
        503: {"description": "no service could contribute"},
    },
    openapi_extra={
        "parameters": [params.path_parameter("org_unit_id", "the org unit's id")],
        "security": params.BEARER,
    },
)
async def export_dashboard_xlsx(request: Request) -> Response:
    """An org unit's dashboard as .xlsx: one sheet per table of the JSON dashboard (same roles and scope)."""
    principal, body = await read_dashboard(request)
    if isinstance(body, Response):
        return body
    day = china_today().isoformat()
    document = dashboard_document(body, as_of=day, subject=subject_of(principal))
    unit_id = body["org_unit_id"]
    name = (body.get("org_unit") or {}).get("name") or unit_id
    content = await asyncio.to_thread(render_xlsx, document)
    return download(content, XLSX_MEDIA_TYPE, f"组织工作看板-{name}-{day}.xlsx", f"dashboard-{unit_id}-{day}.xlsx")
