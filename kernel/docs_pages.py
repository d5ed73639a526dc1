"""API docs pages that work on an intranet with no internet: Swagger UI at /docs and ReDoc at /redoc, their scripts,
styles and icon served by the app itself from an installed package (fastapi-offline's static files), never a CDN.

FastAPI's default pages load swagger-ui and redoc from jsdelivr and ReDoc's fonts from Google: on an organization
department's network those pages stay blank. Here every URL in the pages is relative to the app, and the pages carry a
Content-Security-Policy that allows only the app's own origin, so a forgotten external reference fails in a test
(tests/kernel/test_docs_pages.py) rather than on a user's screen.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_PATH = "/docs-assets"
_STATIC = Path(fastapi_offline.__file__).parent / "static"
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
# Swagger UI and ReDoc run inline bootstrap scripts and styles; ReDoc starts a web worker from a blob.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'"
)


def docs_router(openapi_url: str, title: str) -> APIRouter:
    """The /docs and /redoc pages over `openapi_url` and the assets they load (all hidden from the schema)."""
    router = APIRouter(include_in_schema=False)
    headers = {"content-security-policy": DOCS_CSP}

    @router.get("/docs")
    async def swagger_page() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} – API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )
        return HTMLResponse(page.body, headers=headers)

    @router.get("/redoc")
    async def redoc_page() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} – API",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )
        return HTMLResponse(page.body, headers=headers)

    @router.get(ASSETS_PATH + "/{name}")
    async def asset(name: str) -> FileResponse:
        media_type = _ASSETS.get(name)
        if media_type is None:
            raise HTTPException(status_code=404, detail="no such docs asset")
        # The assets change only with the installed package: let browsers keep them a day.
        return FileResponse(_STATIC / name, media_type=media_type, headers={"cache-control": "public, max-age=86400"})

    return router


def install_docs(app: FastAPI, *, openapi_url: str = "/openapi.json") -> None:
    """Adds the offline docs pages to `app` (call only where docs are enabled: dev and test)."""
    app.include_router(docs_router(openapi_url, app.title))
