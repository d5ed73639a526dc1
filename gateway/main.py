"""The gateway app: `uvicorn --factory gateway.main:create_app` (one API under /api/v1 for the four services)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway.clients import Upstream, UpstreamError
from gateway.errors import upstream_error_handler
from gateway.imports import ImportJobs
from gateway.imports_limit import RouteBodyLimit, upload_body_limit
from gateway.routes import dashboards, docs, dossier, events, exports, imports, vocabulary
from gateway.routes.proxy import ProxyRoute
from gateway.settings import GatewaySettings
from gateway.state import GatewayState
from kernel.heap import freeze_startup_heap
from kernel.i18n import LanguageMiddleware
from kernel.logs import configure_logging
from kernel.openapi import install_conventions
from kernel.web import install, install_health, no_telemetry, operation_id

DESCRIPTION = """One API for the Youwei suite: the rank, appraisal, petitions and tolerance services behind one
address, plus the cadre dossier, organization dashboards, the event catalogue and the live event feed.
Every call needs a bearer token (OAuth2/OIDC JWT); the services check it again and apply the permission matrix."""


def create_app(settings: GatewaySettings | None = None, *, upstreams: Mapping[str, Upstream] | None = None) -> FastAPI:
    """Creates the gateway app (nothing connects until the lifespan starts; tests may inject upstream clients)."""
    settings = settings or GatewaySettings()
    configure_logging(settings.service_name, settings.log_level)
    state = GatewayState(settings, upstreams=upstreams)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.start()
        app.state.verifier = state.verifier
        await jobs.start()
        freeze_startup_heap()
        try:
            yield
        finally:
            # Import jobs first: a running one finishes its chunk through the upstream clients before they close.
            await jobs.close()
            await state.close()

    app = FastAPI(
        title="Youwei API",
        description=DESCRIPTION,
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        generate_unique_id_function=operation_id,
        redirect_slashes=False,
        **no_telemetry(),
    )
    app.state.gateway = state
    app.state.settings = settings
    app.state.verifier = None
    jobs = ImportJobs(settings, app, lambda token: app.state.verifier.verify(token))
    app.state.imports = jobs
    if settings.cors_origins:
        # Added before the plumbing middleware, so preflight answers also carry request ids and security headers.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Request-ID",
                "X-Correlation-ID",
                "X-Purpose",
                "Last-Event-ID",
                "traceparent",
                "If-Match",
                "If-None-Match",
                "X-Consistency-Token",
                "Prefer",
            ],
            expose_headers=[
                "X-Request-ID",
                "Retry-After",
                "ETag",
                "Location",
                "X-Consistency-Token",
                "Preference-Applied",
            ],
            allow_credentials=False,
            max_age=600,
        )
    # The general body limit, except for uploads to POST /api/v1/imports (import_max_bytes): inside the plumbing.
    app.add_middleware(
        RouteBodyLimit,
        max_body_bytes=settings.max_body_bytes,
        upload_max_bytes=upload_body_limit(settings.import_max_bytes),
    )
    install(
        app,
        service=settings.service_name,
        max_body_bytes=max(settings.max_body_bytes, upload_body_limit(settings.import_max_bytes)),
        cors_origins=None,
    )
    # Labels and Chinese problems for zh-CN requests: the gateway's own answers (dossier, dashboards, its problems);
    # a service's answer relayed already carries Content-Language and passes unchanged (kernel/i18n.py).
    app.add_middleware(LanguageMiddleware, default_language=settings.default_language)
    if settings.trusted_proxies:
        # Outermost: limits, logs and the X-Forwarded-For sent upstream all see the client the trusted proxy named.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_exception_handler(UpstreamError, upstream_error_handler)
    install_health(app, state.readiness)
    # exports first: /dashboards/{id}.xlsx must not be taken for the dashboard of a unit named '{id}.xlsx'.
    for module in (exports, dossier, dashboards, events, imports, vocabulary):
        app.include_router(module.router)
        state.own_routes.extend(r for r in module.router.routes if isinstance(r, Route))
    if settings.docs_enabled:
        app.include_router(docs.router)
    app.router.routes.insert(0, ProxyRoute(state.own_routes))
    install_conventions(app)
    return app
