"""Tolerance HTTP routes, by owned path segment (docs/permissions.md, route ownership)."""

from __future__ import annotations

from fastapi import APIRouter

from services.tolerance.api import cases, incidents, parts, reinstatements, restrictions, sanctions


def routers() -> list[APIRouter]:
    """Returns every router of the service."""
    return [incidents.router, cases.router, sanctions.router, sanctions.catalogue_router, restrictions.router,
            restrictions.investigation_router, reinstatements.router, parts.router]
