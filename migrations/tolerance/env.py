"""Alembic environment of the tolerance service."""

from kernel.migrations import run
from services.tolerance.adapters.orm import metadata
from services.tolerance.settings import ToleranceSettings

run(metadata, ToleranceSettings)
