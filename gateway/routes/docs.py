"""The merged OpenAPI document and its docs pages (served where docs are enabled: dev and test, docs/gateway.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kernel.docs_pages import docs_router

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    """Returns the merged OpenAPI document of the gateway and the four services."""
    app = request.app
    gateway = app.state.gateway
    return JSONResponse(await gateway.openapi.get(app.openapi(), gateway.clients))


# Swagger UI (/docs) and ReDoc (/redoc) over the merged document, with their assets served locally.
router.include_router(docs_router("/openapi.json", "Youwei"))
