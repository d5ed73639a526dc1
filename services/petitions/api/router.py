"""Petitions HTTP routes (the segments reports, public, statements, false-accusations, clarifications, appeals,
deadlines, and the dossier and dashboard parts), in matching order."""

from __future__ import annotations

from services.petitions.api import appeals, cases, deadlines, parts, public, reports, statements

ROUTERS = [
    reports.router,
    public.router,
    statements.router,
    cases.fa_router,
    cases.cl_router,
    appeals.router,
    deadlines.router,
    parts.router,
]
