"""Alembic environment of the rank service."""

from kernel.migrations import run
from services.rank.adapters.orm import metadata
from services.rank.settings import RankSettings

run(metadata, RankSettings)
