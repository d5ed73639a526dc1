"""Alembic environment of the appraisal service."""

from kernel.migrations import run
from services.appraisal.adapters.orm import metadata
from services.appraisal.settings import AppraisalSettings

run(metadata, AppraisalSettings)
