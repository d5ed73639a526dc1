"""The merged OpenAPI document and its docs page (dev and test only: RELIABILITY.md S13)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    """Returns the merged OpenAPI document of the gateway and the four services."""
    app = request.app
    gateway = app.state.gateway
    return JSONResponse(await gateway.openapi.get(app.openapi(), gateway.clients))


@router.get("/docs")
async def docs_page() -> HTMLResponse:
    """Serves the API docs page over the merged document."""
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Youwei API")
