"""The petitions service app: `uvicorn --factory services.petitions.main:create_app`."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from kernel.app import build_app
from kernel.calendar import WorkdayCalendar
from kernel.directory import Directory
from kernel.runtime import ServiceRuntime
from services.petitions.adapters import orm
from services.petitions.adapters.crypto import Sealer
from services.petitions.api.dependencies import PublicLimits
from services.petitions.api.router import ROUTERS
from services.petitions.domain.rules import appeals, deadlines
from services.petitions.jobs import jobs
from services.petitions.messaging.subscriptions import subscriptions
from services.petitions.service_layer.publishing import to_contracts
from services.petitions.service_layer.support import Tools
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork
from services.petitions.settings import PetitionsSettings


def build_tools(settings: PetitionsSettings) -> Tools:
    """Builds the sealer, calendar, rule tables and directory from the settings."""
    return Tools(settings=settings, sealer=Sealer(settings.vault_keys()),
                 calendar=WorkdayCalendar.load(settings.calendar_file),
                 deadline_rules=deadlines.resolve(settings.deadline_overrides),
                 appeal_rules=appeals.resolve(settings.appeal_overrides), directory=Directory(orm.directory))


def create_app(settings: PetitionsSettings | None = None) -> FastAPI:
    """Creates the petitions app (nothing connects until the lifespan starts)."""
    settings = settings or PetitionsSettings()
    tools = build_tools(settings)
    runtime = ServiceRuntime(settings, tables=orm.kernel_tables, uow_class=PetitionsUnitOfWork, to_contracts=to_contracts,
                             subscriptions=subscriptions(tools), jobs=jobs(tools))
    # An accused cadre or unit unknown to the directory may be one rank has just registered (kernel.consistency).
    runtime.consistency.directory_miss_rules.add("report.accused_unknown")
    app = build_app(runtime, ROUTERS, title="Youwei petitions service",
                    description="Confidential intake and screening of reports, defence, outcomes, false accusations, "
                                "clarification and appeals")
    # Database drivers log statements with their parameters at DEBUG: never for this service's case material.
    for name in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(name).setLevel(logging.WARNING)
    app.state.petitions_tools = tools
    app.state.public_limits = PublicLimits(intake_per_hour=settings.public_intake_per_hour,
                                           followup_per_hour=settings.public_followup_per_hour,
                                           trusted_proxies=settings.trusted_proxies)
    return app
