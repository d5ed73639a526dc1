"""Alembic environment of the petitions service."""

from kernel.migrations import run

run("petitions")
