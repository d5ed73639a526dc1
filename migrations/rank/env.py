"""Alembic environment of the rank service."""

from kernel.migrations import run

run("rank")
