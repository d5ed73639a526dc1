"""The petitions service app: `uvicorn --factory services.petitions.main:create_app`."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from kernel.app import build_app
from kernel.runtime import ServiceRuntime
from services.petitions.adapters import orm
from services.petitions.api.dependencies import PublicLimits
from services.petitions.api.router import ROUTERS
from services.petitions.jobs import jobs
from services.petitions.messaging.subscriptions import SUBSCRIPTIONS
from services.petitions.service_layer.context import PetitionsContext
from services.petitions.service_layer.publishing import to_contracts
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork
from services.petitions.settings import PetitionsSettings


def create_app(settings: PetitionsSettings | None = None) -> FastAPI:
    """Creates the petitions app (nothing connects until the lifespan starts)."""
    settings = settings or PetitionsSettings()
    tools = PetitionsContext.build(settings)
    runtime = ServiceRuntime(
        settings,
        tables=orm.kernel_tables,
        uow_class=PetitionsUnitOfWork,
        to_contracts=to_contracts,
        context=tools,
        subscriptions=SUBSCRIPTIONS,
        jobs=jobs(tools),
    )
    # An accused cadre or unit unknown to the directory may be one rank has just registered (kernel.consistency).
    runtime.consistency.directory_miss_rules.add("report.accused_unknown")
    app = build_app(
        runtime,
        ROUTERS,
        title="Youwei petitions service",
        description="Confidential intake and screening of reports, defence, outcomes, false accusations, "
        "clarification and appeals",
    )
    # Database drivers log statements with their parameters at DEBUG: never for this service's case material.
    for name in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(name).setLevel(logging.WARNING)
    app.state.public_limits = PublicLimits(
        intake_per_hour=settings.public_intake_per_hour,
        followup_per_hour=settings.public_followup_per_hour,
        trusted_proxies=settings.trusted_proxies,
    )
    return app
