"""Appraisal HTTP routes, assembled in matching order (each module is thin: parse, build a command, call a handler)."""

from __future__ import annotations

from services.appraisal.api import assessments, awards, inaction, insights, notes, records, talks

# notes first: /assessments/notes must win over /assessments/{assessment_id}.
ROUTERS = [
    notes.router,
    assessments.router,
    records.router,
    inaction.router,
    talks.router,
    awards.router,
    insights.router,
]
