"""Appraisal HTTP routes, assembled (each module is thin: parse, build a command, call a handler)."""

from __future__ import annotations

from fastapi import APIRouter

from services.appraisal.api import assessments, awards, inaction, insights, records, talks

router = APIRouter()
for module in (assessments, records, inaction, talks, awards, insights):
    router.include_router(module.router)
