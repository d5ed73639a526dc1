"""Alembic environment of the appraisal service."""

from kernel.migrations import run

run("appraisal")
