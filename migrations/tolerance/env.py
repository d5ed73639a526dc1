"""Alembic environment of the tolerance service."""

from kernel.migrations import run

run("tolerance")
