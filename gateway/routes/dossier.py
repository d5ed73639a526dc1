"""The cadre dossier: the register entry and each service's part, fetched concurrently, merged, degraded on failure.

Each part call carries the caller's token, X-Purpose and X-Consistency-Token (read-your-writes), so each service checks the caller's scope itself and
appends its own audit row (with the gateway's request id): the dossier read is audited in every service that
contributed to it.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway import params
from gateway.auth import authenticate, forbid_unless
from gateway.errors import relay
from gateway.fanout import anchor, gather, merge_parts
from gateway.forwarding import upstream_headers
from gateway.limits import client_key
from gateway.schemas import DossierRead
from gateway.settings import UPSTREAMS
from kernel.access import self_service
from kernel.auth import Principal, Role
from kernel.deps import china_today
from kernel.web import ProblemException

log = logging.getLogger("gateway.dossier")
router = APIRouter(prefix="/api/v1", tags=["dossier"])

DOSSIER_ROLES = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.ASSESSOR, Role.CADRE, Role.AUDITOR)


def visible_services(principal: Principal) -> tuple[list[str], list[str]]:
    """Splits the services into those asked for a part and those withheld from the caller's role up front."""
    if self_service(principal):
        # A cadre reads their own dossier without petitions (docs/permissions.md, gateway rows).
        return [s for s in UPSTREAMS if s != "petitions"], ["petitions"]
    return list(UPSTREAMS), []


@router.get(
    "/cadres/{cadre_id}/dossier",
    response_model=DossierRead,
    responses={
        403: {"description": "the caller's role may not read dossiers"},
        404: {"description": "no such cadre in the caller's scope"},
        503: {"description": "no service could contribute"},
    },
    openapi_extra={
        "parameters": [
            params.path_parameter("cadre_id", "the cadre's id"),
            params.AS_OF_PARAMETER,
            params.PURPOSE_PARAMETER,
        ],
        "security": params.BEARER,
    },
)
async def get_dossier(request: Request) -> Response:
    """Gathers a cadre's dossier from rank and each service's part (a `degraded` list names missing parts)."""
    _, body = await read_dossier(request)
    if isinstance(body, Response):
        return body
    return Response(orjson.dumps(body), media_type="application/json")


async def read_dossier(request: Request) -> tuple[Principal, dict[str, Any] | Response]:
    """The dossier read (role, parameters, limits, fan-out with the caller's token, merge, log): the caller and
    the dossier body, or rank's refusal to relay as it is. The exports (gateway/routes/exports.py) call it too, so
    an exported dossier is checked and audited exactly as the JSON one."""
    principal = await authenticate(request)
    forbid_unless(principal, *DOSSIER_ROLES)
    cadre_id = params.identifier(request.path_params["cadre_id"], "cadre_id")
    as_of = params.date_param(request.query_params.get("as_of"), "as_of")
    purpose = params.purpose(request.headers.get("x-purpose"))
    if as_of is not None and as_of > china_today():
        raise params.invalid("as_of", "query", "as_of may not be in the future", "future_date")
    if self_service(principal) and principal.cadre_id != cadre_id:
        raise ProblemException(404, "cadre not found", type_="not-found", field="cadre_id")
    # Everything else about who sees whom (subtree, relatives) is kernel.access, applied by rank for the register
    # entry that anchors the dossier and by each service for its part.
    gateway = request.app.state.gateway
    key = client_key(request, principal)
    await gateway.limits.check("general", key)
    await gateway.limits.check("dossier", key)

    headers = upstream_headers(request.scope["headers"], request.client.host if request.client else None)
    timeout = gateway.settings.part_timeout
    if "x-consistency-token" in request.headers:
        # Each part call carries the token (upstream_headers) and may wait for the events it names.
        timeout += gateway.settings.consistency_wait_s
    asked, withheld = visible_services(principal)
    clients = gateway.clients
    calls = {s: clients[s].dossier_part(cadre_id, as_of=as_of, headers=headers, timeout=timeout) for s in asked}
    outcomes = await gather(calls)

    rank = outcomes["rank"]
    if rank.response is not None and rank.response.status != 200:
        _, refusal, _ = anchor(rank)
        if refusal is not None:
            # Rank decides visibility: not found, forbidden or rejected input ends the read here.
            return principal, relay("rank", refusal)
    merged = merge_parts(outcomes, UPSTREAMS, view="dossier", part_name="dossier-part", withheld=withheld)
    # Rank's part carries the register entry as GET /cadres/{id} gives it: one call to rank, not two.
    rank_part = merged.parts.get("rank")
    cadre = rank_part.pop("cadre", None) if isinstance(rank_part, dict) else None
    register_degraded = None
    part_failure = next((d["reason"] for d in merged.degraded if d["service"] == "rank"), None)
    if cadre is None and (rank_part is not None or part_failure not in (None, "timeout")):
        # Rank's part came without the entry (an older replica, during a rolling upgrade) or failed other than by
        # its deadline (an error, a refused connection another replica may answer): the entry on its own still
        # shows whose dossier it is. After a timeout another call would only double the wait.
        register = await gather({"register": clients["rank"].get_cadre(cadre_id, headers=headers, timeout=timeout)})
        cadre, refusal, register_degraded = anchor(register["register"])
        if refusal is not None:
            return principal, relay("rank", refusal)
    elif cadre is None:
        register_degraded = part_failure or "error"
    if register_degraded is not None:
        merged.degraded.insert(0, {"service": "rank", "part": "register", "reason": register_degraded})
        if outcomes and merged.not_found == len(outcomes):
            raise ProblemException(404, "cadre not found", type_="not-found", field="cadre_id")
        if not merged.any_data:
            raise ProblemException(
                503,
                "no service could provide this dossier; retry later",
                type_="upstream-unavailable",
                headers={"Retry-After": "5"},
            )

    # The authoritative audit rows are written by the services; this line ties them to one gateway request.
    log.info(
        "dossier read",
        extra={
            "actor": principal.subject,
            "roles": sorted(r.value for r in principal.roles),
            "unit_id": principal.unit_id,
            "cadre_id": cadre_id,
            "purpose": purpose,
            "as_of": as_of.isoformat() if as_of else None,
            "degraded": [d["service"] for d in merged.degraded],
        },
    )
    body = {
        "cadre_id": cadre_id,
        "as_of": as_of.isoformat() if as_of else None,
        "cadre": cadre,
        "parts": merged.parts,
        "degraded": merged.degraded,
        "withheld": merged.withheld,
    }
    return principal, body
