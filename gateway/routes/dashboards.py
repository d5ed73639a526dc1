"""Organization dashboards: the org unit (rank) and each service's dashboard part, fetched concurrently."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway import params
from gateway.auth import authenticate, forbid_unless
from gateway.errors import relay
from gateway.fanout import anchor, gather, merge_parts
from gateway.forwarding import upstream_headers
from gateway.limits import client_key
from gateway.schemas import DashboardRead
from gateway.settings import UPSTREAMS
from kernel.auth import Principal, Role
from kernel.web import ProblemException

router = APIRouter(prefix="/api/v1", tags=["dashboards"])

DASHBOARD_ROLES = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.AUDITOR)
# Roles that see every unit of their subtree; an assessor (unit leader) sees the dashboard of their own unit only.
SUBTREE_ROLES = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.AUDITOR)


@router.get(
    "/dashboards/{org_unit_id}",
    response_model=DashboardRead,
    responses={
        403: {"description": "the caller's role may not read dashboards"},
        404: {"description": "no such org unit in the caller's scope"},
        503: {"description": "no service could contribute"},
    },
    openapi_extra={
        "parameters": [params.path_parameter("org_unit_id", "the org unit's id")],
        "security": params.BEARER,
    },
)
async def get_dashboard(request: Request) -> Response:
    """Gathers an org unit's dashboard from each service's part (a `degraded` list names missing parts)."""
    _, body = await read_dashboard(request)
    if isinstance(body, Response):
        return body
    return Response(orjson.dumps(body), media_type="application/json")


async def read_dashboard(request: Request) -> tuple[Principal, dict[str, Any] | Response]:
    """The dashboard read (role, scope, limits, fan-out, merge): the caller and the dashboard body, or rank's
    refusal to relay as it is (also used by the .xlsx export, gateway/routes/exports.py)."""
    principal = await authenticate(request)
    forbid_unless(principal, *DASHBOARD_ROLES)
    org_unit_id = params.identifier(request.path_params["org_unit_id"], "org_unit_id")
    if not principal.has(*SUBTREE_ROLES) and principal.unit_id != org_unit_id:
        raise ProblemException(404, "org unit not found", field="org_unit_id", type_="not-found")
    gateway = request.app.state.gateway
    await gateway.limits.check("general", client_key(request, principal))
    headers = upstream_headers(request.scope["headers"], request.client.host if request.client else None)
    timeout = gateway.settings.part_timeout
    clients = gateway.clients
    calls = {
        "org-unit": clients["rank"].call(
            "GET", f"/api/v1/org-units/{quote(org_unit_id, safe='')}", headers=headers, timeout=timeout, retries=0
        )
    }
    for service in UPSTREAMS:
        calls[service] = clients[service].dashboard_part(org_unit_id, headers=headers, timeout=timeout)
    outcomes = await gather(calls)

    unit, refusal, unit_degraded = anchor(outcomes.pop("org-unit"))
    if refusal is not None:
        return principal, relay("rank", refusal)
    merged = merge_parts(outcomes, UPSTREAMS, view="dashboard", part_name="dashboard-part")
    if unit_degraded is not None:
        merged.degraded.insert(0, {"service": "rank", "part": "org-unit", "reason": unit_degraded})
        if merged.not_found == len(outcomes):
            raise ProblemException(404, "org unit not found", field="org_unit_id", type_="not-found")
        if not merged.any_data:
            raise ProblemException(
                503,
                "no service could provide this dashboard; retry later",
                type_="upstream-unavailable",
                headers={"Retry-After": "5"},
            )
    body = {
        "org_unit_id": org_unit_id,
        "org_unit": unit,
        "parts": merged.parts,
        "degraded": merged.degraded,
        "withheld": merged.withheld,
    }
    return principal, body
