"""Builds a service's FastAPI app around its runtime (the same conventions in every service)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI

from kernel.auth import Role
from kernel.consistency import ConsistencyMiddleware
from kernel.docs_pages import install_docs
from kernel.i18n import LanguageMiddleware, vocabulary_router
from kernel.logs import configure_logging
from kernel.openapi import install_conventions
from kernel.requests import configure_bounds
from kernel.runtime import ServiceRuntime
from kernel.security import require
from kernel.web import install, install_health, no_telemetry, operation_id


def build_app(
    runtime: ServiceRuntime, routers: Sequence[APIRouter], *, title: str, description: str, version: str = "1.0.0"
) -> FastAPI:
    """Creates the app: lifespan, error model, plumbing middleware, health, metrics and the routers."""
    settings = runtime.settings
    configure_logging(settings.service_name, settings.log_level)
    configure_bounds(settings.request_date_min, settings.request_date_max_years_ahead)
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=runtime.lifespan,
        docs_url=None,  # offline pages below (kernel/docs_pages.py)
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        generate_unique_id_function=operation_id,
        **no_telemetry(),
    )
    app.state.runtime = runtime
    app.state.settings = settings
    # Inside the plumbing middleware (added next, outermost): its answers carry request ids and security headers.
    app.add_middleware(ConsistencyMiddleware, runtime=runtime)
    install(
        app, service=settings.service_name, max_body_bytes=settings.max_body_bytes, cors_origins=settings.cors_origins
    )
    # Outermost: labels and Chinese problems for zh-CN requests, the plumbing's own answers included (kernel/i18n.py).
    app.add_middleware(LanguageMiddleware, default_language=settings.default_language)
    install_health(app, runtime.readiness)
    if settings.docs_enabled:
        install_docs(app)
    for router in routers:
        app.include_router(router)
    # The suite's vocabulary (every code's label and statute), on every service as on the gateway.
    app.include_router(vocabulary_router([require(*Role)]))
    install_conventions(app)
    return app
