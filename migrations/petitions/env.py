"""Alembic environment of the petitions service."""

from kernel.migrations import run
from services.petitions.adapters.orm import metadata
from services.petitions.settings import PetitionsSettings

run(metadata, PetitionsSettings)
