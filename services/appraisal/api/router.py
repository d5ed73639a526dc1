"""Appraisal HTTP routes, assembled (each module is thin: parse, build a command, call a handler)."""

from __future__ import annotations

from fastapi import APIRouter

from services.appraisal.api import assessments, awards, inaction, insights, notes, records, talks

router = APIRouter()
# notes first: /assessments/notes must win over /assessments/{assessment_id}.
for module in (notes, assessments, records, inaction, talks, awards, insights):
    router.include_router(module.router)
