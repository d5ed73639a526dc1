"""What petitions' use cases are configured with, built once per process (kernel.service_context): the vault's
sealer, the deadline and appeal rule tables (with the deployment's overrides) and the directory."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.directory import Directory
from kernel.service_context import ServiceContext
from services.petitions.adapters import orm
from services.petitions.adapters.crypto import Sealer
from services.petitions.domain.rules import appeals, deadlines
from services.petitions.domain.rules.appeals import StageRule
from services.petitions.domain.rules.deadlines import DeadlineRule
from services.petitions.settings import PetitionsSettings


@dataclass(frozen=True)
class PetitionsContext(ServiceContext):
    settings: PetitionsSettings
    sealer: Sealer
    deadline_rules: dict[str, DeadlineRule]
    appeal_rules: dict[str, StageRule]
    directory: Directory

    @classmethod
    def build(cls, settings: PetitionsSettings) -> PetitionsContext:
        """Builds the sealer, calendar, rule tables and directory from the settings."""
        return cls(
            settings=settings,
            calendar=cls.load_calendar(settings),
            sealer=Sealer(settings.vault_keys()),
            deadline_rules=deadlines.resolve(settings.deadline_overrides),
            appeal_rules=appeals.resolve(settings.appeal_overrides),
            directory=Directory(orm.directory),
        )
