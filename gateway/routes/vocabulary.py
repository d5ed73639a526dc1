"""The suite's vocabulary: every code with its zh-CN or English label and, for regulation terms, the statute."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway import params
from gateway.auth import authenticate, forbid_unless
from gateway.limits import client_key
from kernel.auth import Role
from kernel.i18n import LangQuery, vocabulary_response

router = APIRouter(prefix="/api/v1", tags=["vocabulary"])


@router.get(
    "/vocabulary",
    responses={
        200: {"description": "vocabularies → codes → {label, statute?}"},
        401: {"description": "no valid bearer token"},
    },
    openapi_extra={"security": params.BEARER},
)
async def get_vocabulary(request: Request, lang: LangQuery = None) -> Response:
    """Every code of the suite (ranks and posts, categories, grades, sanction kinds, report channels and
    outcomes, workflow states, roles, rules) with its label in `lang` (or the request's Accept-Language) and,
    for regulation terms, the statute; readable by every authenticated role."""
    principal = await authenticate(request)
    forbid_unless(principal, *Role)
    await request.app.state.gateway.limits.check("general", client_key(request, principal))
    return vocabulary_response(request, lang)
