"""Tolerance HTTP routes, by owned path segment (docs/permissions.md, route ownership), in matching order."""

from __future__ import annotations

from services.tolerance.api import cases, incidents, parts, reinstatements, restrictions, sanctions

ROUTERS = [
    incidents.router,
    cases.router,
    sanctions.router,
    sanctions.catalogue_router,
    restrictions.router,
    restrictions.investigation_router,
    reinstatements.router,
    parts.router,
]
